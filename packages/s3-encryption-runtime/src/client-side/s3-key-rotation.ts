import {
  CopyObjectCommand,
  type CopyObjectCommandInput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { memoizedTlsCheck } from '../s3-client-factory';
import { ConditionalWrites } from '../s3/conditional-write';
import { copySource, MAX_COPY_OBJECT_BYTES, multipartCopy, restatedHeaders, sameVersion } from '../s3/copy';
import { httpStatusOf, NoncurrentVersionError, ObjectChangedError, SseCKeyRequiredError } from '../s3/errors';
import { getObjectTags, putObjectTags } from '../s3/tagging';
import { S3_USER_METADATA_LIMIT_BYTES, userMetadataBytes } from './client-side-encryption';
import { MetadataStrategy } from './content-format';
import { type DataKeyRotation } from './data-key-rotation';
import { ClientSideConfigurationError, ClientSideUsageError } from './errors';
import { instructionFileKey } from './instruction-file';
import { readInstructionFile, replaceInstructionFile } from './instruction-file-store';
import { decodeContentMetadata, MAX_INSTRUCTION_FILE_BYTES, requiresInstructionFile } from './metadata/decode-metadata';
import { encodeContentMetadata } from './metadata/encode-metadata';
import { ALL_CONTENT_METADATA_KEYS, INSTRUCTION_FILE_SUFFIX, MetadataKeys } from './metadata/metadata-keys';
import { mapObjectError } from './s3-errors';
import { userMetadataOf } from './user-metadata';

export { MAX_COPY_OBJECT_BYTES } from '../s3/copy';

const MiB = 1024 * 1024;

/** Options of {@link S3ObjectKeyRotator}. */
export interface S3ObjectKeyRotatorOptions {
  /** The S3 client, e.g. from `createS3Client`. */
  readonly client: S3Client;
  /** The old and new key-encryption keys. */
  readonly rotation: DataKeyRotation;
  /** Allow a plain-HTTP endpoint (tests only). @default false */
  readonly allowInsecureHttp?: boolean;
  /** Objects larger than this are rewritten with UploadPartCopy instead of CopyObject. @default 5 GiB (S3's CopyObject limit) */
  readonly maxCopyObjectBytes?: number;
  /** Part size of such multipart copies (at least 5 MiB). @default 512 MiB */
  readonly copyPartSize?: number;
  /** Suffix of instruction files. @default '.instruction' */
  readonly instructionFileSuffix?: string;
}

/** Which object to rotate. */
export interface RotateObjectKeyParams {
  /** Bucket name. */
  readonly bucket: string;
  /** Object key. */
  readonly key: string;
  /**
   * The version expected to be current (e.g. from an inventory manifest). Rotating metadata writes a new
   * current version, so another current version fails with NoncurrentVersionError instead of resurrecting old content.
   * @default - whatever version is current
   */
  readonly expectedVersionId?: string;
}

/** What {@link S3ObjectKeyRotator.rotate} did. */
export interface ObjectKeyRotationResult {
  /**
   * `rotated`; `already-current` when the data key was already wrapped under the new key; `instruction-file`
   * when the object is itself an instruction file (inventories list them too): it is rotated with its object.
   */
  readonly outcome: 'rotated' | 'already-current' | 'instruction-file';
  /** Where the object's wrapped key lives. */
  readonly location: MetadataStrategy;
  /** The object's format version. */
  readonly formatVersion: 1 | 2 | 3;
  /** The old key that opened it (rotated only). */
  readonly from?: string;
  /** The new key. */
  readonly to: string;
  /**
   * How the metadata was rewritten (rotated only): the instruction file was replaced, or the object was
   * copied onto itself with new metadata (CopyObject, or UploadPartCopy above 5 GiB); the body bytes never change.
   */
  readonly method?: 'instruction-file' | 'copy-object' | 'multipart-copy';
  /** How the data key moved: KMS ReEncrypt (never left KMS) or unwrap and wrap. */
  readonly rewrap?: 'kms-reencrypt' | 'unwrap-and-wrap';
  /** Version id of the object (of the new version in metadata mode), in versioned buckets. */
  readonly versionId?: string;
}

/**
 * Key-encryption-key rotation of S3 objects written by an S3 Encryption Client: re-wraps each
 * object's data key under the new key and rewrites ONLY the encryption metadata, never the content.
 *
 * - Instruction-file objects: `<key>.instruction` is replaced (conditional on its ETag); the object
 *   itself is untouched, so its ETag, version and Last-Modified stay as they are.
 * - Object-metadata objects: CopyObject of the object onto itself (MetadataDirective REPLACE,
 *   conditional on the ETag just read), which keeps the body bytes, the other user metadata, the
 *   standard headers, the tags (TaggingDirective COPY), the storage class and SSE-KMS/DSSE-KMS settings.
 *   SSE-S3 objects are copied without an encryption header, so they get the bucket's default encryption
 *   (SSE-S3, or SSE-KMS under the bucket key in an SSE-KMS bucket, whose policy would deny `AES256`).
 *   In versioned buckets this makes a new current version; noncurrent versions keep the old wrap.
 *   SSE-C objects cannot be copied without their key and fail; radosgw Pacific cannot copy SSE-KMS
 *   sources (501) either: use instruction files there.
 * Idempotent: an object already under the new key succeeds with `already-current`.
 */
export class S3ObjectKeyRotator {
  private readonly s3: S3Client;
  private readonly rotation: DataKeyRotation;
  private readonly checkEndpoint: () => Promise<unknown>;
  private readonly maxCopyObjectBytes: number;
  private readonly copyPartSize: number;
  private readonly suffix: string;
  /** How each bucket's server honours If-Match on PutObject (radosgw Pacific: unquoted only, none in versioned buckets). */
  private readonly conditionalWrites = new ConditionalWrites();

  constructor(options: S3ObjectKeyRotatorOptions) {
    if (!options?.client || !options.rotation) throw new ClientSideConfigurationError('S3ObjectKeyRotator needs an S3Client (client) and a DataKeyRotation (rotation).');
    this.s3 = options.client;
    this.rotation = options.rotation;
    this.checkEndpoint = memoizedTlsCheck(this.s3, options.allowInsecureHttp ?? false);
    this.maxCopyObjectBytes = options.maxCopyObjectBytes ?? MAX_COPY_OBJECT_BYTES;
    this.copyPartSize = options.copyPartSize ?? 512 * MiB;
    if (this.copyPartSize < 5 * MiB) throw new ClientSideConfigurationError(`copyPartSize must be at least 5 MiB; got ${options.copyPartSize}.`);
    this.suffix = options.instructionFileSuffix ?? INSTRUCTION_FILE_SUFFIX;
  }

  /** Rotates the data key wrap of one object. Throws typed errors; see the class comment. */
  public async rotate(params: RotateObjectKeyParams): Promise<ObjectKeyRotationResult> {
    await this.checkEndpoint();
    const ref = { bucket: params.bucket, key: params.key };
    let head: HeadObjectCommandOutput;
    try {
      head = await this.s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    } catch (err) {
      // a HEAD without SSE-C headers fails with 400 only for an SSE-C object (AWS: no body; radosgw: InvalidArgument)
      throw httpStatusOf(err) === 400 ? new SseCKeyRequiredError(ref, err) : mapObjectError(err, ref);
    }
    if (params.expectedVersionId !== undefined && !sameVersion(params.expectedVersionId, head.VersionId)) {
      throw new NoncurrentVersionError({ ...ref, versionId: params.expectedVersionId }, head.VersionId);
    }
    const metadata = head.Metadata ?? {};
    if (await this.isInstructionFile(ref, head)) {
      return { outcome: 'instruction-file', location: MetadataStrategy.INSTRUCTION_FILE, formatVersion: 2, to: this.rotation.to.description };
    }
    const fileKey = instructionFileKey(ref.key, this.suffix);
    const file = requiresInstructionFile(metadata) ? await readInstructionFile(this.s3, { bucket: ref.bucket, key: fileKey }) : undefined;
    const stored = { metadata, instructionFileKey: fileKey, ...(file ? { instructionFile: file.body } : {}) };
    const md = decodeContentMetadata(stored);
    const common = { location: md.strategy, formatVersion: md.formatVersion, to: this.rotation.to.description };

    const outcome = await this.rotation.rewrap(stored, md);
    if (outcome.outcome === 'already-current') {
      return { outcome: 'already-current', ...common, ...(head.VersionId ? { versionId: head.VersionId } : {}) };
    }
    const encoded = encodeContentMetadata(outcome.contentMetadata, md.strategy);
    const done = { outcome: 'rotated' as const, ...common, from: outcome.from.description, rewrap: outcome.method };

    if (md.strategy === MetadataStrategy.INSTRUCTION_FILE) {
      await replaceInstructionFile(this.s3, this.conditionalWrites, { bucket: ref.bucket, key: fileKey }, encoded.instructionFile!, file!.etag);
      return { ...done, method: 'instruction-file', ...(head.VersionId ? { versionId: head.VersionId } : {}) };
    }
    const newMetadata: Record<string, string> = { ...userMetadataOf(metadata), ...encoded.metadata };
    const informational = metadata[MetadataKeys.UNENCRYPTED_CONTENT_LENGTH];
    if (informational !== undefined && md.formatVersion === 2) newMetadata[MetadataKeys.UNENCRYPTED_CONTENT_LENGTH] = informational;
    const size = userMetadataBytes(newMetadata);
    if (size > S3_USER_METADATA_LIMIT_BYTES) {
      throw new ClientSideUsageError(`The re-wrapped metadata would be ${size} bytes, over S3's ${S3_USER_METADATA_LIMIT_BYTES}-byte user-metadata limit; the object was left as it was. Re-encrypt it with instruction files.`);
    }
    if (!head.ETag) throw new ObjectChangedError(ref, undefined, 'S3 returned no ETag, so the copy cannot be made conditional');
    const copy = (head.ContentLength ?? 0) > this.maxCopyObjectBytes
      ? await this.multipartCopy(ref, head, newMetadata)
      : await this.copyOntoItself(ref, head, newMetadata);
    return { ...done, method: copy.method, ...(copy.versionId ? { versionId: copy.versionId } : {}) };
  }

  /**
   * CopyObject onto itself with the new metadata, only if the object is still the version and ETag we read:
   * CopySourceIfMatch (atomic on AWS), the copy source pinned to the version read, and, for servers that
   * ignore CopySourceIfMatch (radosgw Pacific), a HEAD right before the copy. Tags are read first and set
   * again after the copy, because radosgw drops them on a copy onto itself (harmless on AWS).
   */
  private async copyOntoItself(ref: { bucket: string; key: string }, head: HeadObjectCommandOutput, metadata: Record<string, string>) {
    const input: CopyObjectCommandInput = {
      Bucket: ref.bucket,
      Key: ref.key,
      CopySource: copySource({ ...ref, versionId: head.VersionId }),
      CopySourceIfMatch: head.ETag,
      MetadataDirective: 'REPLACE',
      TaggingDirective: 'COPY',
      Metadata: metadata,
      ...restatedHeadersOf(head),
    };
    try {
      const tags = await getObjectTags(this.s3, { ...ref, versionId: head.VersionId });
      await this.assertUnchanged(ref, head);
      const out = await this.s3.send(new CopyObjectCommand(input));
      if (tags.length > 0) await putObjectTags(this.s3, { ...ref, versionId: out.VersionId }, tags);
      return { method: 'copy-object' as const, versionId: out.VersionId };
    } catch (err) {
      throw mapObjectError(err, ref);
    }
  }

  /** Throws ObjectChangedError unless the current version is still the one read (same version id and ETag). */
  private async assertUnchanged(ref: { bucket: string; key: string }, head: HeadObjectCommandOutput): Promise<void> {
    const now = await this.s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    if (now.ETag !== head.ETag || !sameVersion(now.VersionId, head.VersionId)) throw new ObjectChangedError(ref, undefined, 'it was overwritten while its key was re-wrapped');
  }

  /** The same for objects over CopyObject's 5 GiB limit: UploadPartCopy of every range, tags set again afterwards. */
  private async multipartCopy(ref: { bucket: string; key: string }, head: HeadObjectCommandOutput, metadata: Record<string, string>) {
    try {
      const tags = await getObjectTags(this.s3, { ...ref, versionId: head.VersionId });
      const done = await multipartCopy({
        s3: this.s3,
        source: { ...ref, versionId: head.VersionId },
        sourceEtag: head.ETag,
        size: head.ContentLength ?? 0,
        destination: ref,
        createParams: { Metadata: metadata, ...restatedHeadersOf(head) },
        partSize: this.copyPartSize,
        concurrency: 1,
        beforeComplete: () => this.assertUnchanged(ref, head), // every part came from the version read
      });
      if (tags.length > 0) await putObjectTags(this.s3, { ...ref, versionId: done.VersionId }, tags);
      return { method: 'multipart-copy' as const, versionId: done.VersionId };
    } catch (err) {
      throw mapObjectError(err, ref);
    }
  }

  /**
   * True for an instruction file: it carries the `x-amz-crypto-instr-file` marker, or (writers such as the
   * Ruby SDK set no marker) its key ends with the suffix and its body is an S3EC envelope.
   */
  private async isInstructionFile(ref: { bucket: string; key: string }, head: HeadObjectCommandOutput): Promise<boolean> {
    const metadata = head.Metadata ?? {};
    if (Object.keys(metadata).some((k) => k.toLowerCase() === MetadataKeys.INSTRUCTION_FILE_MARKER)) return true;
    if (!ref.key.endsWith(this.suffix) || (head.ContentLength ?? 0) > MAX_INSTRUCTION_FILE_BYTES) return false;
    if (Object.keys(metadata).some((k) => ALL_CONTENT_METADATA_KEYS.includes(k.toLowerCase()))) return false;
    const file = await readInstructionFile(this.s3, ref);
    try {
      const parsed = JSON.parse(file?.body.toString('utf8') ?? '') as Record<string, unknown>;
      return parsed !== null && typeof parsed === 'object' && [MetadataKeys.KEY_V2, MetadataKeys.V3_KEY, MetadataKeys.KEY_V1].some((k) => k in parsed);
    } catch {
      return false;
    }
  }
}

/** The headers a copy of the object onto itself restates (SSE-S3 is left to the bucket default: see `restatedHeaders`). */
function restatedHeadersOf(head: HeadObjectCommandOutput) {
  if (head.SSECustomerAlgorithm) {
    throw new ClientSideUsageError('The object is also SSE-C encrypted; rotating its client-side key would need its SSE-C key to copy it. Use instruction files for such objects.');
  }
  return restatedHeaders(head);
}
