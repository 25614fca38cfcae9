/** The public parameter and result types of `SseCObjectClient`. */
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ObjectAttributes } from '../s3/attributes';
import type { TransferProgress } from '../s3/progress';
import type { SseCKey } from './sse-c-key';

export type { ObjectAttributes } from '../s3/attributes';
export type { TransferProgress } from '../s3/progress';

/**
 * How `copy` and `rekey` move bytes.
 * - `auto`: server-side copy (CopyObject / UploadPartCopy); if the server cannot copy from an SSE-C
 *   source (radosgw answers 501), a streamed get-and-put, remembered for the client's lifetime.
 * - `server-side`: only server-side copy.
 * - `streamed`: only get-and-put through this process.
 */
export type SseCCopyStrategy = 'auto' | 'server-side' | 'streamed';

/** Options of `SseCObjectClient`. */
export interface SseCObjectClientOptions {
  /** The S3 client to send requests with, e.g. from `createS3Client`. */
  readonly client: S3Client;
  /**
   * Allow a client whose endpoint is plain `http://`. SSE-C keys travel in request headers, so this is
   * only for tests against a local server; S3 itself refuses SSE-C over HTTP.
   * @default false
   */
  readonly allowInsecureHttp?: boolean;
  /**
   * Multipart part size in bytes for uploads (at least 5 MiB). Bodies up to one part go in one PutObject.
   * Raised automatically when a known length would need more than 10,000 parts; a stream of unknown length
   * can be at most 10,000 parts (58.6 GiB at 6 MiB), so raise it for larger streams.
   * @default 6 MiB
   */
  readonly partSize?: number;
  /**
   * Parts uploaded in parallel. A streamed upload holds about `(queueSize + 1) * partSize` of plaintext plus
   * the TLS layer's ciphertext of the parts in flight; with the defaults a 1 GiB upload peaks below 200 MB RSS
   * (see BENCHMARKS.md). Raise it for more throughput to AWS, at the cost of memory.
   * @default 3
   */
  readonly queueSize?: number;
  /**
   * How `copy` and `rekey` move bytes.
   * @default 'auto'
   */
  readonly copyStrategy?: SseCCopyStrategy;
  /**
   * Part size for server-side copies of objects over 5 GiB, from 5 MiB to 5 GiB (S3's part size limits).
   * @default 512 MiB
   */
  readonly copyPartSize?: number;
}

/** Parameters of `SseCObjectClient.put`. */
export interface SseCPutParams extends ObjectAttributes {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /** The content: bytes, a string (UTF-8), or a stream (read once, in constant memory). */
  readonly body: Readable | Uint8Array | string;
  /** The SSE-C key to encrypt with. */
  readonly sseKey: SseCKey;
  /**
   * Exact length of a stream body; lets the upload pick a part size and fail if the stream is shorter or longer.
   * @default - unknown (streams), the byte length (bytes and strings)
   */
  readonly contentLength?: number;
  /** Object tags as a URL query string, e.g. `team=a&tier=1`. @default - none */
  readonly tagging?: string;
  /** Write only if the current object has this ETag (conditional write). @default - unconditional */
  readonly ifMatch?: string;
  /** `*`: write only if no object exists under the key. @default - unconditional */
  readonly ifNoneMatch?: string;
  /** Called as bytes are uploaded. @default - none */
  readonly onProgress?: (progress: TransferProgress) => void;
  /** Cancels the upload; a multipart upload is aborted on S3, nothing is written. @default - none */
  readonly abortSignal?: AbortSignal;
}

/** Result of a write. */
export interface SseCWriteResult {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /** ETag of the new object (not an MD5 of the content for SSE-C objects). */
  readonly etag?: string;
  /** Version id, in versioned buckets. */
  readonly versionId?: string;
  /** Bytes written. */
  readonly size: number;
}

/** Parameters of `SseCObjectClient.get` and `SseCObjectClient.head`. */
export interface SseCReadParams {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /**
   * The SSE-C key the object was written with.
   * @default - none: reading an SSE-C object then fails with `SseCKeyRequiredError`
   */
  readonly sseKey?: SseCKey;
  /** Version to read. @default - the current version */
  readonly versionId?: string;
  /** Read only if the object has this ETag. @default - unconditional */
  readonly ifMatch?: string;
}

/** Parameters of `SseCObjectClient.get`. */
export interface SseCGetParams extends SseCReadParams {
  /** HTTP range, e.g. `bytes=0-1023`. @default - the whole object */
  readonly range?: string;
  /** Cancels the download. @default - none */
  readonly abortSignal?: AbortSignal;
}

/** What S3 reports about an object. */
export interface SseCObjectInfo extends ObjectAttributes {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /** Version id, in versioned buckets. */
  readonly versionId?: string;
  /** ETag. */
  readonly etag?: string;
  /** Size in bytes (of the range, for ranged reads). */
  readonly contentLength: number;
  /** Last modification time. */
  readonly lastModified?: Date;
  /** Storage class, when not STANDARD. */
  readonly storageClass?: string;
  /** Base64 MD5 of the SSE-C key, as S3 echoes it; absent for objects that are not SSE-C. */
  readonly sseCKeyMd5?: string;
  /** Number of tags, when S3 reports it. */
  readonly tagCount?: number;
}

/** Result of `SseCObjectClient.get`. */
export interface SseCGetResult extends SseCObjectInfo {
  /** The plaintext. Fails with `IncompleteBodyError` if the connection ends early. Consume or destroy it. */
  readonly body: Readable;
  /** `Content-Range`, for ranged reads. */
  readonly contentRange?: string;
}

/** An object and the SSE-C key it is (or will be) encrypted with. */
export interface SseCObjectLocation {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /** The SSE-C key. */
  readonly sseKey: SseCKey;
  /** Version (sources only). @default - the current version */
  readonly versionId?: string;
}

/** Parameters of `SseCObjectClient.copy`. */
export interface SseCCopyParams {
  /** What to copy, and the key it is encrypted with. */
  readonly source: SseCObjectLocation;
  /** Where to, and the key to encrypt the copy with. */
  readonly destination: SseCObjectLocation;
  /** Write only if the destination currently has this ETag. @default - unconditional */
  readonly ifMatch?: string;
  /** How to move the bytes. @default - the client's `copyStrategy` */
  readonly strategy?: SseCCopyStrategy;
}

/** How a copy or re-key moved the bytes. */
export type SseCCopyMethod = 'server-side' | 'streamed';

/** Result of `SseCObjectClient.copy`. */
export interface SseCCopyResult extends SseCWriteResult {
  /** How the bytes were moved. */
  readonly method: SseCCopyMethod;
}

/** Parameters of `SseCObjectClient.rekey`. */
export interface SseCRekeyParams {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /** The key the object is encrypted with now. */
  readonly from: SseCKey;
  /** The key to re-encrypt it with. */
  readonly to: SseCKey;
  /**
   * The version the caller expects to be current (e.g. from an inventory). If another version is
   * current, re-keying fails with `NoncurrentVersionError` rather than resurrecting old content.
   * @default - whatever version is current
   */
  readonly expectedVersionId?: string;
  /** How to move the bytes. @default - the client's `copyStrategy` */
  readonly strategy?: SseCCopyStrategy;
}

/** Result of `SseCObjectClient.rekey`. */
export interface SseCRekeyResult {
  /** `rekeyed`, or `already-current` when the object was already encrypted with `to` (idempotent retries). */
  readonly outcome: 'rekeyed' | 'already-current';
  /** How the bytes were moved (only when re-keyed). */
  readonly method?: SseCCopyMethod;
  /** Version id of the re-keyed object (versioned buckets). */
  readonly versionId?: string;
  /** Version id that was re-keyed (versioned buckets; it stays as a noncurrent version under the old key). */
  readonly previousVersionId?: string;
  /** Size in bytes. */
  readonly size?: number;
}
