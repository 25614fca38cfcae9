/**
 * S3 answers as the SSE-C and client-side code both need them: classification of SDK errors (status,
 * code, not-found, precondition failed, copy refusals, transient faults) and the typed errors about
 * one object that do not depend on how it is encrypted.
 */
import { S3EncryptionError } from '../errors';
import { type S3ObjectRef, where } from './object-ref';

/** The parts of an SDK v3 service error this module reads. */
interface SdkError {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** HTTP status of an SDK error, if it has one. */
export function httpStatusOf(err: unknown): number | undefined {
  return (err as SdkError | undefined)?.$metadata?.httpStatusCode;
}

/** S3 error code (`Code` from the XML body, else the SDK's `name`). */
export function errorCodeOf(err: unknown): string | undefined {
  const e = err as SdkError | undefined;
  return e?.Code ?? e?.name;
}

/** The SDK's message of an error, or `''`. */
export function errorMessageOf(err: unknown): string {
  return (err as SdkError | undefined)?.message ?? '';
}

/** True for a 404: the object, the version or the bucket does not exist. */
export function isNotFound(err: unknown): boolean {
  return httpStatusOf(err) === 404;
}

/** True for a 404 about the bucket rather than the object. */
export function isBucketMissing(err: unknown): boolean {
  return isNotFound(err) && errorCodeOf(err) === 'NoSuchBucket';
}

/** True when a conditional request failed: S3's 412, or an {@link ObjectChangedError} made from one. */
export function isPreconditionFailed(err: unknown): boolean {
  return httpStatusOf(err) === 412 || err instanceof ObjectChangedError;
}

/** True for radosgw's and AWS's "this server cannot copy from an encrypted source" (501 NotImplemented). */
export function isCopyNotImplemented(err: unknown): boolean {
  return httpStatusOf(err) === 501 || errorCodeOf(err) === 'NotImplemented';
}

/** True for S3's "copy onto itself without changing anything" refusal (400 InvalidRequest). */
export function isCopyToItselfRefused(err: unknown): boolean {
  return httpStatusOf(err) === 400 && /copy .*to itself/i.test(errorMessageOf(err));
}

/** Whether an error is worth retrying later: throttling, timeouts, 5xx, dropped connections, an object that changed. */
export function isTransientError(err: unknown): boolean {
  if (err instanceof ObjectChangedError) return true;
  if (err instanceof S3EncryptionError) return false;
  const e = err as SdkError & { $retryable?: unknown; code?: string };
  const status = httpStatusOf(err);
  if (status !== undefined) {
    if (status >= 500 && status !== 501) return true;
    if (status === 429 || status === 408) return true;
    return /Throttl|SlowDown|RequestTimeout|TooManyRequests|RequestLimitExceeded/.test(errorCodeOf(err) ?? '');
  }
  if (e?.$retryable) return true;
  const networkCode = e?.code ?? '';
  return (
    /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|ENOTFOUND|ECONNABORTED|EHOSTUNREACH|ENETUNREACH)$/.test(networkCode) ||
    /TimeoutError|Throttl|RequestTimeout/.test(e?.name ?? '')
  );
}

/** Base of the errors that concern one object; carries the object and the HTTP status, if any. */
export abstract class S3ObjectError extends S3EncryptionError {
  /** The object the request was about. */
  public readonly object: S3ObjectRef;
  /** The HTTP status S3 answered with, if the error came from S3. */
  public readonly httpStatusCode?: number;

  protected constructor(code: string, message: string, object: S3ObjectRef, cause?: unknown) {
    super(code, message, cause === undefined ? undefined : { cause });
    this.object = object;
    const status = httpStatusOf(cause);
    if (status !== undefined) this.httpStatusCode = status;
  }
}

/** The object (or its bucket) does not exist. */
export class S3ObjectNotFoundError extends S3ObjectError {
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
export class ObjectChangedError extends S3ObjectError {
  constructor(object: S3ObjectRef, cause?: unknown, detail?: string) {
    super(
      'ObjectChanged',
      `${where(object)} changed while it was being processed${detail ? ` (${detail})` : ''}; nothing was overwritten. Retry the operation.`,
      object,
      cause,
    );
  }
}

/** Re-keying or key rotation addressed a version that is no longer the current one. */
export class NoncurrentVersionError extends S3ObjectError {
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
export class IncompleteBodyError extends S3ObjectError {
  constructor(object: S3ObjectRef, expected: number, received: number) {
    super('IncompleteBody', `${where(object)}: expected ${expected} bytes, received ${received}; the transfer was cut short.`, object);
  }
}

/**
 * The object is SSE-C encrypted and the request carried no SSE-C key. Any reader meets it, not only the
 * SSE-C client (a HEAD without SSE-C headers of an SSE-C object answers 400), so it lives here.
 */
export class SseCKeyRequiredError extends S3ObjectError {
  constructor(object: S3ObjectRef, cause?: unknown) {
    super('SseCKeyRequired', `${where(object)} is SSE-C encrypted: pass the SSE-C key it was written with to read it.`, object, cause);
  }
}
