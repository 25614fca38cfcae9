import { S3EncryptionError } from '../errors';
import { memoizedTlsCheck } from '../s3-client-factory';
import { MAX_COPY_OBJECT_BYTES } from '../s3/copy';
import { MIN_PART_SIZE } from '../s3/multipart';
import { refOf } from '../s3/object-ref';
import { SseCCopyPipeline } from './copy-pipeline';
import { SseCGetPipeline } from './get-pipeline';
import { SseCPutPipeline } from './put-pipeline';
import type {
  SseCCopyParams,
  SseCCopyResult,
  SseCGetParams,
  SseCGetResult,
  SseCObjectClientOptions,
  SseCObjectInfo,
  SseCPutParams,
  SseCReadParams,
  SseCRekeyParams,
  SseCRekeyResult,
  SseCWriteResult,
} from './sse-c-object-types';

export type * from './sse-c-object-types';

const MiB = 1024 * 1024;

/**
 * Reads and writes SSE-C objects through `@aws-sdk/client-s3` and `@aws-sdk/lib-storage`:
 * streaming multipart puts in constant memory (failed uploads are aborted), streaming gets that fail
 * on truncation, head, copy between keys, and re-keying that never leaves an object missing or half-written.
 * S3 errors become typed errors (see `error-mapping.ts`); key bytes never appear in any error.
 *
 * A façade: it checks the endpoint once per client and hands each call to its pipeline (`put-pipeline.ts`,
 * `get-pipeline.ts`, `copy-pipeline.ts`), which build on the shared S3 layer (`../s3`).
 */
export class SseCObjectClient {
  /** Refuses plain HTTP unless allowed (once per client); resolves to the endpoint when it is an allowed plain-HTTP one. */
  private readonly checkEndpoint: () => Promise<string | undefined>;
  private readonly puts: SseCPutPipeline;
  private readonly gets: SseCGetPipeline;
  private readonly copies: SseCCopyPipeline;

  constructor(options: SseCObjectClientOptions) {
    const settings = {
      s3: options.client,
      partSize: options.partSize ?? 6 * MiB,
      queueSize: options.queueSize ?? 3,
      copyStrategy: options.copyStrategy ?? 'auto',
      copyPartSize: options.copyPartSize ?? 512 * MiB,
    };
    if (settings.partSize < MIN_PART_SIZE) throw new S3EncryptionError('InvalidOption', `partSize must be at least 5 MiB (S3's minimum part size); got ${settings.partSize}`);
    if (!(settings.queueSize >= 1)) throw new S3EncryptionError('InvalidOption', `queueSize must be at least 1; got ${settings.queueSize}`);
    if (!(settings.copyPartSize >= MIN_PART_SIZE && settings.copyPartSize <= MAX_COPY_OBJECT_BYTES)) {
      throw new S3EncryptionError('InvalidOption', `copyPartSize must be between 5 MiB and 5 GiB (S3's part size limits); got ${settings.copyPartSize}`);
    }
    this.checkEndpoint = memoizedTlsCheck(settings.s3, options.allowInsecureHttp ?? false);
    this.puts = new SseCPutPipeline(settings);
    this.gets = new SseCGetPipeline(settings.s3);
    this.copies = new SseCCopyPipeline(settings, this.gets, this.puts);
  }

  /** Uploads `body` encrypted with `sseKey`: one PutObject for small bodies, a multipart upload otherwise. */
  public async put(params: SseCPutParams): Promise<SseCWriteResult> {
    return this.puts.put(params, await this.checkEndpoint());
  }

  /** Downloads an object as a stream of plaintext. Check `body` errors: a cut-short transfer fails the stream. */
  public async get(params: SseCGetParams): Promise<SseCGetResult> {
    return this.gets.get(params, await this.checkEndpoint());
  }

  /** Reads an object's metadata (and checks the key). */
  public async head(params: SseCReadParams): Promise<SseCObjectInfo> {
    return this.gets.head(refOf(params), params.sseKey, await this.checkEndpoint(), params.ifMatch);
  }

  /**
   * Copies an SSE-C object to another location and key: server-side where the server can copy from
   * SSE-C sources (AWS), else by streaming it through this process (radosgw), per `strategy`.
   */
  public async copy(params: SseCCopyParams): Promise<SseCCopyResult> {
    return this.copies.copy(params, await this.checkEndpoint());
  }

  /**
   * Re-encrypts the current version of an object from key `from` to key `to`, in place.
   * Idempotent: an object already under `to` succeeds with outcome `already-current`.
   * The new content replaces the old atomically and only if the object did not change meanwhile
   * (conditional write on its ETag); on failure the object stays as it was, under `from`.
   * In versioned buckets the old version remains as a noncurrent version under `from`.
   */
  public async rekey(params: SseCRekeyParams): Promise<SseCRekeyResult> {
    return this.copies.rekey(params, await this.checkEndpoint());
  }
}
