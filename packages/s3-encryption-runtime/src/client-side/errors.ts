import { S3EncryptionError } from '../errors';
import { truncate } from '../s3/object-ref';

/**
 * Base class of every error the client-side encryption module throws on purpose.
 * Catch this to handle any client-side encryption failure; catch a subclass for one failure.
 * Messages say what failed and what to do; they never contain key bytes or plaintext.
 */
export class ClientSideEncryptionError extends S3EncryptionError {}

/**
 * The object body did not authenticate: the AES-GCM tag did not verify (the body, tag, IV or
 * an authenticated metadata field was modified, or the body was truncated), or a legacy
 * AES-CBC body had invalid padding. In buffered mode no plaintext was released.
 */
export class ContentAuthenticationError extends ClientSideEncryptionError {
  /**
   * @param detail what exactly failed
   * @param plaintextReleased true in delayed-authentication mode, where plaintext was already streamed
   */
  constructor(detail: string, public readonly plaintextReleased: boolean = false) {
    super(
      'ContentAuthenticationFailed',
      `${detail} The object body, its tag, its IV/message id or its metadata was modified, or the object is truncated. ` +
        (plaintextReleased
          ? 'Delayed authentication was enabled, so plaintext was already streamed: discard everything you received.'
          : 'No plaintext was released.') +
        ' Re-fetch the object; if it still fails, treat it as tampered.',
    );
  }
}

/**
 * The key commitment stored with a V3 object (`x-amz-d`) does not match the one derived from the
 * data key and message id (`x-amz-i`). Checked before the content key is derived; nothing was decrypted.
 */
export class KeyCommitmentError extends ClientSideEncryptionError {
  constructor() {
    super(
      'KeyCommitmentMismatch',
      'The key commitment of this V3 object (x-amz-d) does not match its data key and message id (x-amz-i): ' +
        'the commitment, the message id or the wrapped data key was modified. Nothing was decrypted; treat the object as tampered.',
    );
  }
}

/**
 * The wrapped data key could not be unwrapped: the configured wrapping key is not the one the
 * object was written with, or the wrapped key (or a field bound to it) was modified.
 */
export class DataKeyUnwrapError extends ClientSideEncryptionError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      'DataKeyUnwrapFailed',
      `Could not unwrap the object's data key: ${detail} ` +
        'Check that you configured the wrapping key the object was written with; otherwise the wrapped key or its metadata was modified. Nothing was decrypted.',
      options,
    );
  }
}

/**
 * The KMS encryption context stored with the object does not match the one the caller expects,
 * or its reserved `aws:x-amz-cek-alg` entry does not match the object's content algorithm.
 */
export class EncryptionContextMismatchError extends ClientSideEncryptionError {
  constructor(detail: string) {
    super(
      'EncryptionContextMismatch',
      `The object's KMS encryption context does not match: ${detail} ` +
        'Pass the encryption context the object was written with (without aws:x-amz-cek-alg); if you did, the metadata was modified. Nothing was decrypted.',
    );
  }
}

/**
 * The material description stored with a raw-key (AES or RSA) object does not match the one the
 * configured keyring was built with.
 */
export class MaterialDescriptionMismatchError extends ClientSideEncryptionError {
  constructor(detail: string) {
    super(
      'MaterialDescriptionMismatch',
      `The object's material description does not match this keyring's: ${detail} ` +
        'Use the keyring (key and materialDescription) the object was written with; if you did, the metadata was modified. Nothing was decrypted.',
    );
  }
}

/** The object names a key-wrapping algorithm this library does not know. */
export class UnknownWrappingAlgorithmError extends ClientSideEncryptionError {
  constructor(algorithm: string) {
    super(
      'UnknownWrappingAlgorithm',
      `The object's key-wrapping algorithm ${JSON.stringify(truncate(algorithm, 80))} is not one this client knows ` +
        '(kms+context, AES/GCM, RSA-OAEP-SHA1; legacy kms, AESWrap, RSA/ECB/OAEPWithSHA-256AndMGF1Padding). ' +
        'The metadata was modified, or the object was written by a client this library cannot read. Nothing was decrypted.',
    );
  }
}

/** The object's key-wrapping algorithm is known, but the configured keyring does not handle it. */
export class KeyringMismatchError extends ClientSideEncryptionError {
  constructor(algorithm: string, keyringName: string) {
    super(
      'KeyringMismatch',
      `The object's data key is wrapped with ${JSON.stringify(algorithm)}, which the configured ${keyringName} cannot unwrap. ` +
        'Configure the kind of keyring the object was written with (KMS, raw AES or RSA). Nothing was decrypted.',
    );
  }
}

/** The commitment policy forbids this operation (for example reading a non-committing V2 object under REQUIRE_ENCRYPT_REQUIRE_DECRYPT). */
export class CommitmentPolicyError extends ClientSideEncryptionError {
  constructor(detail: string) {
    super('CommitmentPolicyViolation', `${detail} Nothing was decrypted.`);
  }
}

/**
 * The object's encryption metadata lives in an instruction file (`<key>.instruction`) that is
 * missing, or the object carries no client-side encryption metadata at all.
 */
export class MissingInstructionFileError extends ClientSideEncryptionError {
  constructor(public readonly instructionFileKey?: string) {
    super(
      'MissingInstructionFile',
      `The object carries no complete client-side encryption metadata, and its instruction file` +
        `${instructionFileKey ? ` (${JSON.stringify(instructionFileKey)})` : ''} was not found. ` +
        'Either the object was not written by an S3 encryption client, or its instruction file was deleted or is stored under another suffix. ' +
        'Restore the instruction file, or pass the right one. Nothing was decrypted.',
    );
  }
}

/**
 * The object (or request) needs a legacy mode that is disabled: an AES-CBC body or a ranged
 * (AES-CTR, unauthenticated) read needs `enableLegacyUnauthenticatedModes`; a legacy key wrap
 * (`kms`, `AESWrap`, unlabelled V1 wraps) needs `enableLegacyWrappingAlgorithms`.
 */
export class LegacyModeDisabledError extends ClientSideEncryptionError {
  constructor(public readonly option: 'enableLegacyUnauthenticatedModes' | 'enableLegacyWrappingAlgorithms', detail: string) {
    super(
      'LegacyModeDisabled',
      `${detail} This is disabled by default because it is not authenticated or not bound to the content algorithm. ` +
        `If you trust the writers of this bucket, set ${option}: true (CLI: --legacy) to read it, then re-encrypt it in V3. Nothing was decrypted.`,
    );
  }
}

/** A legacy algorithm the object uses cannot be run by this Node.js build (for example RSA PKCS#1 v1.5 decryption on Node ≥ 20). */
export class UnsupportedLegacyAlgorithmError extends ClientSideEncryptionError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('UnsupportedLegacyAlgorithm', `${detail} Nothing was decrypted.`, options);
  }
}

/**
 * Buffered authentication would have to hold more plaintext than the configured limit.
 * Raise `bufferSize`, or enable `enableDelayedAuthentication` to stream large objects.
 */
export class BufferLimitExceededError extends ClientSideEncryptionError {
  constructor(public readonly limitBytes: number, observedBytes?: number) {
    super(
      'BufferLimitExceeded',
      `The object is larger than the buffered-authentication limit of ${limitBytes} bytes` +
        `${observedBytes !== undefined ? ` (at least ${observedBytes} bytes of plaintext)` : ''}, ` +
        'and no plaintext is released before the GCM tag verifies. Raise bufferSize, or set enableDelayedAuthentication: true ' +
        '(CLI: --delayed-authentication) to stream it; with delayed authentication a tampered object fails only at the end of the stream. No plaintext was released.',
    );
  }
}

/** A client-side encryption metadata field is missing, malformed or not allowed where it appears. */
export class MalformedMetadataError extends ClientSideEncryptionError {
  constructor(public readonly field: string | undefined, detail: string) {
    super(
      'MalformedMetadata',
      `Client-side encryption metadata${field ? ` field ${JSON.stringify(field)}` : ''} is invalid: ${detail} ` +
        'The metadata or instruction file was modified or truncated, or the object was not written by an S3 encryption client. Nothing was decrypted.',
    );
  }
}

/** The client or keyring was configured with invalid options. */
export class ClientSideConfigurationError extends ClientSideEncryptionError {
  constructor(detail: string) {
    super('ClientSideConfigurationInvalid', detail);
  }
}

/**
 * The caller's KMS encryption context names a key that S3 encryption clients reserve, so it is refused
 * on write: `aws:x-amz-cek-alg` (the client adds it to bind the content algorithm) or `kms_cmk_id`
 * (where the AWS SDK for Java v1 stored the KMS key id; every reader drops it before comparing contexts,
 * so a value there would never be checked on read). Nothing was sent to KMS.
 */
export class ReservedEncryptionContextKeyError extends ClientSideConfigurationError {
  /**
   * @param key the reserved key found in the context
   */
  constructor(public readonly key: string) {
    super(
      `The encryption context must not contain the reserved key ${JSON.stringify(key)}: ` +
        (key === 'kms_cmk_id'
          ? 'S3 encryption clients drop it before comparing contexts on read (the AWS SDK for Java v1 stored the KMS key id there), so its value would never be checked. Use another name.'
          : 'the client adds it itself, to bind the content algorithm to the wrapped key. Remove it.') +
        ' Nothing was sent to KMS.',
    );
  }
}

/**
 * A call to AWS KMS failed for a reason other than a wrong key or a modified ciphertext (permissions,
 * throttling, network). The KMS client's own retry strategy (the SDK's standard one unless you configured
 * another) has already retried throttling, 5xx and network errors; this error comes after the last attempt.
 */
export class KmsRequestError extends ClientSideEncryptionError {
  /** The KMS operation, e.g. `GenerateDataKey`. */
  public readonly operation: string;
  /** The key the request named, if any. */
  public readonly keyId?: string;
  /** True when KMS throttled the request (`ThrottlingException`): retry later, or with less concurrency. */
  public readonly throttled: boolean;
  /** How many attempts the SDK made, when it reports them. */
  public readonly attempts?: number;

  constructor(operation: string, keyId: string | undefined, options: { cause: unknown }) {
    const cause = options.cause as { name?: string; message?: string; $metadata?: { attempts?: number } } | undefined;
    const reason = options.cause instanceof Error ? `${options.cause.name}: ${options.cause.message}` : String(options.cause);
    const throttled = cause?.name === 'ThrottlingException';
    const attempts = typeof cause?.$metadata?.attempts === 'number' ? cause.$metadata.attempts : undefined;
    const tries = attempts !== undefined ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'}` : '';
    // https://docs.aws.amazon.com/kms/latest/developerguide/throttling.html: back off and retry; quotas are per account and Region
    const advice = throttled
      ? 'KMS request quotas are per account and Region: lower the concurrency, give the KMS client more attempts (maxAttempts), or request a quota increase, then retry.'
      : 'Check the key id, the region, your credentials and the key policy (kms:GenerateDataKey, kms:Encrypt, kms:Decrypt), then retry.';
    super(
      'KmsRequestFailed',
      `AWS KMS ${operation}${keyId ? ` with key ${keyId}` : ''} ${throttled ? 'was throttled' : 'failed'}${tries} (${truncate(reason, 300)}). ${advice}`,
      options,
    );
    this.operation = operation;
    if (keyId !== undefined) this.keyId = keyId;
    this.throttled = throttled;
    if (attempts !== undefined) this.attempts = attempts;
  }
}

/** The plaintext exceeds what one AES-GCM stream may encrypt (2^36 − 32 bytes, about 64 GiB). */
export class PlaintextTooLargeError extends ClientSideEncryptionError {
  constructor(limit: number) {
    super(
      'PlaintextTooLarge',
      `The plaintext exceeds the AES-GCM limit of ${limit} bytes per object. Split the data into several objects. The output is incomplete and must be discarded.`,
    );
  }
}

/** A byte range or Content-Range is invalid, or the object cannot be read by range. */
export class RangedGetError extends ClientSideEncryptionError {
  constructor(detail: string) {
    super('RangedGetInvalid', `${detail} No plaintext was released.`);
  }
}

/** An encryptor or decryptor was used in a way its contract forbids (for example, consumed twice). */
export class ClientSideUsageError extends ClientSideEncryptionError {
  constructor(detail: string) {
    super('ClientSideUsageInvalid', detail);
  }
}
