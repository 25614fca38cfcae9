import { S3EncryptionError } from '../errors';
import { type S3ObjectRef, where } from '../s3-object-ref';

export type { S3ObjectRef } from '../s3-object-ref';

/** Base of the SSE-C errors that concern one object; carries the object and the HTTP status, if any. */
export abstract class SseCObjectError extends S3EncryptionError {
  /** The object the request was about. */
  public readonly object: S3ObjectRef;
  /** The HTTP status S3 answered with, if the error came from S3. */
  public readonly httpStatusCode?: number;

  protected constructor(code: string, message: string, object: S3ObjectRef, cause?: unknown) {
    super(code, message, cause === undefined ? undefined : { cause });
    this.object = object;
    const status = (cause as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
    if (status !== undefined) this.httpStatusCode = status;
  }
}

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

/** The object is SSE-C encrypted and the request carried no SSE-C key. */
export class SseCKeyRequiredError extends SseCObjectError {
  constructor(object: S3ObjectRef, cause?: unknown) {
    super('SseCKeyRequired', `${where(object)} is SSE-C encrypted: pass the SSE-C key it was written with to read it.`, object, cause);
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

/** The object (or its bucket) does not exist. */
export class S3ObjectNotFoundError extends SseCObjectError {
  constructor(object: S3ObjectRef, cause?: unknown, bucketMissing = false) {
    super(
      bucketMissing ? 'NoSuchBucket' : 'NoSuchKey',
      bucketMissing ? `bucket ${object.bucket} does not exist (or is not visible to you)` : `${where(object)} does not exist`,
      object,
      cause,
    );
  }
}

/** A conditional request failed: the object changed while we worked on it (HTTP 412). Retry reads it afresh. */
export class ObjectChangedError extends SseCObjectError {
  constructor(object: S3ObjectRef, cause?: unknown, detail?: string) {
    super(
      'ObjectChanged',
      `${where(object)} changed while it was being processed${detail ? ` (${detail})` : ''}; nothing was overwritten. Retry the operation.`,
      object,
      cause,
    );
  }
}

/** Re-keying addressed a version that is no longer the current one. */
export class NoncurrentVersionError extends SseCObjectError {
  constructor(object: S3ObjectRef, currentVersionId: string | undefined) {
    super(
      'NoncurrentVersion',
      `${where(object)} is not the current version (current: ${currentVersionId ?? 'none'}). Re-keying writes a new ` +
        'current version, so only the current version can be re-keyed; noncurrent versions keep their key until they expire.',
      object,
    );
  }
}

/** A response body ended before the announced length: the transfer was cut short and its data must not be used. */
export class IncompleteBodyError extends SseCObjectError {
  constructor(object: S3ObjectRef, expected: number, received: number) {
    super('IncompleteBody', `${where(object)}: expected ${expected} bytes, received ${received}; the transfer was cut short.`, object);
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
