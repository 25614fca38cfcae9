import { DeleteObjectCommand, DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { instructionFileKey } from './instruction-file';
import { mapReadError } from './s3-errors';
import type {
  DeleteEncryptedObjectParams,
  DeleteEncryptedObjectResult,
  DeleteEncryptedObjectsParams,
  DeleteEncryptedObjectsResult,
} from './s3-encryption-types';

/** DeleteObjects takes 1,000 keys; each object comes with its instruction file. */
const DELETE_BATCH = 500;

/**
 * Deletes an object and its instruction file (`<key>.instruction`), in that order: an object is never left
 * without its instruction file, and a stray instruction file is harmless. With a version id, only that version.
 */
export async function deleteEncryptedObject(s3: S3Client, params: DeleteEncryptedObjectParams): Promise<DeleteEncryptedObjectResult> {
  const ref = { bucket: params.bucket, key: params.key };
  let out;
  try {
    out = await s3.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: params.versionId }));
  } catch (err) {
    throw mapReadError(err, ref);
  }
  if (params.versionId === undefined) {
    await s3.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: instructionFileKey(ref.key) }));
  }
  return { deleteMarker: out.DeleteMarker === true, ...(out.VersionId ? { versionId: out.VersionId } : {}), instructionFileDeleted: params.versionId === undefined };
}

/** Deletes many objects and their instruction files with DeleteObjects (500 objects per request). */
export async function deleteEncryptedObjects(s3: S3Client, params: DeleteEncryptedObjectsParams): Promise<DeleteEncryptedObjectsResult> {
  const errors: Array<{ key: string; code?: string; message?: string }> = [];
  for (let i = 0; i < params.keys.length; i += DELETE_BATCH) {
    const batch = params.keys.slice(i, i + DELETE_BATCH);
    const objects = batch.flatMap((key) => [{ Key: key }, { Key: instructionFileKey(key) }]);
    const out = await s3.send(new DeleteObjectsCommand({ Bucket: params.bucket, Delete: { Objects: objects, Quiet: true } }));
    for (const e of out.Errors ?? []) errors.push({ key: e.Key ?? '', ...(e.Code ? { code: e.Code } : {}), ...(e.Message ? { message: e.Message } : {}) });
  }
  return { errors };
}
