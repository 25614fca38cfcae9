import { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { memoizedTlsCheck } from '../s3-client-factory';
import { abortQuietly, MAX_MULTIPART_PARTS } from '../s3-copy';
import { httpStatusOf } from '../sse-c/error-mapping';
import { LengthCheckStream } from '../sse-c/length-check-stream';
import type { ObjectAttributes, TransferProgress } from '../sse-c/sse-c-object-client';
import { ClientSideEncryption, type ClientSideEncryptionConfig, S3_USER_METADATA_LIMIT_BYTES, userMetadataBytes } from './client-side-encryption';
import { type MetadataStrategy } from './content-format';
import {
  ClientSideConfigurationError,
  LegacyModeDisabledError,
  RangedGetError,
} from './errors';
import { instructionFileKey } from './instruction-file';
import { requiresInstructionFile } from './metadata/decode-metadata';
import { ALL_CONTENT_METADATA_KEYS, INSTRUCTION_FILE_SUFFIX, MetadataKeys } from './metadata/metadata-keys';
import type { ObjectEncryptor } from './object-encryptor';
import {
  EncryptedObjectParameterError,
  type EncryptedObjectRef,
  EncryptedUploadError,
  type InstructionFileRollback,
} from './s3-errors';
import { MultipartUploadFailure, uploadEncryptedParts } from './s3-multipart-upload';
import { mapObjectError, readInstructionFile, userMetadataOf } from './s3-object-io';
import { AuthenticationMode } from './streams/decrypt-stream';
import type { EncryptedPart } from './streams/encrypted-parts';
import { type ByteRange, parseContentRange, parseRangeHeader, planRangedGet } from './streams/ranged-get';

const MiB = 1024 * 1024;
/** Default plaintext bytes per multipart part (a multiple of 16; 10,000 parts cover the 64 GiB GCM limit). */
export const DEFAULT_ENCRYPTED_PART_SIZE = 8 * MiB;
/** S3's minimum size of every part but the last. */
export const MIN_PART_SIZE = 5 * MiB;
/** DeleteObjects takes 1,000 keys; each object comes with its instruction file. */
const DELETE_BATCH = 500;

/** Settings of {@link S3EncryptionClient} besides the encryption configuration. */
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
 * Options of {@link S3EncryptionClient}: the S3 settings plus either a ready `ClientSideEncryption`
 * (`encryption`) or its configuration (`keyring`, `format`, `commitmentPolicy`, ...).
 */
export type S3EncryptionClientOptions = S3EncryptionClientSettings & ({ readonly encryption: ClientSideEncryption } | ClientSideEncryptionConfig);

/** Parameters of {@link S3EncryptionClient.putObject}. */
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

/** Result of {@link S3EncryptionClient.putObject}. */
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

/** Parameters of {@link S3EncryptionClient.getObject}. */
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

/** Result of {@link S3EncryptionClient.getObject}. */
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
  /** Plaintext bytes `body` will produce (of the range, for ranged reads). */
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

/** Parameters of {@link S3EncryptionClient.deleteObject}. */
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

/** Result of {@link S3EncryptionClient.deleteObject}. */
export interface DeleteEncryptedObjectResult {
  /** True if S3 created a delete marker (versioned buckets). */
  readonly deleteMarker: boolean;
  /** Version id of the delete marker, or of the deleted version. */
  readonly versionId?: string;
  /** Whether `<key>.instruction` was deleted too. */
  readonly instructionFileDeleted: boolean;
}

/**
 * Amazon S3 client with client-side encryption, wire-compatible with the Amazon S3 Encryption Client.
 *
 * - `putObject` encrypts while it uploads, in constant memory: one PutObject for bodies up to
 *   `partSize`, otherwise one AES-GCM stream across a multipart upload (metadata on
 *   CreateMultipartUpload, 16-byte-aligned parts in order, the tag in the last part), aborted on any
 *   failure. In instruction-file mode `<key>.instruction` is written first and undone on failure.
 * - `getObject` fetches the instruction file when the object needs it (MissingInstructionFileError
 *   when absent) and decrypts with buffered authentication by default: nothing is released before
 *   the tag verifies, up to `bufferSize` (64 MiB), past which BufferLimitExceededError names the
 *   opt-in. Ranged reads need `enableLegacyUnauthenticatedModes`.
 * - `deleteObject` / `deleteObjects` also delete the instruction files.
 */
export class S3EncryptionClient {
  /** The client-side encryption configuration (keyring, format, policy, authentication mode). */
  public readonly encryption: ClientSideEncryption;
  /** The S3 client requests go through. */
  public readonly s3: S3Client;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly instructionFileSuffix: string;
  private readonly checkEndpoint: () => Promise<unknown>;

  constructor(options: S3EncryptionClientOptions) {
    if (!options?.client) throw new ClientSideConfigurationError('S3EncryptionClient needs an S3Client (options.client), e.g. from createS3Client().');
    this.s3 = options.client;
    this.encryption = 'encryption' in options && options.encryption instanceof ClientSideEncryption
      ? options.encryption
      : new ClientSideEncryption(options as ClientSideEncryptionConfig);
    this.checkEndpoint = memoizedTlsCheck(this.s3, options.allowInsecureHttp ?? false);
    this.partSize = options.partSize ?? DEFAULT_ENCRYPTED_PART_SIZE;
    if (!Number.isSafeInteger(this.partSize) || this.partSize < MIN_PART_SIZE || this.partSize % 16 !== 0) {
      throw new ClientSideConfigurationError(`partSize must be a multiple of 16 bytes and at least 5 MiB (S3's minimum part size); got ${options.partSize}.`);
    }
    this.queueSize = options.queueSize ?? 4;
    if (!Number.isSafeInteger(this.queueSize) || this.queueSize < 1) throw new ClientSideConfigurationError(`queueSize must be a positive integer; got ${options.queueSize}.`);
    this.instructionFileSuffix = options.instructionFileSuffix ?? INSTRUCTION_FILE_SUFFIX;
    if (!this.instructionFileSuffix) throw new ClientSideConfigurationError('instructionFileSuffix must not be empty.');
  }

  /**
   * Encrypts and uploads an object. Resolves once the object (and its instruction file) is stored.
   * Fails with EncryptedUploadError once anything was sent: the multipart upload is aborted and an
   * instruction file written by this call is undone; retry the whole put.
   */
  public async putObject(params: PutEncryptedObjectParams): Promise<PutEncryptedObjectResult> {
    await this.checkEndpoint();
    const ref = { bucket: params.bucket, key: params.key };
    assertUserMetadata(params.metadata);
    const known = params.contentLength ?? byteLengthOf(params.body);
    if (known !== undefined && (!Number.isSafeInteger(known) || known < 0)) throw new EncryptedObjectParameterError(`contentLength must be a non-negative integer; got ${params.contentLength}.`);
    const strategy = params.metadataStrategy ?? this.encryption.metadataStrategy;
    const encryptor = await this.encryption.createEncryptor({ encryptionContext: params.encryptionContext, metadataStrategy: strategy });
    const metadata = { ...(params.metadata ?? {}), ...encryptor.metadata };
    assertMetadataFits(metadata);

    const partSize = known !== undefined ? Math.max(this.partSize, Math.ceil(known / MAX_MULTIPART_PARTS / MiB) * MiB) : this.partSize;
    const source = plaintextSource(params, ref);
    const parts = encryptor.encryptParts(source, partSize);
    const attributes = attributeParams(params);

    let instruction: WrittenInstructionFile | undefined;
    let uploadId: string | undefined;
    let stage = 'writing the instruction file';
    try {
      if (encryptor.instructionFile !== undefined) instruction = await this.writeInstructionFile(ref, encryptor, params.abortSignal);
      stage = 'reading and encrypting part 1';
      const first = await nextPart(parts);
      let result: { etag?: string; versionId?: string; parts: number; storedBytes: number; size: number };
      if (first.isLast) {
        stage = 'uploading the object';
        const out = await this.s3.send(
          new PutObjectCommand({ Bucket: ref.bucket, Key: ref.key, Body: first.body, ContentLength: first.body.length, Metadata: metadata, ...attributes }),
          { abortSignal: params.abortSignal },
        );
        params.onProgress?.({ loaded: first.plaintextLength, total: first.plaintextLength });
        result = { etag: out.ETag, versionId: out.VersionId, parts: 1, storedBytes: first.body.length, size: first.plaintextLength };
      } else {
        const done = await uploadEncryptedParts({
          s3: this.s3,
          create: { Bucket: ref.bucket, Key: ref.key, Metadata: metadata, ...attributes },
          first,
          rest: parts,
          queueSize: this.queueSize,
          abortSignal: params.abortSignal,
          onCreated: (id) => (uploadId = id),
          onProgress: (loaded) => params.onProgress?.({ loaded, ...(known !== undefined ? { total: known } : {}) }),
        });
        uploadId = undefined; // completed: nothing to abort
        result = { etag: done.etag, versionId: done.versionId, parts: done.parts, storedBytes: done.storedBytes, size: done.plaintextBytes };
        if (params.tagging) {
          // radosgw ignores Tagging on CreateMultipartUpload; setting the tags again is harmless on AWS
          stage = 'tagging the object';
          await this.s3.send(new PutObjectTaggingCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: done.versionId, Tagging: { TagSet: parseTagging(params.tagging) } }));
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
      const rollback: InstructionFileRollback = instruction ? await this.undoInstructionFile(instruction) : 'not-written';
      throw new EncryptedUploadError(ref, { stage: failure.stage, uploadId, aborted, instructionFile: rollback, cause: failure.error });
    }
  }

  /**
   * Downloads and decrypts an object. Resolves after every metadata and key check (typed errors,
   * nothing decrypted); the returned body then fails with a typed error if the content does not
   * authenticate. Buffered mode (default) releases nothing until the tag verified; objects above
   * `bufferSize` fail with BufferLimitExceededError before the key is unwrapped.
   */
  public async getObject(params: GetEncryptedObjectParams): Promise<GetEncryptedObjectResult> {
    await this.checkEndpoint();
    const ref: EncryptedObjectRef = params.versionId !== undefined ? { bucket: params.bucket, key: params.key, versionId: params.versionId } : { bucket: params.bucket, key: params.key };
    let plan;
    if (params.range !== undefined) {
      if (!this.encryption.enableLegacyUnauthenticatedModes) {
        throw new LegacyModeDisabledError('enableLegacyUnauthenticatedModes', 'Ranged reads decrypt with AES-CTR and never check the GCM tag.');
      }
      const range = typeof params.range === 'string' ? parseRangeHeader(params.range) : params.range;
      if (!range) throw new RangedGetError(`The range ${JSON.stringify(String(params.range).slice(0, 60))} is not of the form bytes=a-b or bytes=a- (suffix and multiple ranges are not supported); pass { start, end }.`);
      plan = planRangedGet(range);
    }

    let out: GetObjectCommandOutput;
    try {
      out = await this.s3.send(
        new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId, IfMatch: params.ifMatch, Range: plan?.rangeHeader }),
        { abortSignal: params.abortSignal },
      );
    } catch (err) {
      throw mapReadError(err, ref);
    }
    const body = out.Body as Readable;
    try {
      const metadata = out.Metadata ?? {};
      const fileKey = instructionFileKey(ref.key, params.instructionFileSuffix ?? this.instructionFileSuffix);
      const instructionFile = requiresInstructionFile(metadata) ? (await readInstructionFile(this.s3, { bucket: ref.bucket, key: fileKey }, params.abortSignal))?.body : undefined;
      const stored = { metadata, instructionFileKey: fileKey, ...(instructionFile ? { instructionFile } : {}) };
      if (!plan && out.ContentRange) {
        throw new RangedGetError(`S3 answered a whole-object GET with the partial content ${out.ContentRange}; refusing to decrypt part of an object as if it were all of it.`);
      }
      if (plan && !out.ContentRange) throw new RangedGetError('S3 answered a ranged GET without Content-Range.');
      const contentRange = plan ? parseContentRange(out.ContentRange!) : undefined;
      // every metadata and key check; in buffered mode a too-large body is refused before the key is unwrapped
      const decryptor = plan
        ? await this.encryption.createDecryptor(stored, { encryptionContext: params.encryptionContext, range: plan })
        : await this.encryption.createDecryptor({ ...stored, contentLength: out.ContentLength }, { encryptionContext: params.encryptionContext });
      const md = decryptor.contentMetadata;
      const common = {
        bucket: ref.bucket,
        key: ref.key,
        metadata: userMetadataOf(metadata),
        ...(out.ContentType ? { contentType: out.ContentType } : {}),
        ...(out.ETag ? { etag: out.ETag } : {}),
        ...(out.VersionId ? { versionId: out.VersionId } : {}),
        ...(out.LastModified ? { lastModified: out.LastModified } : {}),
        formatVersion: md.formatVersion,
        metadataStrategy: md.strategy,
      };

      if (!plan) {
        const plaintextLength = out.ContentLength === undefined ? undefined : out.ContentLength - md.suite.tagLength;
        const transform = decryptor.createDecryptStream();
        pipeline(body, transform, () => undefined); // errors surface on `transform`
        return {
          ...common,
          body: transform,
          ...(plaintextLength !== undefined ? { contentLength: plaintextLength } : {}),
          authentication: md.suite.legacy ? 'none' : this.encryption.authentication === AuthenticationMode.BUFFERED ? 'buffered' : 'delayed',
        };
      }

      const transform = decryptor.createRangeDecryptStream(plan, contentRange!);
      pipeline(body, transform, () => undefined);
      const plaintextTotal = contentRange!.total - md.suite.tagLength;
      const end = Math.min(plan.requested.end ?? plaintextTotal - 1, plaintextTotal - 1);
      return {
        ...common,
        body: transform,
        contentLength: end - plan.requested.start + 1,
        range: { start: plan.requested.start, end, total: plaintextTotal },
        authentication: 'none',
      };
    } catch (err) {
      body?.destroy();
      throw err;
    }
  }

  /** Downloads, decrypts and returns the whole plaintext in memory (it is authenticated unless delayed or ranged). */
  public async getObjectBytes(params: GetEncryptedObjectParams): Promise<Buffer> {
    const { body } = await this.getObject(params);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /**
   * Deletes an object and its instruction file (`<key>.instruction`), in that order: an object is
   * never left without its instruction file, and a stray instruction file is harmless.
   */
  public async deleteObject(params: DeleteEncryptedObjectParams): Promise<DeleteEncryptedObjectResult> {
    await this.checkEndpoint();
    const ref = { bucket: params.bucket, key: params.key };
    const out = await this.s3.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: params.versionId })).catch((err) => {
      throw mapReadError(err, ref);
    });
    if (params.versionId === undefined) {
      await this.s3.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: instructionFileKey(ref.key) }));
    }
    return { deleteMarker: out.DeleteMarker === true, ...(out.VersionId ? { versionId: out.VersionId } : {}), instructionFileDeleted: params.versionId === undefined };
  }

  /**
   * Deletes many objects and their instruction files with DeleteObjects (500 objects per request).
   * Resolves with the keys that could not be deleted (objects or instruction files), if any.
   */
  public async deleteObjects(params: { readonly bucket: string; readonly keys: readonly string[] }): Promise<{ readonly errors: ReadonlyArray<{ key: string; code?: string; message?: string }> }> {
    await this.checkEndpoint();
    const errors: Array<{ key: string; code?: string; message?: string }> = [];
    for (let i = 0; i < params.keys.length; i += DELETE_BATCH) {
      const batch = params.keys.slice(i, i + DELETE_BATCH);
      const objects = batch.flatMap((key) => [{ Key: key }, { Key: instructionFileKey(key) }]);
      const out = await this.s3.send(new DeleteObjectsCommand({ Bucket: params.bucket, Delete: { Objects: objects, Quiet: true } }));
      for (const e of out.Errors ?? []) errors.push({ key: e.Key ?? '', ...(e.Code ? { code: e.Code } : {}), ...(e.Message ? { message: e.Message } : {}) });
    }
    return { errors };
  }

  /**
   * Writes `<key>.instruction` before the object, so no reader ever finds the new object without its
   * instruction file. The previous instruction file (if any) is read first so a failed put can put it
   * back and leave the object that was there before readable.
   */
  private async writeInstructionFile(ref: EncryptedObjectRef, encryptor: ObjectEncryptor, abortSignal?: AbortSignal): Promise<WrittenInstructionFile> {
    const key = instructionFileKey(ref.key);
    const previous = (await readInstructionFile(this.s3, { bucket: ref.bucket, key }, abortSignal).catch(() => undefined))?.body;
    const body = Buffer.from(encryptor.instructionFile!, 'utf8');
    const out = await this.s3.send(
      new PutObjectCommand({ Bucket: ref.bucket, Key: key, Body: body, ContentLength: body.length, ContentType: 'application/json', Metadata: { ...encryptor.instructionFileMetadata } }),
      { abortSignal },
    );
    return {
      bucket: ref.bucket,
      previous,
      written: { key, ...(out.ETag ? { etag: out.ETag } : {}), ...(out.VersionId ? { versionId: out.VersionId } : {}) },
    };
  }

  private async undoInstructionFile(file: WrittenInstructionFile): Promise<InstructionFileRollback> {
    try {
      if (file.written.versionId !== undefined && file.written.versionId !== 'null') {
        // versioned bucket: removing exactly the version written makes the previous one current again
        await this.s3.send(new DeleteObjectCommand({ Bucket: file.bucket, Key: file.written.key, VersionId: file.written.versionId }));
        return file.previous ? 'restored' : 'deleted';
      }
      if (file.previous) {
        await this.s3.send(
          new PutObjectCommand({
            Bucket: file.bucket,
            Key: file.written.key,
            Body: file.previous,
            ContentLength: file.previous.length,
            ContentType: 'application/json',
            Metadata: { [MetadataKeys.INSTRUCTION_FILE_MARKER]: '' },
          }),
        );
        return 'restored';
      }
      await this.s3.send(new DeleteObjectCommand({ Bucket: file.bucket, Key: file.written.key }));
      return 'deleted';
    } catch {
      return 'failed';
    }
  }
}

interface WrittenInstructionFile {
  readonly bucket: string;
  readonly previous?: Buffer;
  readonly written: { readonly key: string; readonly etag?: string; readonly versionId?: string };
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

async function nextPart(parts: AsyncGenerator<EncryptedPart>): Promise<EncryptedPart> {
  const r = await parts.next();
  if (r.done) throw new Error('the encryptor produced no parts'); // encryptParts always yields the last part
  return r.value;
}

function byteLengthOf(body: PutEncryptedObjectParams['body']): number | undefined {
  if (typeof body === 'string') return Buffer.byteLength(body, 'utf8');
  if (body instanceof Uint8Array) return body.byteLength;
  return undefined;
}

/** User metadata must not use the encryption metadata's keys. */
function assertUserMetadata(metadata: Record<string, string> | undefined): void {
  if (!metadata) return;
  const reserved = [...ALL_CONTENT_METADATA_KEYS, MetadataKeys.INSTRUCTION_FILE_MARKER];
  for (const [k, v] of Object.entries(metadata)) {
    if (reserved.includes(k.toLowerCase())) throw new EncryptedObjectParameterError(`User metadata key ${JSON.stringify(k)} is reserved for the encryption metadata; rename it.`);
    if (typeof v !== 'string') throw new EncryptedObjectParameterError(`User metadata ${JSON.stringify(k)} must be a string.`);
  }
}

function assertMetadataFits(metadata: Record<string, string>): void {
  const size = userMetadataBytes(metadata);
  if (size > S3_USER_METADATA_LIMIT_BYTES) {
    throw new EncryptedObjectParameterError(
      `Your metadata plus the encryption metadata is ${size} bytes, over S3's ${S3_USER_METADATA_LIMIT_BYTES}-byte user-metadata limit. ` +
        'Use metadataStrategy: INSTRUCTION_FILE, or less user metadata or a smaller encryption context.',
    );
  }
}

function attributeParams(p: PutEncryptedObjectParams) {
  const out = {
    ContentType: p.contentType,
    CacheControl: p.cacheControl,
    ContentDisposition: p.contentDisposition,
    ContentEncoding: p.contentEncoding,
    ContentLanguage: p.contentLanguage,
    Tagging: p.tagging,
    StorageClass: p.storageClass as StorageClass | undefined,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as Partial<typeof out>;
}

function parseTagging(tagging: string): Array<{ Key: string; Value: string }> {
  return [...new URLSearchParams(tagging)].map(([Key, Value]) => ({ Key, Value }));
}

/** 404 → EncryptedObjectNotFoundError, 412 → ObjectChangedError, 416 → RangedGetError; others unchanged. */
function mapReadError(err: unknown, ref: EncryptedObjectRef): unknown {
  if (httpStatusOf(err) === 416) return new RangedGetError(`The range starts beyond the end of s3://${ref.bucket}/${ref.key}.`);
  return mapObjectError(err, ref, 'its ETag no longer matches ifMatch');
}
