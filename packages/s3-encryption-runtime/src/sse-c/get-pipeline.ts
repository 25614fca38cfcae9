import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { attributesOf, withoutUndefined } from '../s3/attributes';
import { httpStatusOf, IncompleteBodyError } from '../s3/errors';
import { LengthCheckStream } from '../s3/length-check-stream';
import { refOf, type S3ObjectRef } from '../s3/object-ref';
import { mapSseCError, type SseCErrorContext } from './error-mapping';
import { SseCNotApplicableError } from './errors';
import type { SseCKey } from './sse-c-key';
import type { SseCGetParams, SseCGetResult, SseCObjectInfo } from './sse-c-object-types';

/** SSE-C reads: GET as a length-checked stream, HEAD with the key checked, and errors that say which key is wrong. */
export class SseCGetPipeline {
  constructor(private readonly s3: S3Client) {}

  /** `SseCObjectClient.get`, once the endpoint was checked. */
  public async get(params: SseCGetParams, insecure: string | undefined): Promise<SseCGetResult> {
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
    const info = objectInfo(ref, out);
    const checked = new LengthCheckStream(info.contentLength, (n) => new IncompleteBodyError(ref, info.contentLength, n));
    pipeline(raw, checked).catch(() => undefined); // errors surface on `checked`
    return { ...info, contentRange: out.ContentRange, body: checked };
  }

  /** HEAD of an object with its SSE-C key (if any): what S3 reports, after checking the key applies. */
  public async head(ref: S3ObjectRef, sseKey: SseCKey | undefined, insecure: string | undefined, ifMatch?: string): Promise<SseCObjectInfo> {
    let out: HeadObjectCommandOutput;
    try {
      out = await this.s3.send(
        new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId, IfMatch: ifMatch, ...sseKey?.requestParams() }),
      );
    } catch (err) {
      throw mapSseCError(await this.explainHeadError(err, ref, sseKey), readContext(ref, sseKey, insecure));
    }
    if (sseKey && !sseKey.matchesMd5(out.SSECustomerKeyMD5)) throw new SseCNotApplicableError(ref);
    return objectInfo(ref, out);
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
}

/** How a failed read of `ref` maps to typed errors. */
export function readContext(ref: S3ObjectRef, sseKey: SseCKey | undefined, insecure: string | undefined): SseCErrorContext {
  return { kind: 'read', object: ref, readKeySent: sseKey !== undefined, readKeyLabel: sseKey?.label, insecureEndpoint: insecure };
}

function objectInfo(ref: S3ObjectRef, out: HeadObjectCommandOutput | GetObjectCommandOutput): SseCObjectInfo {
  return withoutUndefined({
    bucket: ref.bucket,
    key: ref.key,
    versionId: out.VersionId,
    etag: out.ETag,
    contentLength: out.ContentLength ?? 0,
    lastModified: out.LastModified,
    ...attributesOf(out),
    sseCKeyMd5: out.SSECustomerKeyMD5,
    tagCount: (out as { TagCount?: number }).TagCount,
  });
}
