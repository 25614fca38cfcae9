/** The public parameter and result types of `S3EncryptionClient`. */
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ObjectAttributes } from '../s3/attributes';
import type { TransferProgress } from '../s3/progress';
import type { ClientSideEncryption, ClientSideEncryptionConfig } from './client-side-encryption';
import type { MetadataStrategy } from './content-format';
import type { ByteRange } from './streams/ranged-get';

/** Settings of `S3EncryptionClient` besides the encryption configuration. */
export interface S3EncryptionClientSettings {
  /** The S3 client to send requests with, e.g. from `createS3Client`. */
  readonly client: S3Client;
  /**
   * Allow a client whose endpoint is plain `http://`. The body is encrypted either way, but the
   * encryption context, the wrapped key and your credentials' requests travel in clear: tests only.
   * @default false
   */
  readonly allowInsecureHttp?: boolean;
  /**
   * Plaintext bytes per multipart part: at least 5 MiB and a multiple of 16. Bodies up to one part
   * go in a single PutObject. Raised (in whole MiB) when a known length would need more than 10,000 parts.
   * @default 8 MiB
   */
  readonly partSize?: number;
  /**
   * Parts uploaded at once. Memory of a put is about `(queueSize + 2) × partSize` whatever the size.
   * @default 4
   */
  readonly queueSize?: number;
  /**
   * Suffix of instruction files read by `getObject` (writes always use `.instruction`, as the
   * specification requires; a custom suffix is for files written by other tools' key rotation).
   * @default '.instruction'
   */
  readonly instructionFileSuffix?: string;
}

/**
 * Options of `S3EncryptionClient`: the S3 settings plus either a ready `ClientSideEncryption`
 * (`encryption`) or its configuration (`keyring`, `format`, `commitmentPolicy`, ...).
 */
export type S3EncryptionClientOptions = S3EncryptionClientSettings & ({ readonly encryption: ClientSideEncryption } | ClientSideEncryptionConfig);

/** Parameters of `S3EncryptionClient.putObject`. */
export interface PutEncryptedObjectParams extends ObjectAttributes {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /** The plaintext: bytes, a string (UTF-8), or a stream (read once, in constant memory). */
  readonly body: Readable | AsyncIterable<Uint8Array> | Uint8Array | string;
  /**
   * Exact plaintext length of a stream body: sizes the parts and fails the put if the stream is shorter or longer.
   * @default - unknown for streams; the byte length for bytes and strings
   */
  readonly contentLength?: number;
  /** KMS encryption context for this object (KMS keyrings only). @default {} */
  readonly encryptionContext?: Readonly<Record<string, string>>;
  /** Where the encryption metadata goes for this object. @default the client's metadataStrategy */
  readonly metadataStrategy?: MetadataStrategy;
  /** Object tags as a URL query string, e.g. `team=a&tier=1` (not encrypted). @default - none */
  readonly tagging?: string;
  /** Storage class. @default - STANDARD */
  readonly storageClass?: string;
  /** Called as plaintext bytes are uploaded. @default - none */
  readonly onProgress?: (progress: TransferProgress) => void;
  /** Cancels the put; a multipart upload is aborted and nothing is written. @default - none */
  readonly abortSignal?: AbortSignal;
}

/** Result of `S3EncryptionClient.putObject`. */
export interface PutEncryptedObjectResult {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /** ETag of the stored (encrypted) object. */
  readonly etag?: string;
  /** Version id, in versioned buckets. */
  readonly versionId?: string;
  /** Plaintext bytes written. */
  readonly size: number;
  /** Stored bytes: ciphertext plus the 16-byte tag. */
  readonly storedSize: number;
  /** 1 for a single PutObject, else the number of multipart parts. */
  readonly parts: number;
  /** Format version written (2 or 3). */
  readonly formatVersion: 2 | 3;
  /** Where the encryption metadata went. */
  readonly metadataStrategy: MetadataStrategy;
  /** The instruction file written, in instruction-file mode. */
  readonly instructionFile?: { readonly key: string; readonly etag?: string; readonly versionId?: string };
}

/** Parameters of `S3EncryptionClient.getObject`. */
export interface GetEncryptedObjectParams {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /**
   * Version to read. The instruction file (if the object uses one) is read at its current version:
   * instruction files are versioned independently of their object.
   * @default - the current version
   */
  readonly versionId?: string;
  /** The KMS encryption context the object must have (KMS objects). @default {} */
  readonly encryptionContext?: Readonly<Record<string, string>>;
  /**
   * Plaintext byte range: `{ start, end? }` (end inclusive) or `bytes=a-b` / `bytes=a-`. Decrypted
   * with AES-CTR and NOT authenticated, so it needs `enableLegacyUnauthenticatedModes`.
   * @default - the whole object, authenticated
   */
  readonly range?: ByteRange | string;
  /** Read only if the object has this ETag. @default - unconditional */
  readonly ifMatch?: string;
  /** Suffix of the instruction file to read. @default the client's instructionFileSuffix */
  readonly instructionFileSuffix?: string;
  /** Cancels the download. @default - none */
  readonly abortSignal?: AbortSignal;
}

/** How the plaintext of a get was authenticated. */
export type PlaintextAuthentication =
  /** Nothing was released before the GCM tag verified (the default). */
  | 'buffered'
  /** Plaintext streams before the tag is checked; a bad tag fails the stream at its end. */
  | 'delayed'
  /** A ranged read (AES-CTR) or a legacy CBC body: never authenticated. */
  | 'none';

/** Result of `S3EncryptionClient.getObject`. */
export interface GetEncryptedObjectResult {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /**
   * The plaintext. Fails with a typed error (ContentAuthenticationError, BufferLimitExceededError, ...)
   * and, in buffered mode, emits nothing unless the whole object authenticated. Consume or destroy it.
   */
  readonly body: Readable;
  /**
   * Plaintext bytes `body` will produce (of the range, for ranged reads). Undefined when S3 sent no
   * Content-Length, and for legacy AES-CBC objects: their 1 to 16 bytes of padding are known only once
   * the last block is decrypted.
   */
  readonly contentLength?: number;
  /** The plaintext range returned, for ranged reads. */
  readonly range?: { readonly start: number; readonly end: number; readonly total: number };
  /** User metadata without the encryption metadata. */
  readonly metadata: Record<string, string>;
  /** `Content-Type`. */
  readonly contentType?: string;
  /** ETag of the stored object. */
  readonly etag?: string;
  /** Version id, in versioned buckets. */
  readonly versionId?: string;
  /** Last modification time. */
  readonly lastModified?: Date;
  /** Format version of the object (1, 2 or 3). */
  readonly formatVersion: 1 | 2 | 3;
  /** Where its encryption metadata was found. */
  readonly metadataStrategy: MetadataStrategy;
  /** How the plaintext is authenticated. */
  readonly authentication: PlaintextAuthentication;
}

/** Parameters of `S3EncryptionClient.deleteObject`. */
export interface DeleteEncryptedObjectParams {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /**
   * Deletes this version of the object only; its instruction file, versioned on its own, is left alone.
   * @default - the current version, and `<key>.instruction` with it
   */
  readonly versionId?: string;
}

/** Result of `S3EncryptionClient.deleteObject`. */
export interface DeleteEncryptedObjectResult {
  /** True if S3 created a delete marker (versioned buckets). */
  readonly deleteMarker: boolean;
  /** Version id of the delete marker, or of the deleted version. */
  readonly versionId?: string;
  /** Whether `<key>.instruction` was deleted too. */
  readonly instructionFileDeleted: boolean;
}

/** Parameters of `S3EncryptionClient.deleteObjects`. */
export interface DeleteEncryptedObjectsParams {
  /** Bucket name. */
  readonly bucket: string;
  /** Object keys; each object's `<key>.instruction` is deleted with it. */
  readonly keys: readonly string[];
}

/** Result of `S3EncryptionClient.deleteObjects`. */
export interface DeleteEncryptedObjectsResult {
  /** The keys (objects or instruction files) that could not be deleted, with S3's error code and message. */
  readonly errors: ReadonlyArray<{ key: string; code?: string; message?: string }>;
}
