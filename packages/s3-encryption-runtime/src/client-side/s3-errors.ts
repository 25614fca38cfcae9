import { httpStatusOf, isBucketMissing, isNotFound, ObjectChangedError } from '../s3/errors';
import { type S3ObjectRef, truncate, where } from '../s3/object-ref';
import { ClientSideEncryptionError, RangedGetError } from './errors';

/** Where an S3 request went; never includes key material. */
export type EncryptedObjectRef = S3ObjectRef;

/** What happened to the instruction file of a failed put (instruction-file mode only). */
export type InstructionFileRollback =
  /** No instruction file was written before the failure. */
  | 'not-written'
  /** The instruction file written by the put was deleted again (there was none before). */
  | 'deleted'
  /** The instruction file the key had before the put was written back. */
  | 'restored'
  /** Undoing the instruction-file write failed: `<key>.instruction` now belongs to no object body. */
  | 'failed';

/**
 * An encrypted put failed after it started writing. AES-GCM encrypts the body as one stream, so a
 * failed part cannot be re-encrypted and resumed: the multipart upload was aborted (no orphan parts
 * remain unless `aborted` is false) and the put must be started again from the beginning.
 * Parts are still retried by the SDK with the same ciphertext bytes, which is safe.
 */
export class EncryptedUploadError extends ClientSideEncryptionError {
  /** The object that was being written. */
  public readonly object: EncryptedObjectRef;
  /** Multipart upload id, when a multipart upload had been created. */
  public readonly uploadId?: string;
  /** True when nothing of the upload is left on S3 (single PUT, or AbortMultipartUpload succeeded). */
  public readonly aborted: boolean;
  /** What happened to the instruction file (instruction-file mode). */
  public readonly instructionFile: InstructionFileRollback;

  constructor(
    object: EncryptedObjectRef,
    detail: { stage: string; uploadId?: string; aborted: boolean; instructionFile: InstructionFileRollback; cause: unknown },
  ) {
    const cause = detail.cause as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
    const status = cause?.$metadata?.httpStatusCode;
    const reason = `${cause?.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${truncate(cause?.message ?? String(detail.cause), 300)}`;
    const leftovers = detail.uploadId === undefined
      ? ''
      : detail.aborted
        ? ' The multipart upload was aborted; no parts are left behind.'
        : ` Aborting multipart upload ${detail.uploadId} failed too: abort it (or let the bucket's AbortIncompleteMultipartUpload lifecycle rule remove it).`;
    const file = {
      'not-written': '',
      deleted: ' The instruction file this put had written was deleted again.',
      restored: ' The previous instruction file was restored, so the object that was there before is readable again.',
      failed: ` Undoing the instruction-file write FAILED: ${where(object)}.instruction no longer matches the object body; re-run the put.`,
    }[detail.instructionFile];
    super(
      'EncryptedUploadFailed',
      `The encrypted upload of ${where(object)} failed while ${detail.stage} (${reason}).${leftovers}${file} ` +
        'Client-side encryption is one AES-GCM stream that cannot resume mid-way: retry the whole put.',
      { cause: detail.cause },
    );
    this.object = object;
    if (detail.uploadId !== undefined) this.uploadId = detail.uploadId;
    this.aborted = detail.aborted;
    this.instructionFile = detail.instructionFile;
  }
}

/** The object (or its bucket) does not exist. */
export class EncryptedObjectNotFoundError extends ClientSideEncryptionError {
  /** The object that was requested. */
  public readonly object: EncryptedObjectRef;

  constructor(object: EncryptedObjectRef, options: { cause?: unknown; bucketMissing?: boolean } = {}) {
    super(
      options.bucketMissing ? 'NoSuchBucket' : 'NoSuchKey',
      options.bucketMissing ? `Bucket ${object.bucket} does not exist (or is not visible to you).` : `${where(object)} does not exist.`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.object = object;
  }
}

/** A request parameter of the S3 encryption client is invalid (for example user metadata that uses an S3EC key). */
export class EncryptedObjectParameterError extends ClientSideEncryptionError {
  constructor(detail: string) {
    super('InvalidParameter', detail);
  }
}

/** 404 → EncryptedObjectNotFoundError, 412 → ObjectChangedError; any other error unchanged. */
export function mapObjectError(err: unknown, ref: EncryptedObjectRef, changedDetail?: string): unknown {
  if (isNotFound(err)) return new EncryptedObjectNotFoundError(ref, { cause: err, bucketMissing: isBucketMissing(err) });
  if (httpStatusOf(err) === 412) return new ObjectChangedError(ref, err, changedDetail);
  return err;
}

/** A failed GET: 404 → EncryptedObjectNotFoundError, 412 → ObjectChangedError, 416 → RangedGetError; others unchanged. */
export function mapReadError(err: unknown, ref: EncryptedObjectRef): unknown {
  if (httpStatusOf(err) === 416) return new RangedGetError(`The range starts beyond the end of s3://${ref.bucket}/${ref.key}.`);
  return mapObjectError(err, ref, 'its ETag no longer matches ifMatch');
}
