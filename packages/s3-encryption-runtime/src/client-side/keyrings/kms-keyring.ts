import { createSecretKey, type KeyObject } from 'node:crypto';
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DATA_KEY_LENGTH } from '../algorithm-suite';
import { boundedList } from '../../bounded-text';
import {
  DataKeyUnwrapError, EncryptionContextMismatchError, ClientSideConfigurationError, KeyringMismatchError, KmsRequestError,
  ReservedEncryptionContextKeyError,
} from '../errors';
import { type DataKeyUnwrapRequest, type DataKeyWrapRequest, type Keyring, type WrappedDataKey } from './keyring';
import { assertStringMap, differingKeys, stringMapsEqual, withoutKeys } from './string-maps';
import { WrappingAlgorithm } from './wrapping-algorithm';

/** Reserved encryption-context key that binds the content algorithm into a `kms+context` wrap. */
export const RESERVED_CEK_ALG_CONTEXT_KEY = 'aws:x-amz-cek-alg';
/** Reserved key under which the AWS SDK for Java v1 stored the KMS key id; ignored when comparing contexts. */
export const LEGACY_KMS_CMK_ID_CONTEXT_KEY = 'kms_cmk_id';
const RESERVED = [RESERVED_CEK_ALG_CONTEXT_KEY, LEGACY_KMS_CMK_ID_CONTEXT_KEY];

/** Options of {@link KmsKeyring}. */
export interface KmsKeyringProps {
  /** The KMS client to call (its region and credentials are used as they are). */
  readonly client: KMSClient;
  /**
   * KMS key id, ARN or alias used to generate data keys and passed as `KeyId` to Decrypt.
   * Required unless `allowDecryptWithAnyKey` is set (then the keyring can only decrypt).
   */
  readonly keyId?: string;
  /**
   * Decrypt without naming a key, letting KMS use whichever key the ciphertext names
   * ("discovery"; like Go's NewKmsDecryptOnlyAnyKeyKeyring). Only for trusted buckets.
   * @default false
   */
  readonly allowDecryptWithAnyKey?: boolean;
  /** Grant tokens passed to every KMS call. @default none */
  readonly grantTokens?: string[];
}

/**
 * AWS KMS keyring (`kms+context`): GenerateDataKey on write, Decrypt on read, with the caller's
 * encryption context plus the reserved `aws:x-amz-cek-alg` entry (`AES/GCM/NoPadding` for V2,
 * `115` for V3). On read it checks, before calling KMS, that the stored context minus the reserved
 * keys equals the context the caller expects (Java) and that `aws:x-amz-cek-alg` equals the
 * object's content algorithm (Go, Ruby). Legacy `kms` wraps (context = material description) are
 * read when legacy wrapping is enabled.
 */
export class KmsKeyring implements Keyring {
  /** @inheritdoc */
  public readonly name: string;
  readonly #props: KmsKeyringProps;

  constructor(props: KmsKeyringProps) {
    if (!props || !props.client) throw new ClientSideConfigurationError('KmsKeyring needs a KMSClient (props.client).');
    if (!props.keyId && !props.allowDecryptWithAnyKey) {
      throw new ClientSideConfigurationError('KmsKeyring needs keyId (a KMS key id, ARN or alias), or allowDecryptWithAnyKey: true for a decrypt-only keyring.');
    }
    if (props.keyId !== undefined && (typeof props.keyId !== 'string' || props.keyId.length === 0)) {
      throw new ClientSideConfigurationError('KmsKeyring keyId must be a non-empty string.');
    }
    this.#props = { ...props };
    this.name = `KmsKeyring(${props.keyId ?? 'any key'})`;
  }

  /** @inheritdoc */
  public async wrapDataKey(request: DataKeyWrapRequest): Promise<WrappedDataKey> {
    const keyId = this.#props.keyId;
    if (!keyId) throw new ClientSideConfigurationError('This KmsKeyring was built with allowDecryptWithAnyKey and no keyId, so it cannot encrypt. Pass keyId.');
    assertStringMap('The encryption context', request.encryptionContext);
    // Both reserved keys are refused: kms_cmk_id is dropped on read (Java, and this keyring), so it would go unchecked.
    const reserved = RESERVED.find((k) => Object.prototype.hasOwnProperty.call(request.encryptionContext, k));
    if (reserved !== undefined) throw new ReservedEncryptionContextKeyError(reserved);
    const encryptionContext: Record<string, string> = { ...request.encryptionContext, [RESERVED_CEK_ALG_CONTEXT_KEY]: request.suite.cekAlgorithm };
    const common = { KeyId: keyId, EncryptionContext: encryptionContext, GrantTokens: this.#props.grantTokens };

    let ciphertext: Uint8Array | undefined;
    let plaintextDataKey: KeyObject;
    if (request.plaintextDataKey) {
      plaintextDataKey = request.plaintextDataKey;
      const bytes = plaintextDataKey.export();
      try {
        const out = await this.send('Encrypt', keyId, () => this.#props.client.send(new EncryptCommand({ ...common, Plaintext: bytes })));
        ciphertext = out.CiphertextBlob;
      } finally {
        bytes.fill(0);
      }
    } else {
      const out = await this.send('GenerateDataKey', keyId, () => this.#props.client.send(new GenerateDataKeyCommand({ ...common, KeySpec: 'AES_256' })));
      if (!out.Plaintext || out.Plaintext.length !== DATA_KEY_LENGTH) {
        throw new KmsRequestError('GenerateDataKey', keyId, { cause: new Error('KMS returned no 32-byte plaintext data key') });
      }
      plaintextDataKey = createSecretKey(out.Plaintext); // copied into the KeyObject; no other copy to zero
      out.Plaintext.fill(0);
      ciphertext = out.CiphertextBlob;
    }
    if (!ciphertext || ciphertext.length === 0) {
      throw new KmsRequestError(request.plaintextDataKey ? 'Encrypt' : 'GenerateDataKey', keyId, { cause: new Error('KMS returned no CiphertextBlob') });
    }
    return {
      plaintextDataKey,
      encryptedDataKey: Buffer.from(ciphertext),
      wrappingAlgorithm: WrappingAlgorithm.KMS_CONTEXT,
      encryptionContext,
      materialDescription: {},
    };
  }

  /** @inheritdoc */
  public async unwrapDataKey(request: DataKeyUnwrapRequest): Promise<KeyObject> {
    const alg = request.wrappingAlgorithm;
    if (alg !== WrappingAlgorithm.KMS_CONTEXT && alg !== WrappingAlgorithm.LEGACY_KMS) {
      throw new KeyringMismatchError(alg, this.name);
    }
    const stored = request.encryptionContext;
    if (alg === WrappingAlgorithm.LEGACY_KMS && Object.prototype.hasOwnProperty.call(stored, RESERVED_CEK_ALG_CONTEXT_KEY)) {
      // Only kms+context wraps carry this key. A "kms" label on such a context means a kms+context object was
      // relabelled to skip the algorithm binding (e.g. a GCM object read as CBC, whose padding becomes an oracle).
      throw new EncryptionContextMismatchError(
        `the object is labelled as a legacy "kms" wrap, yet its context holds ${RESERVED_CEK_ALG_CONTEXT_KEY}, which only kms+context wraps carry: ` +
          'its wrapping algorithm was relabelled (possible downgrade to unauthenticated AES-CBC). KMS was not called.',
      );
    }
    if (alg === WrappingAlgorithm.KMS_CONTEXT) {
      const bound = stored[RESERVED_CEK_ALG_CONTEXT_KEY];
      if (bound !== request.suite.cekAlgorithm) {
        throw new EncryptionContextMismatchError(
          bound === undefined
            ? `it lacks ${RESERVED_CEK_ALG_CONTEXT_KEY}, which every kms+context object carries.`
            : `${RESERVED_CEK_ALG_CONTEXT_KEY} is ${JSON.stringify(bound.slice(0, 40))} but the object's content algorithm is ${JSON.stringify(request.suite.cekAlgorithm)} (possible algorithm downgrade).`,
        );
      }
    }
    assertStringMap('The expected encryption context', request.expectedEncryptionContext);
    const storedUser = withoutKeys(stored, RESERVED);
    const expectedUser = withoutKeys(request.expectedEncryptionContext, RESERVED);
    if (!stringMapsEqual(storedUser, expectedUser)) {
      throw new EncryptionContextMismatchError(`these keys differ between the stored and the expected context: ${boundedList(differingKeys(storedUser, expectedUser))}.`);
    }

    const keyId = this.#props.allowDecryptWithAnyKey ? undefined : this.#props.keyId;
    const out = await this.send('Decrypt', keyId, () => this.#props.client.send(new DecryptCommand({
      CiphertextBlob: request.encryptedDataKey,
      EncryptionContext: { ...stored },
      KeyId: keyId,
      GrantTokens: this.#props.grantTokens,
    })));
    if (!out.Plaintext || out.Plaintext.length !== DATA_KEY_LENGTH) {
      if (out.Plaintext) out.Plaintext.fill(0);
      throw new DataKeyUnwrapError(`KMS returned a ${out.Plaintext?.length ?? 0}-byte data key; S3 encryption clients use 32-byte keys.`);
    }
    const key = createSecretKey(out.Plaintext);
    out.Plaintext.fill(0);
    return key;
  }

  private async send<T>(operation: string, keyId: string | undefined, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const name = (err as { name?: string } | undefined)?.name;
      if (operation === 'Decrypt' && (name === 'InvalidCiphertextException' || name === 'IncorrectKeyException')) {
        throw new DataKeyUnwrapError(
          `KMS rejected the wrapped key (${name}): it was not encrypted under ${keyId ?? 'a key you can use'} with this encryption context, or it was modified.`,
          { cause: err },
        );
      }
      throw new KmsRequestError(operation, keyId, { cause: err });
    }
  }
}
