/**
 * Instruction files on S3 (`<key>.instruction`): reading one (bounded), writing one before its object and
 * undoing that write, and replacing one only while it is the version read (key rotation).
 */
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, type GetObjectCommandOutput, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type ConditionalWrites } from '../s3/conditional-write';
import { isNotFound, ObjectChangedError } from '../s3/errors';
import { MalformedMetadataError } from './errors';
import { instructionFileKey } from './instruction-file';
import { MAX_INSTRUCTION_FILE_BYTES } from './metadata/decode-metadata';
import { MetadataKeys } from './metadata/metadata-keys';
import { type EncryptedObjectRef, type InstructionFileRollback, mapObjectError } from './s3-errors';

/** An instruction file a put wrote, and the one it replaced (to put back if the object write fails). */
export interface WrittenInstructionFile {
  /** Bucket name. */
  readonly bucket: string;
  /** The previous instruction file's body, if there was one. */
  readonly previous?: Buffer;
  /** What was written. */
  readonly written: { readonly key: string; readonly etag?: string; readonly versionId?: string };
}

/** An instruction file's body and ETag, or undefined if it does not exist. Larger than any instruction file: MalformedMetadataError. */
export async function readInstructionFile(s3: S3Client, ref: EncryptedObjectRef, abortSignal?: AbortSignal): Promise<{ body: Buffer; etag?: string } | undefined> {
  let out: GetObjectCommandOutput;
  try {
    out = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }), { abortSignal });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw mapObjectError(err, ref);
  }
  if ((out.ContentLength ?? 0) > MAX_INSTRUCTION_FILE_BYTES) {
    (out.Body as Readable | undefined)?.destroy();
    throw new MalformedMetadataError(undefined, `the instruction file s3://${ref.bucket}/${ref.key} is ${out.ContentLength} bytes; S3EC instruction files are small JSON objects.`);
  }
  return { body: Buffer.from(await out.Body!.transformToByteArray()), ...(out.ETag ? { etag: out.ETag } : {}) };
}

/**
 * Writes `<key>.instruction` (before the object, so no reader finds the new object without it). The
 * previous instruction file, if any, is read first so that a failed put can put it back.
 */
export async function writeInstructionFile(s3: S3Client, ref: EncryptedObjectRef, body: string, abortSignal?: AbortSignal): Promise<WrittenInstructionFile> {
  const key = instructionFileKey(ref.key);
  const previous = (await readInstructionFile(s3, { bucket: ref.bucket, key }, abortSignal).catch(() => undefined))?.body;
  const out = await putInstructionFile(s3, { bucket: ref.bucket, key }, Buffer.from(body, 'utf8'), { abortSignal });
  return {
    bucket: ref.bucket,
    previous,
    written: { key, ...(out.ETag ? { etag: out.ETag } : {}), ...(out.VersionId ? { versionId: out.VersionId } : {}) },
  };
}

/** Undoes {@link writeInstructionFile} after the object write failed; never throws. */
export async function undoInstructionFile(s3: S3Client, file: WrittenInstructionFile): Promise<InstructionFileRollback> {
  try {
    if (file.written.versionId !== undefined && file.written.versionId !== 'null') {
      // versioned bucket: removing exactly the version written makes the previous one current again
      await s3.send(new DeleteObjectCommand({ Bucket: file.bucket, Key: file.written.key, VersionId: file.written.versionId }));
      return file.previous ? 'restored' : 'deleted';
    }
    if (file.previous) {
      await putInstructionFile(s3, { bucket: file.bucket, key: file.written.key }, file.previous);
      return 'restored';
    }
    await s3.send(new DeleteObjectCommand({ Bucket: file.bucket, Key: file.written.key }));
    return 'deleted';
  } catch {
    return 'failed';
  }
}

/**
 * Replaces an instruction file only if it is still the one read (its ETag), so a concurrent overwrite of
 * the object is never paired with the old data key. `conditions` knows how each bucket's server honours
 * If-Match (see `ConditionalWrites`). Without an ETag the write is unconditional.
 */
export async function replaceInstructionFile(
  s3: S3Client,
  conditions: ConditionalWrites,
  ref: { readonly bucket: string; readonly key: string },
  body: string,
  etag: string | undefined,
): Promise<void> {
  const bytes = Buffer.from(body, 'utf8');
  const write = async (ifMatch: string | undefined) => {
    await putInstructionFile(s3, ref, bytes, { ifMatch });
  };
  try {
    if (etag === undefined) return await write(undefined);
    return await conditions.write({
      bucket: ref.bucket,
      etag,
      write,
      stillMatches: async () => (await currentEtag(s3, ref)) === etag,
      changed: () => new ObjectChangedError(ref, undefined, 'its instruction file changed'),
    });
  } catch (err) {
    throw mapObjectError(err, ref);
  }
}

/** PUT of an instruction file: JSON, with the `x-amz-crypto-instr-file` marker the S3 Encryption Clients set. */
function putInstructionFile(s3: S3Client, ref: { bucket: string; key: string }, body: Buffer, options: { ifMatch?: string; abortSignal?: AbortSignal } = {}) {
  return s3.send(
    new PutObjectCommand({
      Bucket: ref.bucket,
      Key: ref.key,
      Body: body,
      ContentLength: body.length,
      ContentType: 'application/json',
      Metadata: { [MetadataKeys.INSTRUCTION_FILE_MARKER]: '' },
      IfMatch: options.ifMatch,
    }),
    { abortSignal: options.abortSignal },
  );
}

async function currentEtag(s3: S3Client, ref: { bucket: string; key: string }): Promise<string | undefined> {
  try {
    return (await s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }))).ETag;
  } catch {
    return undefined;
  }
}
