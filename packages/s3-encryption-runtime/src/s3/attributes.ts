/** The standard headers and user metadata of an object, as puts set them and copies keep them. */
import type { GetObjectCommandOutput, HeadObjectCommandOutput, StorageClass } from '@aws-sdk/client-s3';

/** Standard object headers and metadata that puts set and copies preserve. */
export interface ObjectAttributes {
  /** `Content-Type`. @default - S3's default (`binary/octet-stream`) */
  readonly contentType?: string;
  /** `Cache-Control`. @default - none */
  readonly cacheControl?: string;
  /** `Content-Disposition`. @default - none */
  readonly contentDisposition?: string;
  /** `Content-Encoding`. @default - none */
  readonly contentEncoding?: string;
  /** `Content-Language`. @default - none */
  readonly contentLanguage?: string;
  /** User metadata (`x-amz-meta-*`). @default - none */
  readonly metadata?: Record<string, string>;
}

/** The attributes plus a storage class (set on puts, kept by copies). */
export type StoredObjectAttributes = ObjectAttributes & { readonly storageClass?: string };

/** The request parameters (PutObject, CreateMultipartUpload, CopyObject) that set `a`; unset ones are left out. */
export function attributeParams(a: StoredObjectAttributes): {
  ContentType?: string;
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  Metadata?: Record<string, string>;
  StorageClass?: StorageClass;
} {
  return withoutUndefined({
    ContentType: a.contentType,
    CacheControl: a.cacheControl,
    ContentDisposition: a.contentDisposition,
    ContentEncoding: a.contentEncoding,
    ContentLanguage: a.contentLanguage,
    Metadata: a.metadata,
    StorageClass: a.storageClass as StorageClass | undefined,
  });
}

/** The attributes S3 reported for an object (HEAD or GET); user metadata only when there is some, storage class only when not STANDARD. */
export function attributesOf(out: HeadObjectCommandOutput | GetObjectCommandOutput): StoredObjectAttributes {
  return withoutUndefined({
    contentType: out.ContentType,
    cacheControl: out.CacheControl,
    contentDisposition: out.ContentDisposition,
    contentEncoding: out.ContentEncoding,
    contentLanguage: out.ContentLanguage,
    metadata: out.Metadata && Object.keys(out.Metadata).length ? out.Metadata : undefined,
    storageClass: out.StorageClass && out.StorageClass !== 'STANDARD' ? out.StorageClass : undefined,
  });
}

/** `o` without its undefined members (so results compare and print cleanly). */
export function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
