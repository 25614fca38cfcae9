/** Object tags: the query-string form puts take, and reading and setting them on one version. */
import { GetObjectTaggingCommand, PutObjectTaggingCommand, type S3Client, type Tag } from '@aws-sdk/client-s3';
import type { S3ObjectRef } from './object-ref';

/** An object tag (the SDK's `Tag` with both members set). */
export interface ObjectTag {
  /** Tag key. */
  readonly Key: string;
  /** Tag value. */
  readonly Value: string;
}

/** `team=a&tier=1` as a tag set. */
export function parseTagging(tagging: string): ObjectTag[] {
  return [...new URLSearchParams(tagging)].map(([Key, Value]) => ({ Key, Value }));
}

/** A tag set as the query string PutObject's `Tagging` takes, or undefined when there are no tags. */
export function formatTagging(tags: readonly ObjectTag[]): string | undefined {
  return tags.length ? tags.map((t) => `${encodeURIComponent(t.Key)}=${encodeURIComponent(t.Value)}`).join('&') : undefined;
}

/** The tags of an object (of `ref.versionId` when set). Tags are not encrypted: no SSE-C key is needed. */
export async function getObjectTags(s3: S3Client, ref: S3ObjectRef): Promise<ObjectTag[]> {
  const out = await s3.send(new GetObjectTaggingCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId }));
  return (out.TagSet ?? []).map((t: Tag) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
}

/**
 * Sets the tags of one version. Used after multipart uploads and copies onto the same key, because
 * radosgw ignores `Tagging` on CreateMultipartUpload and drops tags on a copy onto itself (harmless on AWS).
 */
export async function putObjectTags(s3: S3Client, ref: S3ObjectRef, tags: readonly ObjectTag[]): Promise<void> {
  await s3.send(new PutObjectTaggingCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId, Tagging: { TagSet: [...tags] } }));
}
