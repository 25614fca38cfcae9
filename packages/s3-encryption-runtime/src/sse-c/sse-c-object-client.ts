import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { S3EncryptionError } from '../errors';
import { memoizedTlsCheck } from '../s3-client-factory';
import { copySource, MAX_MULTIPART_PARTS, multipartCopy, sameVersion } from '../s3-copy';
import { httpStatusOf, isCopyNotImplemented, isCopyToItselfRefused, mapSseCError, type SseCErrorContext } from './error-mapping';
import {
  IncompleteBodyError,
  NoncurrentVersionError,
  ObjectChangedError,
  type S3ObjectRef,
  SseCNotApplicableError,
  SseCWrongKeyError,
} from './errors';
import { LengthCheckStream } from './length-check-stream';
import type { SseCKey } from './sse-c-key';

const MiB = 1024 * 1024;
/** CopyObject's size limit; larger objects are copied part by part (UploadPartCopy). */
const MAX_SINGLE_COPY_BYTES = 5 * 1024 * MiB;

/**
 * How `copy` and `rekey` move bytes.
 * - `auto`: server-side copy (CopyObject / UploadPartCopy); if the server cannot copy from an SSE-C
 *   source (radosgw answers 501), a streamed get-and-put, remembered for the client's lifetime.
 * - `server-side`: only server-side copy.
 * - `streamed`: only get-and-put through this process.
 */
export type SseCCopyStrategy = 'auto' | 'server-side' | 'streamed';

/** Options of {@link SseCObjectClient}. */
export interface SseCObjectClientOptions {
  /** The S3 client to send requests with, e.g. from `createS3Client`. */
  readonly client: S3Client;
  /**
   * Allow a client whose endpoint is plain `http://`. SSE-C keys travel in request headers, so this is
   * only for tests against a local server; S3 itself refuses SSE-C over HTTP.
   * @default false
   */
  readonly allowInsecureHttp?: boolean;
  /**
   * Multipart part size in bytes for uploads (at least 5 MiB). Bodies up to one part go in one PutObject.
   * Raised automatically when a known length would need more than 10,000 parts; a stream of unknown length
   * can be at most 10,000 parts (58.6 GiB at 6 MiB), so raise it for larger streams.
   * @default 6 MiB
   */
  readonly partSize?: number;
  /**
   * Parts uploaded in parallel. A streamed upload holds about `(queueSize + 1) * partSize` of plaintext plus
   * the TLS layer's ciphertext of the parts in flight; with the defaults a 1 GiB upload peaks below 200 MB RSS
   * (see BENCHMARKS.md). Raise it for more throughput to AWS, at the cost of memory.
   * @default 3
   */
  readonly queueSize?: number;
  /**
   * How `copy` and `rekey` move bytes.
   * @default 'auto'
   */
  readonly copyStrategy?: SseCCopyStrategy;
  /**
   * Part size for server-side copies of objects over 5 GiB, from 5 MiB to 5 GiB (S3's part size limits).
   * @default 512 MiB
   */
  readonly copyPartSize?: number;
}

/** Progress of a transfer. */
export interface TransferProgress {
  /** Bytes transferred so far. */
  readonly loaded: number;
  /** Total bytes, when known. */
  readonly total?: number;
}

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

/** Parameters of {@link SseCObjectClient.put}. */
export interface SseCPutParams extends ObjectAttributes {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /** The content: bytes, a string (UTF-8), or a stream (read once, in constant memory). */
  readonly body: Readable | Uint8Array | string;
  /** The SSE-C key to encrypt with. */
  readonly sseKey: SseCKey;
  /**
   * Exact length of a stream body; lets the upload pick a part size and fail if the stream is shorter or longer.
   * @default - unknown (streams), the byte length (bytes and strings)
   */
  readonly contentLength?: number;
  /** Object tags as a URL query string, e.g. `team=a&tier=1`. @default - none */
  readonly tagging?: string;
  /** Write only if the current object has this ETag (conditional write). @default - unconditional */
  readonly ifMatch?: string;
  /** `*`: write only if no object exists under the key. @default - unconditional */
  readonly ifNoneMatch?: string;
  /** Called as bytes are uploaded. @default - none */
  readonly onProgress?: (progress: TransferProgress) => void;
  /** Cancels the upload; a multipart upload is aborted on S3, nothing is written. @default - none */
  readonly abortSignal?: AbortSignal;
}

/** Result of a write. */
export interface SseCWriteResult {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /** ETag of the new object (not an MD5 of the content for SSE-C objects). */
  readonly etag?: string;
  /** Version id, in versioned buckets. */
  readonly versionId?: string;
  /** Bytes written. */
  readonly size: number;
}

/** Parameters of {@link SseCObjectClient.get} and {@link SseCObjectClient.head}. */
export interface SseCReadParams {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /**
   * The SSE-C key the object was written with.
   * @default - none: reading an SSE-C object then fails with `SseCKeyRequiredError`
   */
  readonly sseKey?: SseCKey;
  /** Version to read. @default - the current version */
  readonly versionId?: string;
  /** Read only if the object has this ETag. @default - unconditional */
  readonly ifMatch?: string;
}

/** Parameters of {@link SseCObjectClient.get}. */
export interface SseCGetParams extends SseCReadParams {
  /** HTTP range, e.g. `bytes=0-1023`. @default - the whole object */
  readonly range?: string;
  /** Cancels the download. @default - none */
  readonly abortSignal?: AbortSignal;
}

/** What S3 reports about an object. */
export interface SseCObjectInfo extends ObjectAttributes {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /** Version id, in versioned buckets. */
  readonly versionId?: string;
  /** ETag. */
  readonly etag?: string;
  /** Size in bytes (of the range, for ranged reads). */
  readonly contentLength: number;
  /** Last modification time. */
  readonly lastModified?: Date;
  /** Storage class, when not STANDARD. */
  readonly storageClass?: string;
  /** Base64 MD5 of the SSE-C key, as S3 echoes it; absent for objects that are not SSE-C. */
  readonly sseCKeyMd5?: string;
  /** Number of tags, when S3 reports it. */
  readonly tagCount?: number;
}

/** Result of {@link SseCObjectClient.get}. */
export interface SseCGetResult extends SseCObjectInfo {
  /** The plaintext. Fails with `IncompleteBodyError` if the connection ends early. Consume or destroy it. */
  readonly body: Readable;
  /** `Content-Range`, for ranged reads. */
  readonly contentRange?: string;
}

/** An object and the SSE-C key it is (or will be) encrypted with. */
export interface SseCObjectLocation {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /** The SSE-C key. */
  readonly sseKey: SseCKey;
  /** Version (sources only). @default - the current version */
  readonly versionId?: string;
}

/** Parameters of {@link SseCObjectClient.copy}. */
export interface SseCCopyParams {
  /** What to copy, and the key it is encrypted with. */
  readonly source: SseCObjectLocation;
  /** Where to, and the key to encrypt the copy with. */
  readonly destination: SseCObjectLocation;
  /** Write only if the destination currently has this ETag. @default - unconditional */
  readonly ifMatch?: string;
  /** How to move the bytes. @default - the client's `copyStrategy` */
  readonly strategy?: SseCCopyStrategy;
}

/** How a copy or re-key moved the bytes. */
export type SseCCopyMethod = 'server-side' | 'streamed';

/** Result of {@link SseCObjectClient.copy}. */
export interface SseCCopyResult extends SseCWriteResult {
  /** How the bytes were moved. */
  readonly method: SseCCopyMethod;
}

/** Parameters of {@link SseCObjectClient.rekey}. */
export interface SseCRekeyParams {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /** The key the object is encrypted with now. */
  readonly from: SseCKey;
  /** The key to re-encrypt it with. */
  readonly to: SseCKey;
  /**
   * The version the caller expects to be current (e.g. from an inventory). If another version is
   * current, re-keying fails with `NoncurrentVersionError` rather than resurrecting old content.
   * @default - whatever version is current
   */
  readonly expectedVersionId?: string;
  /** How to move the bytes. @default - the client's `copyStrategy` */
  readonly strategy?: SseCCopyStrategy;
}

/** Result of {@link SseCObjectClient.rekey}. */
export interface SseCRekeyResult {
  /** `rekeyed`, or `already-current` when the object was already encrypted with `to` (idempotent retries). */
  readonly outcome: 'rekeyed' | 'already-current';
  /** How the bytes were moved (only when re-keyed). */
  readonly method?: SseCCopyMethod;
  /** Version id of the re-keyed object (versioned buckets). */
  readonly versionId?: string;
  /** Version id that was re-keyed (versioned buckets; it stays as a noncurrent version under the old key). */
  readonly previousVersionId?: string;
  /** Size in bytes. */
  readonly size?: number;
}

/**
 * Reads and writes SSE-C objects through `@aws-sdk/client-s3` and `@aws-sdk/lib-storage`:
 * streaming multipart puts in constant memory (failed uploads are aborted), streaming gets that fail
 * on truncation, head, copy between keys, and re-keying that never leaves an object missing or half-written.
 * S3 errors become typed errors (see `error-mapping.ts`); key bytes never appear in any error.
 */
export class SseCObjectClient {
  private readonly s3: S3Client;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly copyStrategy: SseCCopyStrategy;
  private readonly copyPartSize: number;
  /** Refuses plain HTTP unless allowed (once per client); resolves to the endpoint when it is an allowed plain-HTTP one. */
  private readonly checkEndpoint: () => Promise<string | undefined>;
  /** Set once the server answered 501 to a copy from an SSE-C source (radosgw). */
  private serverSideCopyUnsupported = false;
  /**
   * How each bucket's server honours If-Match on writes: AWS takes the quoted ETag; radosgw Pacific only the
   * unquoted one, and in versioned buckets none at all (then we re-check the ETag right before writing).
   */
  private readonly writeConditions = new Map<string, 'quoted' | 'unquoted' | 'unsupported'>();

  constructor(options: SseCObjectClientOptions) {
    this.s3 = options.client;
    this.checkEndpoint = memoizedTlsCheck(this.s3, options.allowInsecureHttp ?? false);
    this.partSize = options.partSize ?? 6 * MiB;
    this.queueSize = options.queueSize ?? 3;
    this.copyStrategy = options.copyStrategy ?? 'auto';
    this.copyPartSize = options.copyPartSize ?? 512 * MiB;
    if (this.partSize < 5 * MiB) throw new S3EncryptionError('InvalidOption', `partSize must be at least 5 MiB (S3's minimum part size); got ${this.partSize}`);
    if (!(this.queueSize >= 1)) throw new S3EncryptionError('InvalidOption', `queueSize must be at least 1; got ${this.queueSize}`);
    if (!(this.copyPartSize >= 5 * MiB && this.copyPartSize <= MAX_SINGLE_COPY_BYTES)) {
      throw new S3EncryptionError('InvalidOption', `copyPartSize must be between 5 MiB and 5 GiB (S3's part size limits); got ${this.copyPartSize}`);
    }
  }

  /** Uploads `body` encrypted with `sseKey`: one PutObject for small bodies, a multipart upload otherwise. */
  public async put(params: SseCPutParams): Promise<SseCWriteResult> {
    const insecure = await this.checkEndpoint();
    const ref = { bucket: params.bucket, key: params.key };
    return this.upload({
      ref,
      body: params.body,
      contentLength: params.contentLength,
      sseKey: params.sseKey,
      attributes: params,
      tagging: params.tagging,
      ifMatch: params.ifMatch,
      ifNoneMatch: params.ifNoneMatch,
      onProgress: params.onProgress,
      abortSignal: params.abortSignal,
      errorContext: { kind: 'write', object: ref, readKeySent: false, insecureEndpoint: insecure },
    });
  }

  /** Downloads an object as a stream of plaintext. Check `body` errors: a cut-short transfer fails the stream. */
  public async get(params: SseCGetParams): Promise<SseCGetResult> {
    const insecure = await this.checkEndpoint();
    const ref = refOf(params);
    let out: GetObjectCommandOutput;
    try {
      out = await this.s3.send(
        new GetObjectCommand({
          Bucket: params.bucket,
          Key: params.key,
          VersionId: params.versionId,
          Range: params.range,
          IfMatch: params.ifMatch,
          ...params.sseKey?.requestParams(),
        }),
        { abortSignal: params.abortSignal },
      );
    } catch (err) {
      throw mapSseCError(err, readContext(ref, params.sseKey, insecure));
    }
    const raw = out.Body as Readable;
    if (params.sseKey && !params.sseKey.matchesMd5(out.SSECustomerKeyMD5)) {
      raw.destroy();
      throw new SseCNotApplicableError(ref);
    }
    const info = toInfo(ref, out);
    const checked = new LengthCheckStream(info.contentLength, (n) => new IncompleteBodyError(ref, info.contentLength, n));
    pipeline(raw, checked).catch(() => undefined); // errors surface on `checked`
    return { ...info, contentRange: out.ContentRange, body: checked };
  }

  /** Reads an object's metadata (and checks the key). */
  public async head(params: SseCReadParams): Promise<SseCObjectInfo> {
    const insecure = await this.checkEndpoint();
    return this.headChecked(refOf(params), params.sseKey, insecure, params.ifMatch);
  }

  /**
   * Copies an SSE-C object to another location and key: server-side where the server can copy from
   * SSE-C sources (AWS), else by streaming it through this process (radosgw), per `strategy`.
   */
  public async copy(params: SseCCopyParams): Promise<SseCCopyResult> {
    const insecure = await this.checkEndpoint();
    const srcRef = refOf(params.source);
    const src = await this.headChecked(srcRef, params.source.sseKey, insecure);
    return this.transfer({
      src,
      srcKey: params.source.sseKey,
      dst: { bucket: params.destination.bucket, key: params.destination.key },
      dstKey: params.destination.sseKey,
      ifMatch: params.ifMatch,
      strategy: params.strategy ?? this.copyStrategy,
      insecure,
    });
  }

  /**
   * Re-encrypts the current version of an object from key `from` to key `to`, in place.
   * Idempotent: an object already under `to` succeeds with outcome `already-current`.
   * The new content replaces the old atomically and only if the object did not change meanwhile
   * (conditional write on its ETag); on failure the object stays as it was, under `from`.
   * In versioned buckets the old version remains as a noncurrent version under `from`.
   */
  public async rekey(params: SseCRekeyParams): Promise<SseCRekeyResult> {
    const insecure = await this.checkEndpoint();
    const ref = { bucket: params.bucket, key: params.key };
    let src: SseCObjectInfo;
    try {
      src = await this.headChecked(ref, params.from, insecure);
    } catch (err) {
      if (!(err instanceof SseCWrongKeyError)) throw err;
      let current: SseCObjectInfo;
      try {
        current = await this.headChecked(ref, params.to, insecure);
      } catch (err2) {
        if (err2 instanceof SseCWrongKeyError) {
          throw new SseCWrongKeyError(ref, `either ${params.from.label ?? 'the previous key'} or ${params.to.label ?? 'the current key'}`, err);
        }
        throw err2;
      }
      return { outcome: 'already-current', versionId: current.versionId, size: current.contentLength };
    }
    if (params.expectedVersionId !== undefined && !sameVersion(params.expectedVersionId, src.versionId)) {
      throw new NoncurrentVersionError({ ...ref, versionId: params.expectedVersionId }, src.versionId);
    }
    if (params.from.equals(params.to)) return { outcome: 'already-current', versionId: src.versionId, size: src.contentLength };
    if (!src.etag) throw new S3EncryptionError('MissingETag', `S3 returned no ETag for s3://${ref.bucket}/${ref.key}; cannot re-key it safely`);
    const result = await this.transfer({
      src,
      srcKey: params.from,
      dst: ref,
      dstKey: params.to,
      ifMatch: src.etag,
      strategy: params.strategy ?? this.copyStrategy,
      insecure,
    });
    return { outcome: 'rekeyed', method: result.method, versionId: result.versionId, previousVersionId: src.versionId, size: result.size };
  }

  private async headChecked(ref: S3ObjectRef, sseKey: SseCKey | undefined, insecure: string | undefined, ifMatch?: string): Promise<SseCObjectInfo> {
    let out: HeadObjectCommandOutput;
    try {
      out = await this.s3.send(
        new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId, IfMatch: ifMatch, ...sseKey?.requestParams() }),
      );
    } catch (err) {
      throw mapSseCError(await this.explainHeadError(err, ref, sseKey), readContext(ref, sseKey, insecure));
    }
    if (sseKey && !sseKey.matchesMd5(out.SSECustomerKeyMD5)) throw new SseCNotApplicableError(ref);
    return toInfo(ref, out);
  }

  /** HEAD errors have no body; a 1-byte ranged GET with the same parameters returns the error code and message. */
  private async explainHeadError(err: unknown, ref: S3ObjectRef, sseKey: SseCKey | undefined): Promise<unknown> {
    const status = httpStatusOf(err);
    if (status !== 400 && status !== 403) return err;
    try {
      const probe = await this.s3.send(
        new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId, Range: 'bytes=0-0', ...sseKey?.requestParams() }),
      );
      (probe.Body as Readable | undefined)?.destroy();
      return err;
    } catch (probeErr) {
      return httpStatusOf(probeErr) === status ? probeErr : err;
    }
  }

  private async transfer(t: TransferSpec): Promise<SseCCopyResult> {
    const serverSide = t.strategy === 'server-side' || (t.strategy === 'auto' && !this.serverSideCopyUnsupported);
    if (serverSide) {
      try {
        return await this.serverSideCopy(t);
      } catch (err) {
        if (!(t.strategy === 'auto' && isCopyNotImplemented(err))) throw err;
        this.serverSideCopyUnsupported = true;
      }
    }
    return this.streamedCopy(t);
  }

  private async serverSideCopy(t: TransferSpec): Promise<SseCCopyResult> {
    if (t.src.contentLength > MAX_SINGLE_COPY_BYTES) return this.multipartCopy(t);
    const base = {
      Bucket: t.dst.bucket,
      Key: t.dst.key,
      CopySource: copySource(t.src),
      CopySourceIfMatch: t.src.etag,
      IfMatch: t.ifMatch,
      TaggingDirective: 'COPY' as const,
      ...t.srcKey.copySourceParams(),
      ...t.dstKey.requestParams(),
    };
    const ctx = copyContext(t);
    let out;
    try {
      out = await this.s3.send(new CopyObjectCommand({ ...base, MetadataDirective: 'COPY' }));
    } catch (err) {
      if (!isCopyToItselfRefused(err)) throw mapSseCError(err, ctx);
      // Some servers see a same-object copy that only changes the SSE-C key as "nothing changed";
      // restating the metadata (REPLACE) makes it a legal in-place copy.
      try {
        out = await this.s3.send(new CopyObjectCommand({ ...base, MetadataDirective: 'REPLACE', ...attributeParams(t.src) }));
      } catch (err2) {
        throw mapSseCError(err2, ctx);
      }
    }
    return { bucket: t.dst.bucket, key: t.dst.key, etag: out.CopyObjectResult?.ETag, versionId: out.VersionId, size: t.src.contentLength, method: 'server-side' };
  }

  private async multipartCopy(t: TransferSpec): Promise<SseCCopyResult> {
    const ctx = copyContext(t);
    const tagging = await this.tagsOf(t.src);
    try {
      const done = await multipartCopy({
        s3: this.s3,
        source: t.src,
        sourceEtag: t.src.etag,
        size: t.src.contentLength,
        destination: t.dst,
        createParams: { ...attributeParams(t.src), Tagging: tagging, ...t.dstKey.requestParams() },
        partParams: { ...t.srcKey.copySourceParams(), ...t.dstKey.requestParams() },
        completeParams: { IfMatch: t.ifMatch, ...t.dstKey.requestParams() },
        partSize: this.copyPartSize,
        concurrency: this.queueSize,
      });
      return { bucket: t.dst.bucket, key: t.dst.key, etag: done.ETag, versionId: done.VersionId, size: t.src.contentLength, method: 'server-side' };
    } catch (err) {
      throw mapSseCError(err, ctx);
    }
  }

  private async streamedCopy(t: TransferSpec): Promise<SseCCopyResult> {
    const mode = t.ifMatch ? (this.writeConditions.get(t.dst.bucket) ?? 'quoted') : undefined;
    const ifMatch = mode === 'quoted' ? t.ifMatch : mode === 'unquoted' ? t.ifMatch?.replace(/"/g, '') : undefined;
    const readCtx = readContext(refOf(t.src), t.srcKey, t.insecure);
    let got: GetObjectCommandOutput;
    try {
      got = await this.s3.send(
        new GetObjectCommand({ Bucket: t.src.bucket, Key: t.src.key, VersionId: t.src.versionId, IfMatch: t.src.etag, ...t.srcKey.requestParams() }),
      );
    } catch (err) {
      throw mapSseCError(err, readCtx);
    }
    const body = got.Body as Readable;
    let tagging: string | undefined;
    try {
      if (!t.srcKey.matchesMd5(got.SSECustomerKeyMD5)) throw new SseCNotApplicableError(refOf(t.src));
      tagging = (got.TagCount ?? 0) > 0 ? await this.tagsOf(t.src) : undefined;
      // the server cannot make this write conditional: check just before writing instead
      if (mode === 'unsupported' && !(await this.etagUnchanged(t))) throw new ObjectChangedError(t.dst, undefined, 'its ETag changed');
    } catch (err) {
      body.destroy();
      throw err;
    }
    try {
      const written = await this.upload({
        ref: t.dst,
        body,
        contentLength: t.src.contentLength,
        sseKey: t.dstKey,
        attributes: t.src,
        tagging,
        ifMatch,
        errorContext: { kind: 'write', object: t.dst, readKeySent: false, insecureEndpoint: t.insecure },
        sourceRef: refOf(t.src),
      });
      return { ...written, method: 'streamed' };
    } catch (err) {
      body.destroy();
      if (err instanceof ObjectChangedError && (mode === 'quoted' || mode === 'unquoted') && (await this.etagUnchanged(t))) {
        // 412 although the ETag still matches: radosgw compares If-Match on PUT with the unquoted ETag,
        // and in versioned buckets fails every If-Match. Step down once per bucket and retry.
        this.writeConditions.set(t.dst.bucket, mode === 'quoted' ? 'unquoted' : 'unsupported');
        return this.streamedCopy(t);
      }
      throw err;
    }
  }

  /** After a 412 on a conditional write: is the destination still at the ETag we conditioned on? */
  private async etagUnchanged(t: TransferSpec): Promise<boolean> {
    for (const key of [t.srcKey, t.dstKey]) {
      try {
        const now = await this.s3.send(new HeadObjectCommand({ Bucket: t.dst.bucket, Key: t.dst.key, ...key.requestParams() }));
        return now.ETag === t.ifMatch;
      } catch {
        // try the other key; anything else means "changed"
      }
    }
    return false;
  }

  /** The object's tags as a query string (tags are not encrypted: no SSE-C key needed). */
  private async tagsOf(src: SseCObjectInfo): Promise<string | undefined> {
    try {
      const out = await this.s3.send(new GetObjectTaggingCommand({ Bucket: src.bucket, Key: src.key, VersionId: src.versionId }));
      const tags = out.TagSet ?? [];
      return tags.length ? tags.map((tag) => `${encodeURIComponent(tag.Key ?? '')}=${encodeURIComponent(tag.Value ?? '')}`).join('&') : undefined;
    } catch (err) {
      throw mapSseCError(err, { kind: 'read', object: refOf(src), readKeySent: false });
    }
  }

  private async upload(u: UploadSpec): Promise<SseCWriteResult> {
    const { ref } = u;
    const known = u.contentLength ?? (typeof u.body === 'string' ? Buffer.byteLength(u.body) : u.body instanceof Uint8Array ? u.body.byteLength : undefined);
    const partSize = known !== undefined ? Math.max(this.partSize, Math.ceil(known / MAX_MULTIPART_PARTS / MiB) * MiB) : this.partSize;
    const params = {
      Bucket: ref.bucket,
      Key: ref.key,
      ...attributeParams(u.attributes),
      Tagging: u.tagging,
      IfMatch: u.ifMatch,
      IfNoneMatch: u.ifNoneMatch,
      ...u.sseKey.requestParams(),
    };
    if (!(u.body instanceof Readable) && known !== undefined && known <= partSize) {
      // small in-memory body: one PutObject, without lib-storage's machinery
      try {
        const out = await this.s3.send(new PutObjectCommand({ ...params, Body: u.body, ContentLength: known }), { abortSignal: u.abortSignal });
        u.onProgress?.({ loaded: known, total: known });
        return { bucket: ref.bucket, key: ref.key, etag: out.ETag, versionId: out.VersionId, size: known };
      } catch (err) {
        throw mapSseCError(err, u.errorContext);
      }
    }
    let body: Readable | Uint8Array | string = u.body;
    let counter: LengthCheckStream | undefined;
    if (u.body instanceof Readable || u.abortSignal) {
      // count (and enforce a declared length) so a short or long stream fails the upload instead of writing it
      const source = u.body instanceof Readable ? u.body : Readable.from([typeof u.body === 'string' ? Buffer.from(u.body) : u.body]);
      counter = new LengthCheckStream(u.contentLength, (n) =>
        u.sourceRef
          ? new IncompleteBodyError(u.sourceRef, u.contentLength ?? 0, n)
          : new S3EncryptionError('BodyLengthMismatch', `the body of s3://${ref.bucket}/${ref.key} has ${n}+ bytes, not the declared contentLength ${u.contentLength}`),
      );
      pipeline(source, counter, { signal: u.abortSignal }).catch((err) => counter?.destroy(err));
      body = counter;
    }
    const upload = new Upload({
      client: this.s3,
      partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
      params: { ...params, Body: body, ContentLength: known },
    });
    if (u.onProgress) {
      const onProgress = u.onProgress;
      upload.on('httpUploadProgress', (p) => onProgress({ loaded: p.loaded ?? 0, ...(p.total !== undefined ? { total: p.total } : {}) }));
    }
    let out;
    try {
      out = await upload.done();
    } catch (err) {
      // the stream's own error (truncated source, abort) says more than the upload's
      const cause = counter?.errored ?? err;
      counter?.destroy(); // the upload stopped reading: release the source (file, socket)
      throw mapSseCError(cause instanceof S3EncryptionError ? cause : err, u.errorContext);
    }
    const size = counter ? counter.bytes : (known ?? 0);
    if (u.tagging && size > partSize) {
      // radosgw ignores Tagging on CreateMultipartUpload; setting the tags again is harmless on AWS
      try {
        await this.s3.send(new PutObjectTaggingCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: out.VersionId, Tagging: { TagSet: parseTagging(u.tagging) } }));
      } catch (err) {
        throw mapSseCError(err, u.errorContext);
      }
    }
    return { bucket: ref.bucket, key: ref.key, etag: out.ETag || undefined, versionId: out.VersionId, size };
  }
}

interface TransferSpec {
  readonly src: SseCObjectInfo;
  readonly srcKey: SseCKey;
  readonly dst: S3ObjectRef;
  readonly dstKey: SseCKey;
  readonly ifMatch?: string;
  readonly strategy: SseCCopyStrategy;
  readonly insecure?: string;
}

interface UploadSpec {
  readonly ref: S3ObjectRef;
  readonly body: Readable | Uint8Array | string;
  readonly contentLength?: number;
  readonly sseKey: SseCKey;
  /** Headers and metadata to write; `storageClass` is set when copying an object that has one. */
  readonly attributes: ObjectAttributes & { readonly storageClass?: string };
  readonly tagging?: string;
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
  readonly onProgress?: (progress: TransferProgress) => void;
  readonly abortSignal?: AbortSignal;
  readonly errorContext: SseCErrorContext;
  /** Set when the body is another object's content: a length mismatch then means that download was cut short. */
  readonly sourceRef?: S3ObjectRef;
}

function refOf(p: { bucket: string; key: string; versionId?: string }): S3ObjectRef {
  return p.versionId !== undefined ? { bucket: p.bucket, key: p.key, versionId: p.versionId } : { bucket: p.bucket, key: p.key };
}

function readContext(ref: S3ObjectRef, sseKey: SseCKey | undefined, insecure: string | undefined): SseCErrorContext {
  return { kind: 'read', object: ref, readKeySent: sseKey !== undefined, readKeyLabel: sseKey?.label, insecureEndpoint: insecure };
}

function copyContext(t: TransferSpec): SseCErrorContext {
  return { kind: 'copy', object: refOf(t.src), readKeySent: true, readKeyLabel: t.srcKey.label, insecureEndpoint: t.insecure };
}

function parseTagging(tagging: string): Array<{ Key: string; Value: string }> {
  return [...new URLSearchParams(tagging)].map(([Key, Value]) => ({ Key, Value }));
}

function attributeParams(a: ObjectAttributes & { storageClass?: string }) {
  return {
    ContentType: a.contentType,
    CacheControl: a.cacheControl,
    ContentDisposition: a.contentDisposition,
    ContentEncoding: a.contentEncoding,
    ContentLanguage: a.contentLanguage,
    Metadata: a.metadata,
    StorageClass: a.storageClass as StorageClass | undefined,
  };
}

function toInfo(ref: S3ObjectRef, out: HeadObjectCommandOutput | GetObjectCommandOutput): SseCObjectInfo {
  const info: Record<string, unknown> = {
    bucket: ref.bucket,
    key: ref.key,
    versionId: out.VersionId,
    etag: out.ETag,
    contentLength: out.ContentLength ?? 0,
    lastModified: out.LastModified,
    contentType: out.ContentType,
    cacheControl: out.CacheControl,
    contentDisposition: out.ContentDisposition,
    contentEncoding: out.ContentEncoding,
    contentLanguage: out.ContentLanguage,
    metadata: out.Metadata && Object.keys(out.Metadata).length ? out.Metadata : undefined,
    storageClass: out.StorageClass && out.StorageClass !== 'STANDARD' ? out.StorageClass : undefined,
    sseCKeyMd5: out.SSECustomerKeyMD5,
    tagCount: (out as { TagCount?: number }).TagCount,
  };
  for (const k of Object.keys(info)) if (info[k] === undefined) delete info[k];
  return info as unknown as SseCObjectInfo;
}
