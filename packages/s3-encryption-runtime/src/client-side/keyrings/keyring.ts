import { type KeyObject } from 'node:crypto';
import { type AlgorithmSuite } from '../algorithm-suite';
import { type WrappingAlgorithm } from './wrapping-algorithm';

/** What a keyring is asked to wrap. */
export interface DataKeyWrapRequest {
  /** The content suite; its `cekAlgorithm` string must be bound into the wrap (AAD, RSA suffix or KMS context). */
  readonly suite: AlgorithmSuite;
  /** The caller's KMS encryption context for this object, without reserved keys. `{}` when none was given. */
  readonly encryptionContext: Readonly<Record<string, string>>;
  /**
   * A data key to wrap as it is (used by re-wrapping for key rotation). When absent the keyring
   * generates a fresh 32-byte data key (KMS: GenerateDataKey; raw keys: the CSPRNG).
   */
  readonly plaintextDataKey?: KeyObject;
}

/** A keyring's answer to a wrap request. */
export interface WrappedDataKey {
  /** The 32-byte plaintext data key (a KeyObject, so it never prints). */
  readonly plaintextDataKey: KeyObject;
  /** The wrapped data key exactly as it is stored (base64-encoded into `x-amz-key-v2` / `x-amz-3`). */
  readonly encryptedDataKey: Buffer;
  /** Which of the three writable wrapping algorithms was used. */
  readonly wrappingAlgorithm: WrappingAlgorithm.KMS_CONTEXT | WrappingAlgorithm.AES_GCM | WrappingAlgorithm.RSA_OAEP_SHA1;
  /** KMS wraps: the full encryption context sent to KMS (including `aws:x-amz-cek-alg`); `{}` otherwise. */
  readonly encryptionContext: Readonly<Record<string, string>>;
  /** Raw-key wraps: the material description to store; `{}` otherwise. */
  readonly materialDescription: Readonly<Record<string, string>>;
}

/** What a keyring is asked to unwrap: the stored fields of one object. */
export interface DataKeyUnwrapRequest {
  /** The object's content suite; compare its `cekAlgorithm` with what the wrap binds (GCM string even for ranged reads). */
  readonly suite: AlgorithmSuite;
  /** The stored wrapping algorithm. Legacy wraps reach a keyring only when `enableLegacyWrappingAlgorithms` is set. */
  readonly wrappingAlgorithm: WrappingAlgorithm;
  /** The stored wrapped data key. */
  readonly encryptedDataKey: Buffer;
  /** The stored KMS encryption context (KMS wraps), `{}` otherwise. */
  readonly encryptionContext: Readonly<Record<string, string>>;
  /** The stored material description (raw-key wraps), `{}` otherwise. */
  readonly materialDescription: Readonly<Record<string, string>>;
  /** The encryption context the caller expects the object to have (without reserved keys); `{}` when none was given. */
  readonly expectedEncryptionContext: Readonly<Record<string, string>>;
}

/**
 * Wraps and unwraps data keys. Implement this to plug in your own key storage (an HSM, another
 * KMS client, a secrets vault); the content format stays the same, so your keyring must use one
 * of the three writable wrapping algorithms byte for byte as the official clients do.
 *
 * Contract:
 * - never put key bytes in errors, logs or `toString`;
 * - throw `KeyringMismatchError` for a wrapping algorithm you do not handle,
 *   `DataKeyUnwrapError` for a wrong key or a modified wrapped key, and other
 *   `ClientSideEncryptionError` subclasses for the rest;
 * - return 32-byte data keys.
 */
export interface Keyring {
  /** Short description for error messages, e.g. `KmsKeyring(arn:aws:kms:...)`. Never key material. */
  readonly name: string;
  /** Generates (or takes) a data key and wraps it. */
  wrapDataKey(request: DataKeyWrapRequest): Promise<WrappedDataKey>;
  /** Unwraps a stored data key after checking everything bound to it. */
  unwrapDataKey(request: DataKeyUnwrapRequest): Promise<KeyObject>;
}
