import { pipeline, Readable } from 'node:stream';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { attributeParams, withoutUndefined } from '../s3/attributes';
import { LengthCheckStream } from '../s3/length-check-stream';
import { abortQuietly, MultipartUploadFailure, partSizeFor, uploadParts } from '../s3/multipart';
import { putObjectTags, parseTagging } from '../s3/tagging';
import type { ClientSideEncryption } from './client-side-encryption';
import { ClientSideUsageError } from './errors';
import { type InstructionFileRollback, EncryptedObjectParameterError, type EncryptedObjectRef, EncryptedUploadError } from './s3-errors';
import type { PutEncryptedObjectParams, PutEncryptedObjectResult } from './s3-encryption-types';
import { undoInstructionFile, writeInstructionFile, type WrittenInstructionFile } from './instruction-file-store';
import type { EncryptedPart } from './streams/encrypted-parts';
import { assertMetadataFits, assertUserMetadata } from './user-metadata';

/** Part size and parallelism of encrypted uploads (validated by `S3EncryptionClient`). */
export interface EncryptedPutSettings {
  /** Plaintext bytes per part (a multiple of 16, at least 5 MiB). */
  readonly partSize: number;
  /** Parts uploaded at once. */
  readonly queueSize: number;
}

/**
 * Encrypted puts: the object's data key and metadata first, then the body as one AES-GCM stream, in one
 * PutObject when it fits one part, else in a multipart upload whose parts follow the S3 Encryption Client's
 * rules (metadata on CreateMultipartUpload, equal 16-byte-aligned parts in order, the tag in the last part).
 * Instruction files are written before the object and undone if the object write fails.
 */
export class EncryptedPutPipeline {
  constructor(
    private readonly s3: S3Client,
    private readonly encryption: ClientSideEncryption,
    private readonly settings: EncryptedPutSettings,
  ) {}

  /** `S3EncryptionClient.putObject`, once the endpoint was checked. */
  public async put(params: PutEncryptedObjectParams): Promise<PutEncryptedObjectResult> {
    const ref = { bucket: params.bucket, key: params.key };
    assertUserMetadata(params.metadata);
    const known = params.contentLength ?? byteLengthOf(params.body);
    if (known !== undefined && (!Number.isSafeInteger(known) || known < 0)) throw new EncryptedObjectParameterError(`contentLength must be a non-negative integer; got ${params.contentLength}.`);
    const strategy = params.metadataStrategy ?? this.encryption.metadataStrategy;
    const encryptor = await this.encryption.createEncryptor({ encryptionContext: params.encryptionContext, metadataStrategy: strategy });
    const metadata = { ...(params.metadata ?? {}), ...encryptor.metadata };
    assertMetadataFits(metadata);

    const partSize = partSizeFor(known, this.settings.partSize);
    const source = plaintextSource(params, ref);
    const parts = encryptor.encryptParts(source, partSize);
    const objectParams = withoutUndefined({ Bucket: ref.bucket, Key: ref.key, ...attributeParams({ ...params, metadata }), Tagging: params.tagging });

    let instruction: WrittenInstructionFile | undefined;
    let uploadId: string | undefined;
    let stage = 'writing the instruction file';
    try {
      if (encryptor.instructionFile !== undefined) instruction = await writeInstructionFile(this.s3, ref, encryptor.instructionFile, params.abortSignal);
      stage = 'reading and encrypting part 1';
      const first = await parts.next();
      if (first.done) throw new Error('the encryptor produced no parts'); // encryptParts always yields the last part
      let result: { etag?: string; versionId?: string; parts: number; storedBytes: number; size: number };
      if (first.value.isLast) {
        stage = 'uploading the object';
        const part = first.value;
        const out = await this.s3.send(new PutObjectCommand({ ...objectParams, Body: part.body, ContentLength: part.body.length }), { abortSignal: params.abortSignal });
        params.onProgress?.({ loaded: part.plaintextLength, total: part.plaintextLength });
        result = { etag: out.ETag, versionId: out.VersionId, parts: 1, storedBytes: part.body.length, size: part.plaintextLength };
      } else {
        let uploadedPlaintext = 0;
        const done = await uploadParts<EncryptedPart>({
          s3: this.s3,
          create: objectParams,
          first: first.value,
          rest: parts,
          queueSize: this.settings.queueSize,
          producing: 'reading and encrypting',
          checkPart: (part) => {
            if (!part.isLast && part.plaintextLength % 16 !== 0) {
              throw new ClientSideUsageError(`Part ${part.partNumber} carries ${part.plaintextLength} plaintext bytes; every part but the last must carry a multiple of 16.`);
            }
          },
          onPartUploaded: (part) => {
            uploadedPlaintext += part.plaintextLength;
            params.onProgress?.({ loaded: uploadedPlaintext, ...(known !== undefined ? { total: known } : {}) });
          },
          abortSignal: params.abortSignal,
          onCreated: (id) => (uploadId = id),
        });
        uploadId = undefined; // completed: nothing to abort
        result = { etag: done.etag, versionId: done.versionId, parts: done.parts, storedBytes: done.storedBytes, size: uploadedPlaintext };
        if (params.tagging) {
          // radosgw ignores Tagging on CreateMultipartUpload; setting the tags again is harmless on AWS
          stage = 'tagging the object';
          await putObjectTags(this.s3, { ...ref, versionId: done.versionId }, parseTagging(params.tagging));
        }
      }
      return {
        ...ref,
        ...(result.etag ? { etag: result.etag } : {}),
        ...(result.versionId ? { versionId: result.versionId } : {}),
        size: result.size,
        storedSize: result.storedBytes,
        parts: result.parts,
        formatVersion: encryptor.contentMetadata.formatVersion as 2 | 3,
        metadataStrategy: strategy,
        ...(instruction ? { instructionFile: instruction.written } : {}),
      };
    } catch (err) {
      const failure = err instanceof MultipartUploadFailure ? err : new MultipartUploadFailure(stage, err);
      await parts.return(undefined).catch(() => undefined); // stop reading the source
      if (!source.destroyed) source.destroy();
      const aborted = uploadId === undefined ? true : await abortQuietly(this.s3, ref, uploadId);
      const rollback: InstructionFileRollback = instruction ? await undoInstructionFile(this.s3, instruction) : 'not-written';
      throw new EncryptedUploadError(ref, { stage: failure.stage, uploadId, aborted, instructionFile: rollback, cause: failure.error });
    }
  }
}

/** The plaintext as a Readable that enforces a declared length. */
function plaintextSource(params: PutEncryptedObjectParams, ref: EncryptedObjectRef): Readable {
  const body = params.body;
  const raw = body instanceof Readable
    ? body
    : typeof body === 'string'
      ? Readable.from([Buffer.from(body, 'utf8')], { objectMode: false })
      : body instanceof Uint8Array
        ? Readable.from([Buffer.from(body.buffer, body.byteOffset, body.byteLength)], { objectMode: false })
        : Readable.from(body, { objectMode: false });
  if (params.contentLength === undefined) return raw;
  const checked = new LengthCheckStream(
    params.contentLength,
    (n) => new EncryptedObjectParameterError(`The body of s3://${ref.bucket}/${ref.key} has ${n === params.contentLength ? 'a different number of' : n} bytes, not the declared contentLength ${params.contentLength}.`),
  );
  pipeline(raw, checked, () => undefined);
  return checked;
}

function byteLengthOf(body: PutEncryptedObjectParams['body']): number | undefined {
  if (typeof body === 'string') return Buffer.byteLength(body, 'utf8');
  if (body instanceof Uint8Array) return body.byteLength;
  return undefined;
}
