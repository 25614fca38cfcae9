import { createSecretKey, KeyObject } from 'node:crypto';
import { DATA_KEY_LENGTH } from '../algorithm-suite';
import { boundedList } from '../../bounded-text';
import { ClientSideConfigurationError, DataKeyUnwrapError, MaterialDescriptionMismatchError } from '../errors';
import { differingKeys, stringMapsEqual } from './string-maps';

/** Raw keyrings have no encryption context; refusing one keeps callers from believing it is checked. */
export function assertNoEncryptionContext(ec: Readonly<Record<string, string>>, keyringName: string): void {
  if (ec && Object.keys(ec).length > 0) {
    throw new ClientSideConfigurationError(
      `An encryption context was given, but ${keyringName} has none: encryption contexts are a KMS feature. ` +
        'For raw AES/RSA keys, describe the key with the keyring\'s materialDescription instead.',
    );
  }
}

/** The stored material description must equal the keyring's (exact map equality, as the Java client selects keys). */
export function assertMaterialDescriptionMatches(stored: Readonly<Record<string, string>>, mine: Readonly<Record<string, string>>): void {
  if (!stringMapsEqual(stored, mine)) {
    throw new MaterialDescriptionMismatchError(`these keys differ: ${boundedList(differingKeys(stored, mine))}.`);
  }
}

/** The data key as a KeyObject from freshly unwrapped bytes, which are zeroed; DataKeyUnwrapError unless they are 32 bytes. */
export function unwrappedDataKey(raw: Buffer): KeyObject {
  try {
    if (raw.length !== DATA_KEY_LENGTH) throw new DataKeyUnwrapError(`the unwrapped data key is ${raw.length} bytes; S3 encryption clients use 32-byte keys.`);
    return createSecretKey(raw);
  } finally {
    raw.fill(0);
  }
}

/** A secret KeyObject for raw bytes (copied, so the caller may zero its buffer). */
export function toKeyObject(key: Uint8Array | KeyObject): KeyObject {
  if (key instanceof KeyObject) {
    if (key.type !== 'secret') throw new ClientSideConfigurationError('The wrapping key must be a secret (symmetric) key.');
    return key;
  }
  if (!(key instanceof Uint8Array)) throw new ClientSideConfigurationError('The wrapping key must be a Uint8Array/Buffer of raw key bytes or a secret KeyObject.');
  return createSecretKey(Buffer.from(key));
}

/** `fn()` as a promise: its result, or its exception as a rejection (keyring methods never throw synchronously). */
export function settled<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fn()));
}
