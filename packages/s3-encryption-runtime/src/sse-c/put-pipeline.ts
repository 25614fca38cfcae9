import type { Readable } from 'node:stream';
import { S3EncryptionError } from '../errors';
import { attributeParams, type StoredObjectAttributes } from '../s3/attributes';
import { IncompleteBodyError } from '../s3/errors';
import type { S3ObjectRef } from '../s3/object-ref';
import type { TransferProgress } from '../s3/progress';
import { uploadObject } from '../s3/upload';
import { mapSseCError, type SseCErrorContext } from './error-mapping';
import type { SseCKey } from './sse-c-key';
import type { SseCPutParams, SseCWriteResult } from './sse-c-object-types';
import type { SseCSettings } from './sse-c-settings';

/** One SSE-C write: a `put`, or the destination of a streamed copy. */
export interface SseCUpload {
  /** Where to. */
  readonly ref: S3ObjectRef;
  /** The content. */
  readonly body: Readable | Uint8Array | string;
  /** Exact length, when known. */
  readonly contentLength?: number;
  /** The key to encrypt with. */
  readonly sseKey: SseCKey;
  /** Headers and metadata to write; `storageClass` is set when copying an object that has one. */
  readonly attributes: StoredObjectAttributes;
  /** Tags as a query string. */
  readonly tagging?: string;
  /** Write only if the current object has this ETag (in the form the server needs). */
  readonly ifMatch?: string;
  /** `*`: write only if no object exists. */
  readonly ifNoneMatch?: string;
  /** Progress callback. */
  readonly onProgress?: (progress: TransferProgress) => void;
  /** Cancels the upload. */
  readonly abortSignal?: AbortSignal;
  /** How S3 errors of this write map to typed errors. */
  readonly errorContext: SseCErrorContext;
  /** Set when the body is another object's content: a length mismatch then means that download was cut short. */
  readonly sourceRef?: S3ObjectRef;
}

/** SSE-C writes: the request parameters of an SSE-C object and the mapping of its errors; the transfer is the S3 layer's. */
export class SseCPutPipeline {
  constructor(private readonly settings: SseCSettings) {}

  /** `SseCObjectClient.put`, once the endpoint was checked (`insecure`: the allowed plain-HTTP endpoint, if any). */
  public put(params: SseCPutParams, insecure: string | undefined): Promise<SseCWriteResult> {
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

  /** Writes one SSE-C object: one PutObject for small bodies, a multipart upload (aborted on failure) otherwise. */
  public async upload(u: SseCUpload): Promise<SseCWriteResult> {
    const { ref } = u;
    try {
      const out = await uploadObject({
        s3: this.settings.s3,
        params: {
          Bucket: ref.bucket,
          Key: ref.key,
          ...attributeParams(u.attributes),
          Tagging: u.tagging,
          IfMatch: u.ifMatch,
          IfNoneMatch: u.ifNoneMatch,
          ...u.sseKey.requestParams(),
        },
        body: u.body,
        contentLength: u.contentLength,
        partSize: this.settings.partSize,
        queueSize: this.settings.queueSize,
        onProgress: u.onProgress,
        abortSignal: u.abortSignal,
        lengthMismatch: (n) => u.sourceRef
          ? new IncompleteBodyError(u.sourceRef, u.contentLength ?? 0, n)
          : new S3EncryptionError('BodyLengthMismatch', `the body of s3://${ref.bucket}/${ref.key} has ${n}+ bytes, not the declared contentLength ${u.contentLength}`),
      });
      return { bucket: ref.bucket, key: ref.key, etag: out.etag, versionId: out.versionId, size: out.size };
    } catch (err) {
      throw mapSseCError(err, u.errorContext);
    }
  }
}
