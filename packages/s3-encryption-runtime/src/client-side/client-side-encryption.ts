import { KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { truncate } from '../s3/object-ref';
import { DATA_KEY_LENGTH, GCM_MAX_PLAINTEXT_BYTES, V3_MESSAGE_ID_LENGTH } from './algorithm-suite';
import { assertPolicyAllowsDecrypt, type CommitmentPolicy } from './commitment-policy';
import { type ContentFormat, MetadataStrategy, resolveFormatAndPolicy, suiteForFormat } from './content-format';
import {
  ClientSideEncryptionError, DataKeyUnwrapError, ClientSideConfigurationError, ClientSideUsageError, KeyCommitmentError,
  LegacyModeDisabledError,
} from './errors';
import { deriveCommitment, deriveContentKey } from './key-derivation';
import { type Keyring, type WrappedDataKey } from './keyrings/keyring';
import { assertStringMap } from './keyrings/string-maps';
import { isLegacyWrappingAlgorithm, WrappingAlgorithm } from './keyrings/wrapping-algorithm';
import { type ContentMetadata, type EncodedContentMetadata } from './metadata/content-metadata';
import { decodeContentMetadata, type StoredContentMetadata } from './metadata/decode-metadata';
import { encodeContentMetadata } from './metadata/encode-metadata';
import { assertWithinBufferLimit, ObjectDecryptor } from './object-decryptor';
import { ObjectEncryptor } from './object-encryptor';
import { AuthenticationMode } from './streams/decrypt-stream';
import { type ContentRange, parseContentRange, type RangedGetPlan } from './streams/ranged-get';

/** Default limit of buffered authentication: 64 MiB of plaintext, as in the Java client. */
export const DEFAULT_BUFFER_SIZE = 64 * 1024 * 1024;
/** S3's limit on user-defined metadata per object (keys plus values). */
export const S3_USER_METADATA_LIMIT_BYTES = 2048;

/** Bytes of user metadata as S3 counts them against {@link S3_USER_METADATA_LIMIT_BYTES}: UTF-8 keys plus values. */
export function userMetadataBytes(metadata: Readonly<Record<string, string>>): number {
  return Object.entries(metadata).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}

/** Configuration of {@link ClientSideEncryption}. */
export interface ClientSideEncryptionConfig {
  /** Wraps and unwraps data keys: KmsKeyring, RawAesKeyring, RawRsaKeyring or your own. */
  readonly keyring: Keyring;
  /**
   * Format written. Must agree with `commitmentPolicy` (V3 with REQUIRE_*, V2 with FORBID_*).
   * @default V3, or V2 when commitmentPolicy is FORBID_ENCRYPT_ALLOW_DECRYPT
   */
  readonly format?: ContentFormat;
  /**
   * Which formats are written and read; checked before any key is unwrapped.
   * @default REQUIRE_ENCRYPT_ALLOW_DECRYPT (FORBID_ENCRYPT_ALLOW_DECRYPT when format is V2)
   */
  readonly commitmentPolicy?: CommitmentPolicy;
  /** Where the encryption metadata is written. Both locations are always read. @default OBJECT_METADATA */
  readonly metadataStrategy?: MetadataStrategy;
  /**
   * Read objects with legacy key wraps: `kms` (context not bound to the algorithm), `AESWrap`,
   * `RSA/ECB/OAEPWithSHA-256AndMGF1Padding` and unlabelled V1 wraps (AES-ECB, RSA PKCS#1 v1.5).
   * Never used for writing. @default false
   */
  readonly enableLegacyWrappingAlgorithms?: boolean;
  /**
   * Read unauthenticated content: legacy AES-CBC bodies (V1 and V2-with-CBC objects) and ranged
   * reads (AES-CTR, the GCM tag is never checked). Never used for writing. @default false
   */
  readonly enableLegacyUnauthenticatedModes?: boolean;
  /**
   * Stream plaintext before the GCM tag is verified; a tampered object then fails only at the end
   * of the stream, after plaintext was released. Needed for objects larger than `bufferSize`.
   * Cannot be combined with `bufferSize`. @default false (buffered authentication)
   */
  readonly enableDelayedAuthentication?: boolean;
  /**
   * Largest plaintext held in buffered-authentication mode, in bytes (16 B to 64 GiB).
   * @default 64 MiB
   */
  readonly bufferSize?: number;
}

/** Per-object encryption options. */
export interface EncryptOptions {
  /**
   * KMS encryption context for this object (KMS keyrings only; `aws:x-amz-cek-alg` is reserved).
   * Stored in the metadata in clear text. @default {}
   */
  readonly encryptionContext?: Readonly<Record<string, string>>;
  /** Overrides the client's metadataStrategy for this object. @default the client's */
  readonly metadataStrategy?: MetadataStrategy;
}

/** Per-object decryption options. */
export interface DecryptOptions {
  /**
   * The encryption context the caller expects (KMS objects). The stored context, without
   * `aws:x-amz-cek-alg` and `kms_cmk_id`, must equal it exactly. @default {}
   */
  readonly encryptionContext?: Readonly<Record<string, string>>;
  /** Set when the object will be read by range, so the unauthenticated-mode check happens before the key is unwrapped. @default undefined */
  readonly range?: RangedGetPlan;
}

/** An encrypted object held in memory, as it is (or would be) stored in S3. */
export interface EncryptedObject {
  /** Exactly the bytes PUT as the object body (ciphertext ‖ tag). */
  readonly body: Buffer;
  /** User metadata as S3 returns it (keys without `x-amz-meta-`). */
  readonly metadata: Record<string, string>;
  /** Body of `<key>.instruction` in instruction-file mode. */
  readonly instructionFile?: string;
}

/** An encrypted object whose body is a stream. */
export interface EncryptedObjectStream {
  /** The object body (ciphertext ‖ tag), produced as the plaintext is read, in constant memory. */
  readonly body: Readable;
  /** User metadata as S3 returns it (keys without `x-amz-meta-`). */
  readonly metadata: Record<string, string>;
  /** Body of `<key>.instruction` in instruction-file mode. */
  readonly instructionFile?: string;
}

/** A stored object to decrypt: its metadata (and instruction file) plus its body. */
export interface StoredObject<B> extends StoredContentMetadata {
  /** The object body as stored. */
  readonly body: B;
  /** The stored body length (Content-Length), if known: lets buffered mode reject a too-large object before reading it. */
  readonly contentLength?: number;
}

/**
 * Client-side encryption wire-compatible with the Amazon S3 Encryption Client (Java, Go, .NET,
 * Ruby, PHP, C++, Python), without any S3 calls: it produces and consumes object bodies, user
 * metadata and instruction files. An S3 client (phase 2: put/get, multipart) builds on
 * `createEncryptor` / `createDecryptor`.
 *
 * Writes V3 (key-committing) by default, V2 on request; reads V2 and V3, and V1/legacy behind
 * explicit opt-ins. Decryption releases no plaintext before the GCM tag verifies unless delayed
 * authentication is enabled.
 */
export class ClientSideEncryption {
  /** The format this client writes. */
  public readonly format: ContentFormat;
  /** The commitment policy in force. */
  public readonly commitmentPolicy: CommitmentPolicy;
  /** The keyring. */
  public readonly keyring: Keyring;
  /** Where metadata is written by default. */
  public readonly metadataStrategy: MetadataStrategy;
  /** Buffered or delayed authentication. */
  public readonly authentication: AuthenticationMode;
  /** Buffered-authentication limit in bytes. */
  public readonly bufferSize: number;
  /** Whether legacy key wraps are read. */
  public readonly enableLegacyWrappingAlgorithms: boolean;
  /** Whether unauthenticated modes (CBC bodies, ranged reads) are allowed. */
  public readonly enableLegacyUnauthenticatedModes: boolean;

  constructor(config: ClientSideEncryptionConfig) {
    if (!config || !config.keyring || typeof config.keyring.wrapDataKey !== 'function' || typeof config.keyring.unwrapDataKey !== 'function') {
      throw new ClientSideConfigurationError('ClientSideEncryption needs a keyring (KmsKeyring, RawAesKeyring, RawRsaKeyring or an object implementing Keyring).');
    }
    const resolved = resolveFormatAndPolicy(config.format, config.commitmentPolicy);
    this.format = resolved.format;
    this.commitmentPolicy = resolved.policy;
    this.keyring = config.keyring;
    this.metadataStrategy = config.metadataStrategy ?? MetadataStrategy.OBJECT_METADATA;
    if (!Object.values(MetadataStrategy).includes(this.metadataStrategy)) {
      throw new ClientSideConfigurationError(`Unknown metadataStrategy ${JSON.stringify(this.metadataStrategy)}.`);
    }
    if (config.enableDelayedAuthentication && config.bufferSize !== undefined) {
      throw new ClientSideConfigurationError('bufferSize applies to buffered authentication only; remove it or turn off enableDelayedAuthentication.');
    }
    const bufferSize = config.bufferSize ?? DEFAULT_BUFFER_SIZE;
    if (!Number.isSafeInteger(bufferSize) || bufferSize < 16 || bufferSize > GCM_MAX_PLAINTEXT_BYTES) {
      throw new ClientSideConfigurationError(`bufferSize must be an integer between 16 bytes and 64 GiB; got ${config.bufferSize}.`);
    }
    this.bufferSize = bufferSize;
    this.authentication = config.enableDelayedAuthentication ? AuthenticationMode.DELAYED : AuthenticationMode.BUFFERED;
    this.enableLegacyWrappingAlgorithms = config.enableLegacyWrappingAlgorithms === true;
    this.enableLegacyUnauthenticatedModes = config.enableLegacyUnauthenticatedModes === true;
  }

  /**
   * Wraps a fresh data key and prepares the metadata of one new object. The returned encryptor's
   * `metadata`/`instructionFile` are final before any body byte is encrypted, so they can go on
   * CreateMultipartUpload. Throws ClientSideConfigurationError if the metadata would not fit S3's
   * 2 KB user-metadata limit (use instruction files or a smaller encryption context).
   */
  public async createEncryptor(options: EncryptOptions = {}): Promise<ObjectEncryptor> {
    const encryptionContext = options.encryptionContext ?? {};
    assertStringMap('The encryption context', encryptionContext);
    const strategy = options.metadataStrategy ?? this.metadataStrategy;
    if (!Object.values(MetadataStrategy).includes(strategy)) throw new ClientSideConfigurationError(`Unknown metadataStrategy ${JSON.stringify(strategy)}.`);
    const suite = suiteForFormat(this.format);
    const wrapped = checkWrapped(await this.keyring.wrapDataKey({ suite, encryptionContext }), this.keyring.name);

    let contentMetadata: ContentMetadata;
    let contentKey: KeyObject;
    const common = {
      suite,
      encryptedDataKey: wrapped.encryptedDataKey,
      wrappingAlgorithm: wrapped.wrappingAlgorithm,
      encryptionContext: wrapped.encryptionContext,
      materialDescription: wrapped.materialDescription,
      strategy,
    };
    if (suite.committing) {
      const messageId = nonZeroRandom(V3_MESSAGE_ID_LENGTH);
      contentMetadata = { ...common, formatVersion: 3, messageId, commitment: deriveCommitment(wrapped.plaintextDataKey, messageId) };
      contentKey = deriveContentKey(wrapped.plaintextDataKey, messageId);
    } else {
      contentMetadata = { ...common, formatVersion: 2, iv: nonZeroRandom(suite.ivLength) };
      contentKey = wrapped.plaintextDataKey;
    }
    const encoded = encodeContentMetadata(contentMetadata, strategy);
    const size = userMetadataBytes(encoded.metadata);
    if (size > S3_USER_METADATA_LIMIT_BYTES) {
      throw new ClientSideConfigurationError(
        `The encryption metadata is ${size} bytes, over S3's ${S3_USER_METADATA_LIMIT_BYTES}-byte user-metadata limit. ` +
          'Use metadataStrategy: INSTRUCTION_FILE (CLI: --instruction-file) or a smaller encryption context / material description.',
      );
    }
    return new ObjectEncryptor(contentMetadata, encoded, contentKey);
  }

  /**
   * Decodes an object's stored metadata and makes it ready to decrypt, in the order the Java
   * client uses: detect the format (MissingInstructionFileError if the instruction file is needed
   * and not given); refuse unauthenticated modes and legacy wraps unless enabled; apply the
   * commitment policy; in buffered mode refuse a body larger than `bufferSize` when
   * `stored.contentLength` is known (not for ranged reads); unwrap the data key (the keyring checks
   * the encryption context or material description); for V3 compare the key commitment in constant
   * time before deriving the content key. Every failure is a typed ClientSideEncryptionError and
   * nothing is decrypted.
   */
  public async createDecryptor(stored: StoredContentMetadata & { readonly contentLength?: number }, options: DecryptOptions = {}): Promise<ObjectDecryptor> {
    const md = decodeContentMetadata(stored);
    const dataKey = await this.unwrapVerified(md, options, options.range ? undefined : stored.contentLength);
    const contentKey = md.suite.committing ? deriveContentKey(dataKey, md.messageId!) : dataKey;
    return new ObjectDecryptor(md, contentKey, {
      authentication: this.authentication,
      bufferSize: this.bufferSize,
      enableLegacyUnauthenticatedModes: this.enableLegacyUnauthenticatedModes,
    });
  }

  /** Encrypts an in-memory plaintext into the stored form: body, user metadata and (optionally) instruction file. */
  public async encrypt(plaintext: Uint8Array, options: EncryptOptions = {}): Promise<EncryptedObject> {
    const encryptor = await this.createEncryptor(options);
    return { body: encryptor.encryptBuffer(plaintext), metadata: { ...encryptor.metadata }, instructionFile: encryptor.instructionFile };
  }

  /**
   * Encrypts a plaintext stream; resolves once the metadata is ready, with the body as a stream
   * encrypted in constant memory while it is read.
   */
  public async encryptStream(plaintext: Readable | AsyncIterable<Uint8Array>, options: EncryptOptions = {}): Promise<EncryptedObjectStream> {
    const encryptor = await this.createEncryptor(options);
    const source = plaintext instanceof Readable ? plaintext : Readable.from(plaintext, { objectMode: false });
    const body = pipeline(source, encryptor.createEncryptStream(), () => undefined);
    return { body, metadata: { ...encryptor.metadata }, instructionFile: encryptor.instructionFile };
  }

  /** Decrypts an in-memory stored object. Rejects with a typed error, returning no plaintext, if anything fails. */
  public async decrypt(stored: StoredObject<Uint8Array>, options: DecryptOptions = {}): Promise<Buffer> {
    if (!(stored?.body instanceof Uint8Array)) throw new ClientSideConfigurationError('decrypt() needs the object body as a Buffer/Uint8Array; use decryptStream() for streams.');
    const body = Buffer.from(stored.body.buffer, stored.body.byteOffset, stored.body.byteLength);
    const decryptor = await this.createDecryptor({ ...stored, contentLength: body.length }, options);
    const stream = decryptor.createDecryptStream();
    const chunks: Buffer[] = [];
    try {
      for await (const c of Readable.from([body], { objectMode: false }).pipe(stream)) chunks.push(c as Buffer);
    } catch (err) {
      for (const c of chunks) c.fill(0);
      throw err;
    }
    return Buffer.concat(chunks);
  }

  /**
   * Decrypts a stored object whose body is a stream. Resolves (after all metadata and key checks)
   * to the plaintext stream, which fails with a typed error on a bad tag: in buffered mode before
   * releasing anything, in delayed mode at its end.
   */
  public async decryptStream(stored: StoredObject<Readable | AsyncIterable<Uint8Array>>, options: DecryptOptions = {}): Promise<Readable> {
    const decryptor = await this.createDecryptor(stored, options); // checks stored.contentLength against bufferSize
    const transform = decryptor.createDecryptStream();
    const source = stored.body instanceof Readable ? stored.body : Readable.from(stored.body, { objectMode: false });
    return pipeline(source, transform, () => undefined);
  }

  /**
   * Decrypts the body of a ranged GET made with `plan.rangeHeader` (unauthenticated AES-CTR; needs
   * enableLegacyUnauthenticatedModes) and returns exactly the requested plaintext bytes.
   */
  public async decryptRange(stored: StoredObject<Uint8Array> & { readonly contentRange: string | ContentRange }, plan: RangedGetPlan, options: DecryptOptions = {}): Promise<Buffer> {
    if (!(stored?.body instanceof Uint8Array)) throw new ClientSideConfigurationError('decryptRange() needs the fetched bytes as a Buffer/Uint8Array.');
    const decryptor = await this.createDecryptor(stored, { ...options, range: plan });
    const contentRange = typeof stored.contentRange === 'string' ? parseContentRange(stored.contentRange) : stored.contentRange;
    const stream = decryptor.createRangeDecryptStream(plan, contentRange);
    const chunks: Buffer[] = [];
    const body = Buffer.from(stored.body.buffer, stored.body.byteOffset, stored.body.byteLength);
    for await (const c of Readable.from([body], { objectMode: false }).pipe(stream)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /**
   * Key rotation: unwraps an object's data key with this client's keyring and re-wraps the same
   * key with `newKeyring`, returning new metadata to store. Only the wrapped key and its
   * description change; the body, IV, message id and commitment stay valid. For V3 objects in
   * instruction-file mode only the instruction file changes. Legacy objects (V1, CBC, legacy
   * wraps) cannot be re-wrapped: re-encrypt them instead.
   */
  public async rewrap(
    stored: StoredContentMetadata,
    newKeyring: Keyring,
    options: DecryptOptions & { readonly newEncryptionContext?: Readonly<Record<string, string>>; readonly metadataStrategy?: MetadataStrategy } = {},
  ): Promise<{ readonly contentMetadata: ContentMetadata; readonly encoded: EncodedContentMetadata }> {
    const old = decodeContentMetadata(stored);
    if (old.formatVersion === 1 || old.suite.legacy || isLegacyWrappingAlgorithm(old.wrappingAlgorithm)) {
      throw new ClientSideUsageError('Legacy objects (V1, AES-CBC or legacy key wraps) cannot be re-wrapped; decrypt and re-encrypt them in V3 instead.');
    }
    const dataKey = await this.unwrapVerified(old, options);
    const wrapped = checkWrapped(await newKeyring.wrapDataKey({
      suite: old.suite,
      encryptionContext: options.newEncryptionContext ?? {},
      plaintextDataKey: dataKey,
    }), newKeyring.name);
    const contentMetadata: ContentMetadata = {
      ...old,
      encryptedDataKey: wrapped.encryptedDataKey,
      wrappingAlgorithm: wrapped.wrappingAlgorithm,
      encryptionContext: wrapped.encryptionContext,
      materialDescription: wrapped.materialDescription,
      strategy: options.metadataStrategy ?? old.strategy,
    };
    return { contentMetadata, encoded: encodeContentMetadata(contentMetadata) };
  }

  /**
   * Every check before decryption, in the Java client's order; returns the verified data key.
   * `contentLength` (the stored body length, if known) is checked against the buffer limit before the key is unwrapped.
   */
  private async unwrapVerified(md: ContentMetadata, options: DecryptOptions, contentLength?: number): Promise<KeyObject> {
    const suite = md.suite;
    if (suite.legacy && !this.enableLegacyUnauthenticatedModes) {
      throw new LegacyModeDisabledError('enableLegacyUnauthenticatedModes',
        `The object is a legacy ${md.formatVersion === 1 ? 'V1 ' : ''}object encrypted with AES-CBC (${suite.cekAlgorithm}), which has no integrity protection.`);
    }
    if (options.range && !this.enableLegacyUnauthenticatedModes) {
      throw new LegacyModeDisabledError('enableLegacyUnauthenticatedModes', 'Ranged reads decrypt with AES-CTR and never check the GCM tag.');
    }
    assertPolicyAllowsDecrypt(this.commitmentPolicy, suite);
    assertWithinBufferLimit(this.authentication, this.bufferSize, suite, contentLength);
    if (isLegacyWrappingAlgorithm(md.wrappingAlgorithm) && !this.enableLegacyWrappingAlgorithms) {
      throw new LegacyModeDisabledError('enableLegacyWrappingAlgorithms',
        `The object's data key is wrapped with the legacy algorithm ${md.wrappingAlgorithm}, which does not bind the content algorithm.`);
    }
    const expectedEncryptionContext = options.encryptionContext ?? {};
    assertStringMap('The expected encryption context', expectedEncryptionContext);

    let dataKey: KeyObject;
    try {
      dataKey = await this.keyring.unwrapDataKey({
        suite,
        wrappingAlgorithm: md.wrappingAlgorithm,
        encryptedDataKey: md.encryptedDataKey,
        encryptionContext: md.encryptionContext,
        materialDescription: md.materialDescription,
        expectedEncryptionContext,
      });
    } catch (err) {
      if (err instanceof ClientSideEncryptionError) throw err;
      const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      throw new DataKeyUnwrapError(`the keyring ${this.keyring.name} failed (${truncate(reason, 200)}).`, { cause: err });
    }
    if (!(dataKey instanceof KeyObject) || dataKey.symmetricKeySize !== DATA_KEY_LENGTH) {
      throw new DataKeyUnwrapError(`the keyring ${this.keyring.name} did not return a 32-byte secret KeyObject.`);
    }
    // V3: the commitment is compared in constant time before the content key is derived.
    if (suite.committing && !timingSafeEqual(deriveCommitment(dataKey, md.messageId!), md.commitment!)) {
      throw new KeyCommitmentError();
    }
    return dataKey;
  }
}

/** Validates what a (possibly user-written) keyring returned from wrapDataKey. */
function checkWrapped(w: WrappedDataKey, keyringName: string): WrappedDataKey {
  const writable = [WrappingAlgorithm.KMS_CONTEXT, WrappingAlgorithm.AES_GCM, WrappingAlgorithm.RSA_OAEP_SHA1];
  if (!w || !(w.plaintextDataKey instanceof KeyObject) || w.plaintextDataKey.symmetricKeySize !== DATA_KEY_LENGTH
    || !Buffer.isBuffer(w.encryptedDataKey) || w.encryptedDataKey.length === 0 || !writable.includes(w.wrappingAlgorithm)) {
    throw new ClientSideUsageError(`The keyring ${keyringName} returned an invalid wrapped data key (it needs a 32-byte secret KeyObject, a non-empty encryptedDataKey and one of ${writable.join(', ')}).`);
  }
  assertStringMap('The keyring\'s encryption context', w.encryptionContext);
  assertStringMap('The keyring\'s material description', w.materialDescription);
  return w;
}

function nonZeroRandom(length: number): Buffer {
  for (;;) {
    const b = randomBytes(length);
    if (b.some((x) => x !== 0)) return b; // an all-zero IV or message id is rejected by the spec
  }
}
