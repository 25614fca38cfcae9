/** Where an S3 request went, and how errors name it; shared by the SSE-C and client-side errors (not exported from the package). */

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

/** `s3://bucket/key (version v)`, for error messages. */
export function where(ref: S3ObjectRef): string {
  return `s3://${ref.bucket}/${ref.key}${ref.versionId ? ` (version ${ref.versionId})` : ''}`;
}

/** `s` cut to `max` characters, with an ellipsis when cut. */
export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
