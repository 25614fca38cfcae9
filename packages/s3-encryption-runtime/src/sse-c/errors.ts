import { S3EncryptionError } from '../errors';
import { S3ObjectError } from '../s3/errors';
import { type S3ObjectRef, where } from '../s3/object-ref';

export type { S3ObjectRef } from '../s3/object-ref';
// Errors about an object that SSE-C shares with client-side code; they live in the S3 layer.
export { IncompleteBodyError, NoncurrentVersionError, ObjectChangedError, S3ObjectNotFoundError, SseCKeyRequiredError } from '../s3/errors';

/** Base of the SSE-C errors that concern one object; carries the object and the HTTP status, if any. */
export abstract class SseCObjectError extends S3ObjectError {}

/** The object is SSE-C encrypted with a different key than the one sent. */
export class SseCWrongKeyError extends SseCObjectError {
  /**
   * @param object the object
   * @param keyLabel a non-secret name of the key that was tried (e.g. `secret my-key, AWSPREVIOUS`)
   * @param cause the S3 error
   * @param note extra context, e.g. an alternative explanation for an ambiguous status
   */
  constructor(object: S3ObjectRef, keyLabel: string | undefined, cause?: unknown, note?: string) {
    super(
      'SseCWrongKey',
      `${where(object)} is encrypted with a different SSE-C key than ${keyLabel ?? 'the one provided'}` +
        `${note ? ` (${note})` : ''}. Use the key it was written with; S3 cannot recover an object without it.`,
      object,
      cause,
    );
  }
}

/** The bucket refuses SSE-C writes for this caller. */
export class SseCBlockedError extends SseCObjectError {
  constructor(object: S3ObjectRef, cause?: unknown) {
    super(
      'SseCBlocked',
      `S3 refused the SSE-C write to ${where(object)} (403 AccessDenied). Since April 2026 S3 blocks SSE-C on new buckets ` +
        "(the bucket's default encryption has BlockedEncryptionTypes = SSE-C). To allow it, create the bucket with " +
        'EncryptedBucket({ sseC: { allowedRoles: [role] } }) or call encryptedBucket.allowSseCFrom(role): that sets ' +
        'BlockedEncryptionTypes to NONE and lets only the named roles send SSE-C. If SSE-C is already allowed, the bucket ' +
        'policy does not name your role, or your identity lacks s3:PutObject on this bucket.',
      object,
      cause,
    );
  }
}

/** The object exists but is not SSE-C encrypted, so an SSE-C key does not apply to it. */
export class SseCNotApplicableError extends SseCObjectError {
  constructor(object: S3ObjectRef, cause?: unknown) {
    super(
      'SseCNotApplicable',
      `${where(object)} is not SSE-C encrypted (S3 returned no SSE-C key digest): read it without an SSE-C key, ` +
        'or re-write it with one if it should be SSE-C.',
      object,
      cause,
    );
  }
}

/** An SSE-C key that is not exactly 256 bits. */
export class SseCKeyLengthError extends S3EncryptionError {
  /** The length that was given, in bytes. */
  public readonly actualBytes: number;

  /**
   * @param actualBytes the length of the rejected key, in bytes
   * @param source where the key came from (a file name, a secret id), never the key
   */
  constructor(actualBytes: number, source?: string) {
    super(
      'SseCKeyLength',
      `SSE-C keys must be exactly 256 bits (32 bytes); ${source ? `${source} gave` : 'got'} ${actualBytes * 8} bits. ` +
        'Generate one with `openssl rand 32 > key.bin` (raw) or `openssl rand -base64 32` (base64).',
    );
    this.actualBytes = actualBytes;
  }
}

/** An SSE-C key could not be read from its source (file, environment, Secrets Manager) or is not in a known format. */
export class SseCKeySourceError extends S3EncryptionError {
  constructor(message: string, cause?: unknown) {
    super('SseCKeySource', message, cause === undefined ? undefined : { cause });
  }
}
