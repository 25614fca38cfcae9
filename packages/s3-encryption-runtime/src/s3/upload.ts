/**
 * Uploads of a body that S3 may cut anywhere (SSE-C, unencrypted): one PutObject for a small in-memory
 * body, otherwise `@aws-sdk/lib-storage`'s Upload (equal parts, `queueSize` in flight, aborted on failure),
 * with the body counted so a stream shorter or longer than its declared length fails instead of being stored.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { LengthCheckStream } from './length-check-stream';
import { partSizeFor } from './multipart';
import type { TransferProgress } from './progress';
import { parseTagging, putObjectTags } from './tagging';

/** What {@link uploadObject} writes, and how. */
export interface ObjectUpload {
  /** Sends the requests. */
  readonly s3: S3Client;
  /** PutObject / CreateMultipartUpload parameters besides the body: bucket, key, attributes, tagging, conditions, SSE-C headers. */
  readonly params: Omit<PutObjectCommandInput, 'Body' | 'ContentLength'> & { readonly Bucket: string; readonly Key: string };
  /** The content: bytes, a string (UTF-8), or a stream (read once). */
  readonly body: Readable | Uint8Array | string;
  /** Exact length of a stream body; the upload fails if the stream is shorter or longer. */
  readonly contentLength?: number;
  /** Part size; raised when a known length would need more than 10,000 parts. Bodies up to one part go in one PutObject. */
  readonly partSize: number;
  /** Parts uploaded at once. */
  readonly queueSize: number;
  /** Called as bytes are uploaded. */
  readonly onProgress?: (progress: TransferProgress) => void;
  /** Cancels the upload; a multipart upload is aborted. */
  readonly abortSignal?: AbortSignal;
  /** The error to fail with when the body's length differs from `contentLength`, given the bytes seen. */
  readonly lengthMismatch: (received: number) => Error;
}

/** What was written. */
export interface UploadedObject {
  /** ETag of the new object. */
  readonly etag?: string;
  /** Version id, in versioned buckets. */
  readonly versionId?: string;
  /** Bytes written. */
  readonly size: number;
}

/** Uploads one object; S3 errors are thrown as they came (the caller maps them), a length mismatch as `lengthMismatch` made it. */
export async function uploadObject(u: ObjectUpload): Promise<UploadedObject> {
  const known = u.contentLength ?? byteLengthOf(u.body);
  const partSize = partSizeFor(known, u.partSize);
  if (!(u.body instanceof Readable) && known !== undefined && known <= partSize) {
    // small in-memory body: one PutObject, without lib-storage's machinery
    const out = await u.s3.send(new PutObjectCommand({ ...u.params, Body: u.body, ContentLength: known }), { abortSignal: u.abortSignal });
    u.onProgress?.({ loaded: known, total: known });
    return { etag: out.ETag, versionId: out.VersionId, size: known };
  }
  let body: Readable | Uint8Array | string = u.body;
  let counter: LengthCheckStream | undefined;
  let mismatch: Error | undefined;
  if (u.body instanceof Readable || u.abortSignal) {
    // count (and enforce a declared length) so a short or long stream fails the upload instead of writing it
    const source = u.body instanceof Readable ? u.body : Readable.from([typeof u.body === 'string' ? Buffer.from(u.body) : u.body]);
    const checked = new LengthCheckStream(u.contentLength, (n) => (mismatch = u.lengthMismatch(n)));
    pipeline(source, checked, { signal: u.abortSignal }).catch((err: unknown) => checked.destroy(err instanceof Error ? err : new Error(String(err))));
    counter = checked;
    body = checked;
  }
  const upload = new Upload({ client: u.s3, partSize, queueSize: u.queueSize, leavePartsOnError: false, params: { ...u.params, Body: body, ContentLength: known } });
  if (u.onProgress) {
    const onProgress = u.onProgress;
    upload.on('httpUploadProgress', (p) => onProgress({ loaded: p.loaded ?? 0, ...(p.total !== undefined ? { total: p.total } : {}) }));
  }
  let out;
  try {
    out = await upload.done();
  } catch (err) {
    counter?.destroy(); // the upload stopped reading: release the source (file, socket)
    throw mismatch ?? err; // a body of the wrong length says more than the upload's error
  }
  const size = counter ? counter.bytes : (known ?? 0);
  if (u.params.Tagging && size > partSize) {
    // radosgw ignores Tagging on CreateMultipartUpload; setting the tags again is harmless on AWS
    await putObjectTags(u.s3, { bucket: u.params.Bucket, key: u.params.Key, versionId: out.VersionId }, parseTagging(u.params.Tagging));
  }
  return { etag: out.ETag || undefined, versionId: out.VersionId, size };
}

function byteLengthOf(body: Readable | Uint8Array | string): number | undefined {
  if (typeof body === 'string') return Buffer.byteLength(body);
  return body instanceof Uint8Array ? body.byteLength : undefined;
}
