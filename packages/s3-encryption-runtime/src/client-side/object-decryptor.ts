import { type KeyObject } from 'node:crypto';
import { type Transform } from 'node:stream';
import { BufferLimitExceededError, RangedGetError, LegacyModeDisabledError } from './errors';
import { type AlgorithmSuite } from './algorithm-suite';
import { type ContentMetadata } from './metadata/content-metadata';
import { createContentDecipher, createCtrDecipherAtBlock } from './streams/content-cipher';
import { AuthenticationMode, DecryptStream } from './streams/decrypt-stream';
import { type ContentRange, RangeDecryptStream, type RangedGetPlan } from './streams/ranged-get';

/** Settings a decryptor inherits from its ClientSideEncryption. */
export interface DecryptorSettings {
  /** Buffered (default) or delayed authentication. */
  readonly authentication: AuthenticationMode;
  /** Plaintext bytes buffered at most in buffered mode. */
  readonly bufferSize: number;
  /** Whether unauthenticated modes (CBC, ranged CTR) are allowed. */
  readonly enableLegacyUnauthenticatedModes: boolean;
}

/**
 * Decrypts one object whose key was already unwrapped and (V3) whose commitment was already
 * verified by `ClientSideEncryption.createDecryptor()`. Each method may be called more than once.
 */
export class ObjectDecryptor {
  readonly #contentKey: KeyObject;

  /** @internal built by ClientSideEncryption */
  constructor(
    /** The decoded metadata of the object. */
    public readonly contentMetadata: ContentMetadata,
    contentKey: KeyObject,
    private readonly settings: DecryptorSettings,
  ) {
    this.#contentKey = contentKey;
  }

  /**
   * A Transform: object body in, plaintext out. Buffered authentication (default) releases no
   * plaintext until the GCM tag verifies and fails with BufferLimitExceededError past `bufferSize`;
   * delayed authentication streams plaintext and fails the stream at the end if the tag is bad.
   * Pass `contentLength` (the stored body length, e.g. from Content-Length) to fail a too-large
   * object before reading any of it.
   */
  public createDecryptStream(options: { contentLength?: number } = {}): Transform {
    const suite = this.contentMetadata.suite;
    assertWithinBufferLimit(this.settings.authentication, this.settings.bufferSize, suite, options.contentLength);
    return new DecryptStream(createContentDecipher(suite, this.#contentKey, this.contentMetadata.iv), {
      mode: this.settings.authentication,
      bufferLimit: this.settings.bufferSize,
      tagLength: suite.tagLength,
    });
  }

  /**
   * A Transform for a ranged GET (AES-CTR, NOT authenticated): the fetched bytes of
   * `plan.rangeHeader` in, exactly the requested plaintext bytes out. Needs
   * `enableLegacyUnauthenticatedModes`; only GCM objects (V2, V3) can be read by range.
   */
  public createRangeDecryptStream(plan: RangedGetPlan, contentRange: ContentRange): Transform {
    const suite = this.contentMetadata.suite;
    if (!this.settings.enableLegacyUnauthenticatedModes) {
      throw new LegacyModeDisabledError('enableLegacyUnauthenticatedModes', 'Ranged reads decrypt with AES-CTR and never check the GCM tag.');
    }
    if (suite.legacy) {
      throw new RangedGetError('Ranged reads of legacy AES-CBC objects are not supported by this client; fetch and decrypt the whole object instead.');
    }
    return new RangeDecryptStream(plan, contentRange, suite.tagLength,
      (block) => createCtrDecipherAtBlock(suite, this.#contentKey, this.contentMetadata.iv, block));
  }

  /** Hides the content key from JSON. */
  public toJSON(): object {
    return { formatVersion: this.contentMetadata.formatVersion, suite: this.contentMetadata.suite.toString() };
  }
}

/**
 * @internal Throws BufferLimitExceededError if buffered authentication would have to hold more than
 * `bufferSize` bytes of plaintext for a stored body of `contentLength` bytes (unknown: no check).
 */
export function assertWithinBufferLimit(authentication: AuthenticationMode, bufferSize: number, suite: AlgorithmSuite, contentLength: number | undefined): void {
  if (authentication !== AuthenticationMode.BUFFERED || contentLength === undefined) return;
  const plaintext = contentLength - suite.tagLength;
  if (plaintext > bufferSize) throw new BufferLimitExceededError(bufferSize, plaintext);
}
