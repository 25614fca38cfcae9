/**
 * The one place where S3 answers to SSE-C requests become typed errors, for AWS and for Ceph radosgw
 * (Pacific), whose answers differ:
 *
 * | situation                      | AWS S3                                   | radosgw Pacific                          |
 * |--------------------------------|------------------------------------------|------------------------------------------|
 * | read with the wrong key        | 403 (AccessDenied; HEAD: no body)        | 400 InvalidArgument "...MD5 ... did not match" (HEAD: 400, no body) |
 * | read without a key             | 400 InvalidRequest (HEAD: no body)       | 400 InvalidArgument "...must provide a valid encryption algorithm"   |
 * | SSE-C key on a non-SSE-C object| 400 InvalidRequest "...not applicable"   | 200, no SSE-C headers in the response    |
 * | SSE-C write blocked            | 403 AccessDenied (BlockedEncryptionTypes or bucket policy) | 403 AccessDenied (bucket policy) |
 * | SSE-C over plain HTTP          | 400 InvalidRequest                       | 400 InvalidRequest (rgw_crypt_require_ssl) |
 * | CopyObject from an SSE-C source| supported                                | 501 NotImplemented                        |
 * | conditional PUT, quoted ETag   | honoured                                 | 412 even when it matches (needs the ETag unquoted) |
 * | If-Match on CompleteMultipartUpload | honoured                            | ignored                                   |
 */
import { S3EncryptionError } from '../errors';
import { InsecureEndpointError } from '../s3-client-factory';
import { errorCodeOf, errorMessageOf, httpStatusOf, ObjectChangedError, S3ObjectNotFoundError, SseCKeyRequiredError } from '../s3/errors';
import type { S3ObjectRef } from '../s3/object-ref';
import { SseCBlockedError, SseCNotApplicableError, SseCWrongKeyError } from './errors';

/** What kind of SSE-C request failed. */
export type SseCRequestKind =
  /** GetObject / HeadObject of an SSE-C object. */
  | 'read'
  /** PutObject / multipart upload / copy destination. */
  | 'write'
  /** CopyObject / UploadPartCopy: source read and destination write in one request. */
  | 'copy';

/** Facts about the failed request that decide the mapping. */
export interface SseCErrorContext {
  /** Kind of request. */
  readonly kind: SseCRequestKind;
  /** The object addressed (for copies: the source if the source is at fault, else the destination). */
  readonly object: S3ObjectRef;
  /** Whether the request carried an SSE-C key for reading. */
  readonly readKeySent: boolean;
  /** Non-secret name of the read key, for messages. */
  readonly readKeyLabel?: string;
  /** The endpoint, when it is plain HTTP (so a 400 InvalidRequest means "SSE-C needs TLS"). */
  readonly insecureEndpoint?: string;
}

/**
 * Maps an error from an SSE-C request to the typed error it means, or returns it unchanged when it
 * is not specific to SSE-C (throttling, 5xx, network, other 4xx). Typed errors pass through unchanged.
 */
export function mapSseCError(err: unknown, ctx: SseCErrorContext): unknown {
  if (err instanceof S3EncryptionError) return err;
  const status = httpStatusOf(err);
  if (status === undefined) return err;
  const code = errorCodeOf(err) ?? '';
  const message = errorMessageOf(err);

  if (status === 404) return new S3ObjectNotFoundError(ctx.object, err, code === 'NoSuchBucket');
  if (status === 412) return new ObjectChangedError(ctx.object, err);
  if (status === 400 && code === 'InvalidRequest' && ctx.insecureEndpoint) {
    return new InsecureEndpointError(ctx.insecureEndpoint, 'the server refuses SSE-C over plain HTTP');
  }

  const reads = ctx.kind === 'read' || ctx.kind === 'copy';
  if (reads && status === 400) {
    if (/not applicable/i.test(message)) return new SseCNotApplicableError(ctx.object, err);
    if (!ctx.readKeySent) return new SseCKeyRequiredError(ctx.object, err);
    // radosgw: InvalidArgument "...MD5 hash of the key did not match..."; HEAD: 400 without a body
    if (code === 'InvalidArgument' || !hasBody(err)) return new SseCWrongKeyError(ctx.object, ctx.readKeyLabel, err);
  }
  if (ctx.kind === 'read' && status === 403 && ctx.readKeySent) {
    // AWS answers a key mismatch with 403; so does a missing s3:GetObject permission, hence the note
    return new SseCWrongKeyError(ctx.object, ctx.readKeyLabel, err, 'S3 answered 403; if the key is right, check s3:GetObject permissions');
  }
  if ((ctx.kind === 'write' || ctx.kind === 'copy') && status === 403 && code === 'AccessDenied') {
    return new SseCBlockedError(ctx.object, err);
  }
  return err;
}

function hasBody(err: unknown): boolean {
  // the SDK names body-less 4xx errors after the status ("Unknown", "BadRequest", "NotFound", "Forbidden")
  return (err as { Code?: string }).Code !== undefined;
}
