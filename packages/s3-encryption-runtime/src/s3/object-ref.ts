/** Where an S3 request went, and how errors name it; shared by the SSE-C and client-side code. */

/** Where an S3 error happened; never includes key material. */
export interface S3ObjectRef {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /**
   * Version id, when one was addressed.
   * @default - the current version
   */
  readonly versionId?: string;
}

/** The reference of `p`, with `versionId` only when it is set (so `toEqual` and messages stay clean). */
export function refOf(p: { readonly bucket: string; readonly key: string; readonly versionId?: string }): S3ObjectRef {
  return p.versionId !== undefined ? { bucket: p.bucket, key: p.key, versionId: p.versionId } : { bucket: p.bucket, key: p.key };
}

/** `s3://bucket/key (version v)`, for error messages. */
export function where(ref: S3ObjectRef): string {
  return `s3://${ref.bucket}/${ref.key}${ref.versionId ? ` (version ${ref.versionId})` : ''}`;
}

/** `s` cut to `max` characters, with an ellipsis when cut. */
export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
