import { pipeline, type Readable } from 'node:stream';
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { refOf } from '../s3/object-ref';
import type { ClientSideEncryption } from './client-side-encryption';
import { LegacyModeDisabledError, RangedGetError } from './errors';
import { instructionFileKey } from './instruction-file';
import { readInstructionFile } from './instruction-file-store';
import { requiresInstructionFile } from './metadata/decode-metadata';
import { mapReadError } from './s3-errors';
import type { GetEncryptedObjectParams, GetEncryptedObjectResult } from './s3-encryption-types';
import { AuthenticationMode } from './streams/decrypt-stream';
import { parseContentRange, parseRangeHeader, planRangedGet, type RangedGetPlan } from './streams/ranged-get';
import { userMetadataOf } from './user-metadata';

/**
 * Encrypted gets: the object, then its instruction file when its metadata needs one, every metadata and
 * key check (typed errors, nothing decrypted), and the body piped through the decryptor. Ranged reads
 * (AES-CTR, unauthenticated) are refused before any request unless legacy unauthenticated modes are on.
 */
export class EncryptedGetPipeline {
  constructor(
    private readonly s3: S3Client,
    private readonly encryption: ClientSideEncryption,
    private readonly instructionFileSuffix: string,
  ) {}

  /** `S3EncryptionClient.getObject`, once the endpoint was checked. */
  public async get(params: GetEncryptedObjectParams): Promise<GetEncryptedObjectResult> {
    const ref = refOf(params);
    const plan = params.range === undefined ? undefined : this.rangePlan(params.range);

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
        // GCM: the stored body is the plaintext plus the tag. Legacy CBC: the plaintext plus 1 to 16 bytes of
        // padding, known only once the last block is decrypted, so the length is not reported.
        const plaintextLength = out.ContentLength === undefined || md.suite.legacy ? undefined : out.ContentLength - md.suite.tagLength;
        const transform = decryptor.createDecryptStream();
        pipeline(body, transform, () => undefined); // errors surface on `transform`
        return {
          ...common,
          body: transform,
          ...(plaintextLength !== undefined ? { contentLength: plaintextLength } : {}),
          authentication: md.suite.legacy ? 'none' : this.encryption.authentication === AuthenticationMode.BUFFERED ? 'buffered' : 'delayed',
        };
      }

      const contentRange = parseContentRange(out.ContentRange!);
      const transform = decryptor.createRangeDecryptStream(plan, contentRange);
      pipeline(body, transform, () => undefined);
      const plaintextTotal = contentRange.total - md.suite.tagLength;
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

  /** The ranged-GET plan of a requested range, after the opt-in check (before any request). */
  private rangePlan(range: NonNullable<GetEncryptedObjectParams['range']>): RangedGetPlan {
    if (!this.encryption.enableLegacyUnauthenticatedModes) {
      throw new LegacyModeDisabledError('enableLegacyUnauthenticatedModes', 'Ranged reads decrypt with AES-CTR and never check the GCM tag.');
    }
    const parsed = typeof range === 'string' ? parseRangeHeader(range) : range;
    if (!parsed) {
      const shown = typeof range === 'string' ? range : JSON.stringify(range);
      throw new RangedGetError(`The range ${JSON.stringify(shown.slice(0, 60))} is not of the form bytes=a-b or bytes=a- (suffix and multiple ranges are not supported); pass { start, end }.`);
    }
    return planRangedGet(parsed);
  }
}
