import type { S3Client } from '@aws-sdk/client-s3';
import { memoizedTlsCheck } from '../s3-client-factory';
import { MIN_PART_SIZE } from '../s3/multipart';
import { ClientSideEncryption, type ClientSideEncryptionConfig } from './client-side-encryption';
import { deleteEncryptedObject, deleteEncryptedObjects } from './delete-pipeline';
import { ClientSideConfigurationError } from './errors';
import { EncryptedGetPipeline } from './get-pipeline';
import { INSTRUCTION_FILE_SUFFIX } from './metadata/metadata-keys';
import { EncryptedPutPipeline } from './put-pipeline';
import type {
  DeleteEncryptedObjectParams,
  DeleteEncryptedObjectResult,
  DeleteEncryptedObjectsParams,
  DeleteEncryptedObjectsResult,
  GetEncryptedObjectParams,
  GetEncryptedObjectResult,
  PutEncryptedObjectParams,
  PutEncryptedObjectResult,
  S3EncryptionClientOptions,
} from './s3-encryption-types';

export type * from './s3-encryption-types';

const MiB = 1024 * 1024;
/** Default plaintext bytes per multipart part (a multiple of 16; 10,000 parts cover the 64 GiB GCM limit). */
export const DEFAULT_ENCRYPTED_PART_SIZE = 8 * MiB;

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
 *
 * A façade, as the Java S3 Encryption Client v4 is: it checks the endpoint once per client and hands each
 * call to its pipeline (`put-pipeline.ts`, `get-pipeline.ts`, `delete-pipeline.ts`), which build on
 * `ClientSideEncryption` and the shared S3 layer (`../s3`).
 */
export class S3EncryptionClient {
  /** The client-side encryption configuration (keyring, format, policy, authentication mode). */
  public readonly encryption: ClientSideEncryption;
  /** The S3 client requests go through. */
  public readonly s3: S3Client;
  private readonly checkEndpoint: () => Promise<unknown>;
  private readonly puts: EncryptedPutPipeline;
  private readonly gets: EncryptedGetPipeline;

  constructor(options: S3EncryptionClientOptions) {
    if (!options?.client) throw new ClientSideConfigurationError('S3EncryptionClient needs an S3Client (options.client), e.g. from createS3Client().');
    this.s3 = options.client;
    this.encryption = 'encryption' in options && options.encryption instanceof ClientSideEncryption
      ? options.encryption
      : new ClientSideEncryption(options as ClientSideEncryptionConfig);
    this.checkEndpoint = memoizedTlsCheck(this.s3, options.allowInsecureHttp ?? false);
    const partSize = options.partSize ?? DEFAULT_ENCRYPTED_PART_SIZE;
    if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE || partSize % 16 !== 0) {
      throw new ClientSideConfigurationError(`partSize must be a multiple of 16 bytes and at least 5 MiB (S3's minimum part size); got ${options.partSize}.`);
    }
    const queueSize = options.queueSize ?? 4;
    if (!Number.isSafeInteger(queueSize) || queueSize < 1) throw new ClientSideConfigurationError(`queueSize must be a positive integer; got ${options.queueSize}.`);
    const instructionFileSuffix = options.instructionFileSuffix ?? INSTRUCTION_FILE_SUFFIX;
    if (!instructionFileSuffix) throw new ClientSideConfigurationError('instructionFileSuffix must not be empty.');
    this.puts = new EncryptedPutPipeline(this.s3, this.encryption, { partSize, queueSize });
    this.gets = new EncryptedGetPipeline(this.s3, this.encryption, instructionFileSuffix);
  }

  /**
   * Encrypts and uploads an object. Resolves once the object (and its instruction file) is stored.
   * Fails with EncryptedUploadError once anything was sent: the multipart upload is aborted and an
   * instruction file written by this call is undone; retry the whole put.
   */
  public async putObject(params: PutEncryptedObjectParams): Promise<PutEncryptedObjectResult> {
    await this.checkEndpoint();
    return this.puts.put(params);
  }

  /**
   * Downloads and decrypts an object. Resolves after every metadata and key check (typed errors,
   * nothing decrypted); the returned body then fails with a typed error if the content does not
   * authenticate. Buffered mode (default) releases nothing until the tag verified; objects above
   * `bufferSize` fail with BufferLimitExceededError before the key is unwrapped.
   */
  public async getObject(params: GetEncryptedObjectParams): Promise<GetEncryptedObjectResult> {
    await this.checkEndpoint();
    return this.gets.get(params);
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
    return deleteEncryptedObject(this.s3, params);
  }

  /**
   * Deletes many objects and their instruction files with DeleteObjects (500 objects per request).
   * Resolves with the keys that could not be deleted (objects or instruction files), if any.
   */
  public async deleteObjects(params: DeleteEncryptedObjectsParams): Promise<DeleteEncryptedObjectsResult> {
    await this.checkEndpoint();
    return deleteEncryptedObjects(this.s3, params);
  }
}
