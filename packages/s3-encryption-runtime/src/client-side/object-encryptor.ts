import { type CipherGCM, type KeyObject } from 'node:crypto';
import { GCM_MAX_PLAINTEXT_BYTES } from './algorithm-suite';
import { ClientSideUsageError, PlaintextTooLargeError } from './errors';
import { type ContentMetadata } from './metadata/content-metadata';
import { MetadataKeys } from './metadata/metadata-keys';
import { createContentCipher } from './streams/content-cipher';
import { EncryptStream } from './streams/encrypt-stream';
import { assertPartSize, type EncryptedPart, encryptParts } from './streams/encrypted-parts';

/**
 * Encrypts one object. Created by `ClientSideEncryption.createEncryptor()`, which has already
 * wrapped a fresh data key, so the metadata is known before the body is encrypted: put
 * `metadata` on PutObject / CreateMultipartUpload, write `instructionFile` (if any) to
 * `<key>.instruction` with `instructionFileMetadata`, and encrypt the body with
 * `encryptBuffer()`, `createEncryptStream()` or `encryptParts()`. Single use: the body can be encrypted once.
 */
export class ObjectEncryptor {
  /** User metadata for the object (keys without `x-amz-meta-`). */
  public readonly metadata: Readonly<Record<string, string>>;
  /** Body of `<key>.instruction` in instruction-file mode, else undefined. */
  public readonly instructionFile?: string;
  /** User metadata for the instruction-file object: the `x-amz-crypto-instr-file` marker. */
  public readonly instructionFileMetadata: Readonly<Record<string, string>> = Object.freeze({ [MetadataKeys.INSTRUCTION_FILE_MARKER]: '' });
  readonly #contentKey: KeyObject;
  #used = false;

  /** @internal built by ClientSideEncryption */
  constructor(
    /** Everything that is stored about this object (format, wrapped key, IV or message id and commitment). */
    public readonly contentMetadata: ContentMetadata,
    encoded: { metadata: Record<string, string>; instructionFile?: string },
    contentKey: KeyObject,
  ) {
    this.metadata = Object.freeze({ ...encoded.metadata });
    this.instructionFile = encoded.instructionFile;
    this.#contentKey = contentKey;
  }

  /** Stored body length for a plaintext length: plaintext + 16-byte tag. */
  public static ciphertextLength(plaintextLength: number): number {
    return plaintextLength + 16;
  }

  /**
   * A Transform: plaintext in, the exact bytes to PUT out (ciphertext then the 16-byte tag), in
   * constant memory for any size up to the GCM limit (~64 GiB). Also usable as the Body of a
   * `@aws-sdk/lib-storage` Upload: S3 concatenates parts, so any cut gives the same object.
   */
  public createEncryptStream(): EncryptStream {
    return new EncryptStream(this.takeCipher());
  }

  /** Encrypts a whole in-memory plaintext and returns the object body: ciphertext ‖ 16-byte tag. */
  public encryptBuffer(plaintext: Uint8Array): Buffer {
    if (plaintext.length > GCM_MAX_PLAINTEXT_BYTES) throw new PlaintextTooLargeError(GCM_MAX_PLAINTEXT_BYTES);
    const cipher = this.takeCipher();
    return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  }

  /**
   * Encrypts a plaintext stream into multipart-upload parts of `partSize` plaintext bytes (a
   * multiple of 16; S3 needs ≥ 5 MiB), one continuous GCM stream across parts, the last part
   * flagged and carrying the tag. See {@link encryptParts}.
   */
  public encryptParts(source: AsyncIterable<Uint8Array>, partSize: number): AsyncGenerator<EncryptedPart> {
    assertPartSize(partSize);
    return encryptParts(this.takeCipher(), source, partSize);
  }

  /** Hides the content key from util.inspect and JSON. */
  public toJSON(): object {
    return { contentMetadata: { formatVersion: this.contentMetadata.formatVersion, suite: this.contentMetadata.suite.toString() }, metadata: this.metadata };
  }

  private takeCipher(): CipherGCM {
    if (this.#used) throw new ClientSideUsageError('This ObjectEncryptor was already used; create a new one per object (each object needs a fresh data key and IV).');
    this.#used = true;
    return createContentCipher(this.contentMetadata.suite, this.#contentKey, this.contentMetadata.iv);
  }
}
