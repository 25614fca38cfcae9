/**
 * S3 plumbing shared by the S3 encryption client and the key rotator (not exported from the package):
 * reading instruction files, user metadata, and the mapping of S3 read errors.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { errorCodeOf, httpStatusOf } from '../sse-c/error-mapping';
import { ObjectChangedError } from '../sse-c/errors';
import { MalformedMetadataError } from './errors';
import { MAX_INSTRUCTION_FILE_BYTES } from './metadata/decode-metadata';
import { ALL_CONTENT_METADATA_KEYS } from './metadata/metadata-keys';
import { EncryptedObjectNotFoundError, type EncryptedObjectRef } from './s3-errors';

/** 404 → EncryptedObjectNotFoundError, 412 → ObjectChangedError; any other error unchanged. */
export function mapObjectError(err: unknown, ref: EncryptedObjectRef, changedDetail?: string): unknown {
  const status = httpStatusOf(err);
  if (status === 404) return new EncryptedObjectNotFoundError(ref, { cause: err, bucketMissing: errorCodeOf(err) === 'NoSuchBucket' });
  if (status === 412) return new ObjectChangedError(ref, err, changedDetail);
  return err;
}

/** An instruction file's body and ETag, or undefined if it does not exist. Larger than any instruction file: MalformedMetadataError. */
export async function readInstructionFile(s3: S3Client, ref: EncryptedObjectRef, abortSignal?: AbortSignal): Promise<{ body: Buffer; etag?: string } | undefined> {
  let out: GetObjectCommandOutput;
  try {
    out = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }), { abortSignal });
  } catch (err) {
    if (httpStatusOf(err) === 404) return undefined;
    throw mapObjectError(err, ref);
  }
  if ((out.ContentLength ?? 0) > MAX_INSTRUCTION_FILE_BYTES) {
    (out.Body as Readable | undefined)?.destroy();
    throw new MalformedMetadataError(undefined, `the instruction file s3://${ref.bucket}/${ref.key} is ${out.ContentLength} bytes; S3EC instruction files are small JSON objects.`);
  }
  return { body: Buffer.from(await out.Body!.transformToByteArray()), ...(out.ETag ? { etag: out.ETag } : {}) };
}

/** User metadata as returned by S3, without the encryption metadata. */
export function userMetadataOf(metadata: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (!ALL_CONTENT_METADATA_KEYS.includes(k.toLowerCase())) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
