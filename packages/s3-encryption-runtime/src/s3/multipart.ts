/**
 * Multipart uploads: S3's part limits, aborting, and an uploader for parts whose boundaries the caller
 * decides (client-side encryption). Bodies that S3 may cut anywhere go through `@aws-sdk/lib-storage`
 * (`upload.ts`).
 */
import {
  AbortMultipartUploadCommand,
  ChecksumAlgorithm,
  CompleteMultipartUploadCommand,
  type CompletedPart,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandInput,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { S3EncryptionError } from '../errors';
import { httpStatusOf } from './errors';

const MiB = 1024 * 1024;

/** S3's limit on parts per multipart upload. */
export const MAX_MULTIPART_PARTS = 10_000;
/** S3's minimum size of every part but the last. */
export const MIN_PART_SIZE = 5 * MiB;

/** `configured`, raised in whole MiB when `size` (if known) would need more than 10,000 parts. */
export function partSizeFor(size: number | undefined, configured: number): number {
  return size === undefined ? configured : Math.max(configured, Math.ceil(size / MAX_MULTIPART_PARTS / MiB) * MiB);
}

/**
 * Aborts a multipart upload; never throws. Resolves to true if S3 confirmed it (or the upload was already
 * gone: 404 NoSuchUpload). When the abort fails and `original` (the error that made us abort) is an Error
 * without a cause, the abort's error becomes its cause.
 */
export async function abortQuietly(s3: S3Client, ref: { bucket: string; key: string }, uploadId: string, original?: unknown): Promise<boolean> {
  try {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: ref.bucket, Key: ref.key, UploadId: uploadId }));
    return true;
  } catch (abortErr) {
    if (original instanceof Error && original.cause === undefined) original.cause = abortErr;
    return httpStatusOf(abortErr) === 404;
  }
}

/** A part ready to upload: its number, its final bytes, and whether it is the last one. */
export interface PreparedPart {
  /** 1-based part number; parts come in order. */
  readonly partNumber: number;
  /** The bytes to upload. A Buffer, so an SDK retry re-sends exactly these bytes. */
  readonly body: Buffer;
  /** True for the final part; exactly one part is last. */
  readonly isLast: boolean;
}

/** What {@link uploadParts} needs. */
export interface PartsUpload<P extends PreparedPart> {
  /** Sends the requests. */
  readonly s3: S3Client;
  /** CreateMultipartUpload parameters: bucket, key, metadata and the object's attributes. */
  readonly create: CreateMultipartUploadCommandInput & { readonly Bucket: string; readonly Key: string };
  /** The first part, already read (it is not the last one, or a single PUT would have been used). */
  readonly first: P;
  /** The remaining parts, in order. */
  readonly rest: AsyncIterator<P>;
  /** Parts uploaded at once; the next part is read only when one finished. */
  readonly queueSize: number;
  /** What producing a part involves, for failure messages: `reading and encrypting` gives "while reading and encrypting part 3". @default 'reading' */
  readonly producing?: string;
  /** Checks a part before it is sent (e.g. a format's rule on part sizes); throw to fail the upload. */
  readonly checkPart?: (part: P) => void;
  /** Called after each part was stored. */
  readonly onPartUploaded?: (part: P) => void;
  /** Stops the upload (the caller then aborts it). */
  readonly abortSignal?: AbortSignal;
  /** Reports the upload id as soon as it exists, so the caller can name and abort it. */
  readonly onCreated?: (uploadId: string) => void;
}

/** Result of a completed multipart upload. */
export interface PartsUploadResult {
  /** The multipart upload id. */
  readonly uploadId: string;
  /** ETag of the object. */
  readonly etag?: string;
  /** Version id, in versioned buckets. */
  readonly versionId?: string;
  /** Number of parts. */
  readonly parts: number;
  /** Bytes stored. */
  readonly storedBytes: number;
}

/** A failed multipart upload: which stage failed (`uploading part 3`, `completing the multipart upload`, ...) and why. */
export class MultipartUploadFailure extends Error {
  constructor(public readonly stage: string, public readonly error: unknown) {
    super(`the multipart upload failed while ${stage}`, { cause: error });
    this.name = 'MultipartUploadFailure';
  }
}

/**
 * Uploads parts that the caller has cut (and, for client-side encryption, encrypted) as one multipart upload.
 * Not lib-storage's Upload: it cuts equal parts itself, and the S3EC layout's last part is the rest plus the GCM tag.
 *
 * - With `requestChecksumCalculation: WHEN_SUPPORTED` (AWS) the upload declares CRC32 and Complete carries
 *   each part's checksum, as lib-storage does; with WHEN_REQUIRED (S3-compatible servers) neither.
 * - A part is retried only by the SDK, re-sending its Buffer; it is never produced twice.
 * - On any failure (a part, the part source, Complete, the abort signal) no further part is started, the
 *   parts in flight settle, and a MultipartUploadFailure naming the stage is thrown; the caller aborts the
 *   upload (`abortQuietly`) once it has cleaned up its side.
 */
export async function uploadParts<P extends PreparedPart>(u: PartsUpload<P>): Promise<PartsUploadResult> {
  const { s3 } = u;
  const checksums = (await s3.config.requestChecksumCalculation?.()) === 'WHEN_SUPPORTED';
  let uploadId: string;
  try {
    const created = await s3.send(
      new CreateMultipartUploadCommand({ ...u.create, ...(checksums ? { ChecksumAlgorithm: u.create.ChecksumAlgorithm ?? ChecksumAlgorithm.CRC32 } : {}) }),
      { abortSignal: u.abortSignal },
    );
    if (!created.UploadId) throw new Error('S3 returned no UploadId for CreateMultipartUpload');
    uploadId = created.UploadId;
  } catch (err) {
    throw new MultipartUploadFailure('creating the multipart upload', err);
  }
  u.onCreated?.(uploadId);

  const completed: CompletedPart[] = [];
  const inflight = new Set<Promise<void>>();
  let failure: MultipartUploadFailure | undefined;
  let expectedPartNumber = 1;
  let sawLast = false;
  let storedBytes = 0;

  const start = (part: P): void => {
    if (part.partNumber !== expectedPartNumber++) {
      throw new S3EncryptionError('InvalidParts', `Parts must be uploaded in order; got part ${part.partNumber}, expected ${expectedPartNumber - 1}.`);
    }
    if (sawLast) throw new S3EncryptionError('InvalidParts', `Part ${part.partNumber} follows the part flagged last.`);
    if (part.partNumber > MAX_MULTIPART_PARTS) {
      throw new S3EncryptionError('InvalidParts', `The upload needs more than ${MAX_MULTIPART_PARTS} parts; use a larger partSize.`);
    }
    u.checkPart?.(part);
    sawLast = part.isLast;
    storedBytes += part.body.length;
    const sending = Promise.resolve()
      .then(() => s3.send(
        new UploadPartCommand({ Bucket: u.create.Bucket, Key: u.create.Key, UploadId: uploadId, PartNumber: part.partNumber, Body: part.body, ContentLength: part.body.length }),
        { abortSignal: u.abortSignal },
      ))
      .then((out) => {
        if (!out.ETag) throw new Error('S3 returned no ETag for the part');
        completed.push({
          PartNumber: part.partNumber,
          ETag: out.ETag,
          ...(out.ChecksumCRC32 ? { ChecksumCRC32: out.ChecksumCRC32 } : {}),
          ...(out.ChecksumCRC32C ? { ChecksumCRC32C: out.ChecksumCRC32C } : {}),
          ...(out.ChecksumSHA1 ? { ChecksumSHA1: out.ChecksumSHA1 } : {}),
          ...(out.ChecksumSHA256 ? { ChecksumSHA256: out.ChecksumSHA256 } : {}),
        });
        u.onPartUploaded?.(part);
      })
      .catch((error: unknown) => {
        failure ??= new MultipartUploadFailure(`uploading part ${part.partNumber}`, error);
      })
      .finally(() => inflight.delete(sending));
    inflight.add(sending);
  };

  const producing = u.producing ?? 'reading';
  let stage = `${producing} part 1`;
  try {
    start(u.first);
    while (!failure && !sawLast) {
      while (inflight.size >= u.queueSize && !failure) await Promise.race(inflight);
      if (failure) break;
      u.abortSignal?.throwIfAborted();
      stage = `${producing} part ${expectedPartNumber}`;
      const next = await u.rest.next();
      if (next.done) break;
      start(next.value);
    }
  } catch (err) {
    failure ??= new MultipartUploadFailure(stage, err);
  }
  await Promise.all(inflight);
  if (failure) throw failure;
  if (!sawLast) {
    throw new MultipartUploadFailure('completing', new S3EncryptionError('InvalidParts', 'The parts ended without one flagged last; the upload is not completed.'));
  }

  completed.sort((a, b) => a.PartNumber! - b.PartNumber!);
  try {
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: u.create.Bucket, Key: u.create.Key, UploadId: uploadId, MultipartUpload: { Parts: completed } }),
      { abortSignal: u.abortSignal },
    );
    return { uploadId, etag: done.ETag, versionId: done.VersionId, parts: completed.length, storedBytes };
  } catch (err) {
    throw new MultipartUploadFailure('completing the multipart upload', err);
  }
}
