import {
  ChecksumAlgorithm,
  CompleteMultipartUploadCommand,
  type CompletedPart,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandInput,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { MAX_MULTIPART_PARTS } from '../s3-copy';
import { ClientSideUsageError } from './errors';
import type { EncryptedPart } from './streams/encrypted-parts';

/** What {@link uploadEncryptedParts} needs. */
export interface EncryptedPartsUpload {
  /** Sends the requests. */
  readonly s3: S3Client;
  /** CreateMultipartUpload parameters: bucket, key, the encryption metadata and the object's attributes. */
  readonly create: CreateMultipartUploadCommandInput;
  /** The first part, already read (it is not the last one, or a single PUT would have been used). */
  readonly first: EncryptedPart;
  /** The remaining parts, produced in order by `ObjectEncryptor.encryptParts`. */
  readonly rest: AsyncIterator<EncryptedPart>;
  /** Parts uploaded at once; memory is about `(queueSize + 1) × partSize`. */
  readonly queueSize: number;
  /** Called with the plaintext bytes uploaded so far. */
  readonly onProgress?: (plaintextBytes: number) => void;
  /** Stops the upload (then aborted). */
  readonly abortSignal?: AbortSignal;
  /** Reports the upload id as soon as it exists, so the caller can name it in errors. */
  readonly onCreated?: (uploadId: string) => void;
}

/** Result of a completed multipart upload. */
export interface EncryptedPartsUploadResult {
  /** The multipart upload id. */
  readonly uploadId: string;
  /** ETag of the object. */
  readonly etag?: string;
  /** Version id, in versioned buckets. */
  readonly versionId?: string;
  /** Number of parts. */
  readonly parts: number;
  /** Plaintext bytes uploaded. */
  readonly plaintextBytes: number;
  /** Stored bytes (ciphertext plus tag). */
  readonly storedBytes: number;
}

/**
 * Uploads the parts of one AES-GCM stream as an S3 multipart upload, following the S3 Encryption
 * Client's multipart rules:
 * - the metadata goes on CreateMultipartUpload;
 * - parts are numbered in stream order, every part but the last carries a multiple of 16 plaintext bytes,
 *   exactly one part is flagged last (it carries the tag), and CompleteMultipartUpload is sent only after it;
 * - a part is retried only by re-sending its already-encrypted bytes (the SDK's retries on a Buffer body),
 *   never by encrypting again: the cipher state has moved on;
 * - on any failure (a part, the source stream, Complete, the abort signal) no more parts are started and
 *   the error is rethrown; the caller aborts the upload (`abortQuietly`).
 * Up to `queueSize` parts are in flight; the next part is encrypted only when one finished.
 */
export async function uploadEncryptedParts(u: EncryptedPartsUpload): Promise<EncryptedPartsUploadResult> {
  const { s3 } = u;
  const checksums = (await s3.config.requestChecksumCalculation?.()) === 'WHEN_SUPPORTED';
  let uploadId: string | undefined;
  try {
    const created = await s3.send(
      new CreateMultipartUploadCommand({ ...u.create, ...(checksums ? { ChecksumAlgorithm: u.create.ChecksumAlgorithm ?? ChecksumAlgorithm.CRC32 } : {}) }),
      { abortSignal: u.abortSignal },
    );
    uploadId = created.UploadId;
    if (!uploadId) throw new Error('S3 returned no UploadId for CreateMultipartUpload');
  } catch (err) {
    throw new MultipartUploadFailure('creating the multipart upload', err);
  }
  u.onCreated?.(uploadId);

  const completed: CompletedPart[] = [];
  const inflight = new Set<Promise<void>>();
  let failure: MultipartUploadFailure | undefined;
  let expectedPartNumber = 1;
  let sawLast = false;
  let plaintextBytes = 0;
  let storedBytes = 0;
  let uploadedPlaintext = 0;

  const start = (part: EncryptedPart): void => {
    if (part.partNumber !== expectedPartNumber++) {
      throw new ClientSideUsageError(`Encrypted parts must be uploaded in stream order; got part ${part.partNumber}, expected ${expectedPartNumber - 1}.`);
    }
    if (sawLast) throw new ClientSideUsageError(`Part ${part.partNumber} follows the part flagged last; a GCM stream has exactly one last part.`);
    if (!part.isLast && part.plaintextLength % 16 !== 0) {
      throw new ClientSideUsageError(`Part ${part.partNumber} carries ${part.plaintextLength} plaintext bytes; every part but the last must carry a multiple of 16.`);
    }
    if (part.partNumber > MAX_MULTIPART_PARTS) {
      throw new ClientSideUsageError(`The upload needs more than ${MAX_MULTIPART_PARTS} parts; use a larger partSize.`);
    }
    sawLast = part.isLast;
    plaintextBytes += part.plaintextLength;
    storedBytes += part.body.length;
    const sending = Promise.resolve()
      .then(() => s3.send(
        new UploadPartCommand({
          Bucket: u.create.Bucket,
          Key: u.create.Key,
          UploadId: uploadId,
          PartNumber: part.partNumber,
          Body: part.body, // a Buffer: an SDK retry re-sends these exact ciphertext bytes
          ContentLength: part.body.length,
        }),
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
        uploadedPlaintext += part.plaintextLength;
        u.onProgress?.(uploadedPlaintext);
      })
      .catch((error: unknown) => {
        failure ??= new MultipartUploadFailure(`uploading part ${part.partNumber}`, error);
      })
      .finally(() => inflight.delete(sending));
    inflight.add(sending);
  };

  let stage = 'encrypting part 1';
  try {
    start(u.first);
    while (!failure && !sawLast) {
      while (inflight.size >= u.queueSize && !failure) await Promise.race(inflight);
      if (failure) break;
      if (u.abortSignal?.aborted) throw u.abortSignal.reason ?? Object.assign(new Error('The upload was aborted.'), { name: 'AbortError' });
      stage = `reading and encrypting part ${expectedPartNumber}`;
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
    throw new MultipartUploadFailure('completing', new ClientSideUsageError('The encrypted stream ended without a part flagged last (the part carrying the GCM tag); the upload is not completed.'));
  }

  completed.sort((a, b) => a.PartNumber! - b.PartNumber!);
  let done;
  try {
    done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: u.create.Bucket, Key: u.create.Key, UploadId: uploadId, MultipartUpload: { Parts: completed } }),
      { abortSignal: u.abortSignal },
    );
  } catch (err) {
    throw new MultipartUploadFailure('completing the multipart upload', err);
  }
  return { uploadId, etag: done.ETag, versionId: done.VersionId, parts: completed.length, plaintextBytes, storedBytes };
}

/**
 * @internal A failed multipart upload: which stage failed and why. The S3 encryption client turns it
 * into an EncryptedUploadError after aborting the upload.
 */
export class MultipartUploadFailure {
  constructor(public readonly stage: string, public readonly error: unknown) {}
}
