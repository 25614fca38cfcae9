/**
 * Server-side copies shared by the SSE-C object client and the client-side key rotator: copy sources,
 * version comparison, the headers a metadata-replacing copy must restate, and multipart copies.
 */
import {
  CompleteMultipartUploadCommand,
  type CompleteMultipartUploadCommandInput,
  type CompleteMultipartUploadCommandOutput,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandInput,
  type HeadObjectCommandOutput,
  type S3Client,
  type ServerSideEncryption,
  type StorageClass,
  UploadPartCopyCommand,
  type UploadPartCopyCommandInput,
} from '@aws-sdk/client-s3';
import { withoutUndefined } from './attributes';
import { abortQuietly, partSizeFor } from './multipart';
import type { S3ObjectRef } from './object-ref';

const MiB = 1024 * 1024;

/** CopyObject's size limit; larger objects are copied part by part (UploadPartCopy). */
export const MAX_COPY_OBJECT_BYTES = 5 * 1024 * MiB;

/** The `CopySource` of an object: `bucket/key`, pinned to its version when it has one. */
export function copySource(src: S3ObjectRef): string {
  const key = encodeURIComponent(src.key).replace(/%2F/g, '/');
  return `${src.bucket}/${key}${src.versionId && src.versionId !== 'null' ? `?versionId=${encodeURIComponent(src.versionId)}` : ''}`;
}

/** True when two version ids name the same version; no version id, `''` and `'null'` all mean the null version. */
export function sameVersion(a: string | undefined, b: string | undefined): boolean {
  const norm = (v: string | undefined) => (v === undefined || v === '' || v === 'null' ? 'null' : v);
  return norm(a) === norm(b);
}

/**
 * The headers a CopyObject (or CreateMultipartUpload) with `MetadataDirective: REPLACE` must restate, or
 * S3 drops or resets them: content headers, expiry, redirect, storage class and the server-side encryption.
 *
 * SSE-S3 (`AES256`) is deliberately not restated. A copy without encryption headers gets the bucket's
 * default encryption (CopyObject, Amazon S3 API Reference), which is SSE-S3 or stronger on every bucket
 * since January 2023, so this never weakens the object; and a bucket whose policy allows only SSE-KMS
 * (EncryptedBucket) denies a copy that names `AES256`, which would make SSE-S3 objects, such as replicas,
 * impossible to rewrite there. SSE-KMS and DSSE-KMS are restated with their key, so they stay as they are.
 * SSE-C sources need their key and are not handled here.
 */
export function restatedHeaders(head: HeadObjectCommandOutput): {
  ContentType?: string;
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  Expires?: Date;
  WebsiteRedirectLocation?: string;
  StorageClass?: StorageClass;
  ServerSideEncryption?: ServerSideEncryption;
  SSEKMSKeyId?: string;
  BucketKeyEnabled?: boolean;
} {
  const kms = head.ServerSideEncryption === 'aws:kms' || head.ServerSideEncryption === 'aws:kms:dsse';
  return withoutUndefined({
    ContentType: head.ContentType,
    CacheControl: head.CacheControl,
    ContentDisposition: head.ContentDisposition,
    ContentEncoding: head.ContentEncoding,
    ContentLanguage: head.ContentLanguage,
    Expires: head.Expires,
    WebsiteRedirectLocation: head.WebsiteRedirectLocation,
    StorageClass: head.StorageClass && head.StorageClass !== 'STANDARD' ? (head.StorageClass as StorageClass) : undefined,
    ServerSideEncryption: kms ? head.ServerSideEncryption : undefined,
    SSEKMSKeyId: kms ? head.SSEKMSKeyId : undefined,
    BucketKeyEnabled: kms ? head.BucketKeyEnabled : undefined,
  });
}

/** What {@link multipartCopy} copies, where to, and how. */
export interface MultipartCopy {
  /** Sends the requests. */
  readonly s3: S3Client;
  /** The object to copy (pinned to `versionId` when set). */
  readonly source: S3ObjectRef;
  /** Every part is copied only if the source still has this ETag. */
  readonly sourceEtag?: string;
  /** Bytes to copy (the source's size). */
  readonly size: number;
  /** Where to. */
  readonly destination: { readonly bucket: string; readonly key: string };
  /** Further CreateMultipartUpload parameters: the new object's attributes, metadata, encryption. */
  readonly createParams?: Omit<CreateMultipartUploadCommandInput, 'Bucket' | 'Key'>;
  /** Further UploadPartCopy parameters (e.g. SSE-C headers). */
  readonly partParams?: Partial<UploadPartCopyCommandInput>;
  /** Further CompleteMultipartUpload parameters (e.g. IfMatch, SSE-C headers). */
  readonly completeParams?: Partial<CompleteMultipartUploadCommandInput>;
  /** Part size in bytes; raised when `size` would need more than 10,000 parts. */
  readonly partSize: number;
  /** Parts copied at once. */
  readonly concurrency: number;
  /** Runs once every part is copied, before CompleteMultipartUpload; throw to abort the copy. */
  readonly beforeComplete?: () => Promise<void>;
}

/**
 * Copies an object with CreateMultipartUpload, UploadPartCopy of every range (up to `concurrency` at once)
 * and CompleteMultipartUpload. On a failure no more parts are started, and the upload is aborted only once
 * the parts in flight have settled (a part that completes after AbortMultipartUpload would be left behind);
 * then the error is rethrown as it came from S3.
 */
export async function multipartCopy(c: MultipartCopy): Promise<CompleteMultipartUploadCommandOutput> {
  const { s3, destination: dst } = c;
  const partSize = partSizeFor(c.size, c.partSize);
  let uploadId: string | undefined;
  try {
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: dst.bucket, Key: dst.key, ...c.createParams }));
    uploadId = created.UploadId;
    const ranges: Array<{ part: number; start: number; end: number }> = [];
    for (let start = 0, part = 1; start < c.size; start += partSize, part++) ranges.push({ part, start, end: Math.min(start + partSize, c.size) - 1 });
    const parts: Array<{ PartNumber: number; ETag?: string }> = [];
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < ranges.length) {
        const r = ranges[next++];
        const out = await s3.send(
          new UploadPartCopyCommand({
            Bucket: dst.bucket,
            Key: dst.key,
            UploadId: uploadId,
            PartNumber: r.part,
            CopySource: copySource(c.source),
            CopySourceRange: `bytes=${r.start}-${r.end}`,
            CopySourceIfMatch: c.sourceEtag,
            ...c.partParams,
          }),
        );
        parts.push({ PartNumber: r.part, ETag: out.CopyPartResult?.ETag });
      }
    };
    const workers = Array.from({ length: Math.min(c.concurrency, ranges.length) }, () =>
      worker().catch((err: unknown) => {
        failed = true;
        throw err;
      }),
    );
    const rejected = (await Promise.allSettled(workers)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) throw rejected.reason;
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    await c.beforeComplete?.();
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: dst.bucket, Key: dst.key, UploadId: uploadId, MultipartUpload: { Parts: parts }, ...c.completeParams }),
    );
    uploadId = undefined;
    return done;
  } catch (err) {
    if (uploadId !== undefined) await abortQuietly(s3, dst, uploadId, err);
    throw err;
  }
}
