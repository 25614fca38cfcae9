import type { Readable } from 'node:stream';
import { CopyObjectCommand, GetObjectCommand, type GetObjectCommandOutput, HeadObjectCommand } from '@aws-sdk/client-s3';
import { S3EncryptionError } from '../errors';
import { attributeParams } from '../s3/attributes';
import { ConditionalWrites } from '../s3/conditional-write';
import { copySource, MAX_COPY_OBJECT_BYTES, multipartCopy, sameVersion } from '../s3/copy';
import { isCopyNotImplemented, isCopyToItselfRefused, NoncurrentVersionError, ObjectChangedError } from '../s3/errors';
import { refOf, type S3ObjectRef } from '../s3/object-ref';
import { formatTagging, getObjectTags } from '../s3/tagging';
import { mapSseCError, type SseCErrorContext } from './error-mapping';
import { SseCNotApplicableError, SseCWrongKeyError } from './errors';
import { readContext, type SseCGetPipeline } from './get-pipeline';
import type { SseCPutPipeline } from './put-pipeline';
import type { SseCKey } from './sse-c-key';
import type {
  SseCCopyParams,
  SseCCopyResult,
  SseCCopyStrategy,
  SseCObjectInfo,
  SseCRekeyParams,
  SseCRekeyResult,
  SseCWriteResult,
} from './sse-c-object-types';
import type { SseCSettings } from './sse-c-settings';

/** One copy: a checked source, its key, the destination and its key. */
interface TransferSpec {
  readonly src: SseCObjectInfo;
  readonly srcKey: SseCKey;
  readonly dst: S3ObjectRef;
  readonly dstKey: SseCKey;
  /** The ETag the destination must still have (re-keying in place). */
  readonly ifMatch?: string;
  readonly strategy: SseCCopyStrategy;
  readonly insecure?: string;
}

/**
 * SSE-C copies and re-keying. Bytes move server-side (CopyObject; UploadPartCopy above 5 GiB) where the
 * server can copy from an SSE-C source, else through this process (a GET piped into a put); `auto` falls
 * back to streaming once the server answered 501, and remembers that for the client's lifetime.
 */
export class SseCCopyPipeline {
  /** Set once the server answered 501 to a copy from an SSE-C source (radosgw). */
  private serverSideCopyUnsupported = false;
  private readonly conditionalWrites = new ConditionalWrites();

  constructor(
    private readonly settings: SseCSettings,
    private readonly gets: SseCGetPipeline,
    private readonly puts: SseCPutPipeline,
  ) {}

  /** `SseCObjectClient.copy`, once the endpoint was checked. */
  public async copy(params: SseCCopyParams, insecure: string | undefined): Promise<SseCCopyResult> {
    const src = await this.gets.head(refOf(params.source), params.source.sseKey, insecure);
    return this.transfer({
      src,
      srcKey: params.source.sseKey,
      dst: { bucket: params.destination.bucket, key: params.destination.key },
      dstKey: params.destination.sseKey,
      ifMatch: params.ifMatch,
      strategy: params.strategy ?? this.settings.copyStrategy,
      insecure,
    });
  }

  /** `SseCObjectClient.rekey`, once the endpoint was checked. */
  public async rekey(params: SseCRekeyParams, insecure: string | undefined): Promise<SseCRekeyResult> {
    const ref = { bucket: params.bucket, key: params.key };
    let src: SseCObjectInfo;
    try {
      src = await this.gets.head(ref, params.from, insecure);
    } catch (err) {
      if (!(err instanceof SseCWrongKeyError)) throw err;
      let current: SseCObjectInfo;
      try {
        current = await this.gets.head(ref, params.to, insecure);
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
      strategy: params.strategy ?? this.settings.copyStrategy,
      insecure,
    });
    return { outcome: 'rekeyed', method: result.method, versionId: result.versionId, previousVersionId: src.versionId, size: result.size };
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
    if (t.src.contentLength > MAX_COPY_OBJECT_BYTES) return this.multipartCopy(t);
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
      out = await this.settings.s3.send(new CopyObjectCommand({ ...base, MetadataDirective: 'COPY' }));
    } catch (err) {
      if (!isCopyToItselfRefused(err)) throw mapSseCError(err, ctx);
      // Some servers see a same-object copy that only changes the SSE-C key as "nothing changed";
      // restating the metadata (REPLACE) makes it a legal in-place copy.
      try {
        out = await this.settings.s3.send(new CopyObjectCommand({ ...base, MetadataDirective: 'REPLACE', ...attributeParams(t.src) }));
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
        s3: this.settings.s3,
        source: t.src,
        sourceEtag: t.src.etag,
        size: t.src.contentLength,
        destination: t.dst,
        createParams: { ...attributeParams(t.src), Tagging: tagging, ...t.dstKey.requestParams() },
        partParams: { ...t.srcKey.copySourceParams(), ...t.dstKey.requestParams() },
        completeParams: { IfMatch: t.ifMatch, ...t.dstKey.requestParams() },
        partSize: this.settings.copyPartSize,
        concurrency: this.settings.queueSize,
      });
      return { bucket: t.dst.bucket, key: t.dst.key, etag: done.ETag, versionId: done.VersionId, size: t.src.contentLength, method: 'server-side' };
    } catch (err) {
      throw mapSseCError(err, ctx);
    }
  }

  /** GET piped into a put; in place (re-keying), the put is conditional on the ETag the source was read at. */
  private async streamedCopy(t: TransferSpec): Promise<SseCCopyResult> {
    const written = t.ifMatch === undefined
      ? await this.streamOnce(t, undefined)
      : await this.conditionalWrites.write({
        bucket: t.dst.bucket,
        etag: t.ifMatch,
        write: (ifMatch) => this.streamOnce(t, ifMatch),
        stillMatches: () => this.etagUnchanged(t),
        changed: () => new ObjectChangedError(t.dst, undefined, 'its ETag changed'),
      });
    return { ...written, method: 'streamed' };
  }

  private async streamOnce(t: TransferSpec, ifMatch: string | undefined): Promise<SseCWriteResult> {
    let got: GetObjectCommandOutput;
    try {
      got = await this.settings.s3.send(
        new GetObjectCommand({ Bucket: t.src.bucket, Key: t.src.key, VersionId: t.src.versionId, IfMatch: t.src.etag, ...t.srcKey.requestParams() }),
      );
    } catch (err) {
      throw mapSseCError(err, readContext(refOf(t.src), t.srcKey, t.insecure));
    }
    const body = got.Body as Readable;
    try {
      if (!t.srcKey.matchesMd5(got.SSECustomerKeyMD5)) throw new SseCNotApplicableError(refOf(t.src));
      const tagging = (got.TagCount ?? 0) > 0 ? await this.tagsOf(t.src) : undefined;
      return await this.puts.upload({
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
    } catch (err) {
      body.destroy();
      throw err;
    }
  }

  /** After a 412 on a conditional write: is the destination still at the ETag we conditioned on? */
  private async etagUnchanged(t: TransferSpec): Promise<boolean> {
    for (const key of [t.srcKey, t.dstKey]) {
      try {
        const now = await this.settings.s3.send(new HeadObjectCommand({ Bucket: t.dst.bucket, Key: t.dst.key, ...key.requestParams() }));
        return now.ETag === t.ifMatch;
      } catch {
        // try the other key; anything else means "changed"
      }
    }
    return false;
  }

  /** The source's tags as a query string. */
  private async tagsOf(src: SseCObjectInfo): Promise<string | undefined> {
    try {
      return formatTagging(await getObjectTags(this.settings.s3, refOf(src)));
    } catch (err) {
      throw mapSseCError(err, { kind: 'read', object: refOf(src), readKeySent: false });
    }
  }
}

function copyContext(t: TransferSpec): SseCErrorContext {
  return { kind: 'copy', object: refOf(t.src), readKeySent: true, readKeyLabel: t.srcKey.label, insecureEndpoint: t.insecure };
}
