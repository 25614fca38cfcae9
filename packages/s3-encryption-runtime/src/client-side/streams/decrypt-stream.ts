import { type Decipher, type DecipherGCM } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { BufferLimitExceededError, ContentAuthenticationError } from '../errors';

/** How plaintext is released while an object body is decrypted. */
export enum AuthenticationMode {
  /** Hold all plaintext until the GCM tag verifies (up to the buffer limit); nothing is released on failure. */
  BUFFERED = 'buffered',
  /** Stream plaintext as it is decrypted; a bad tag fails the stream at its end, after plaintext was released. */
  DELAYED = 'delayed',
}

/** Options of {@link DecryptStream}. */
export interface DecryptStreamOptions {
  /** Buffered or delayed authentication. */
  readonly mode: AuthenticationMode;
  /** Largest plaintext buffered in BUFFERED mode, in bytes. */
  readonly bufferLimit: number;
  /** Bytes at the end of the body that are the tag (16 for GCM, 0 for legacy CBC). */
  readonly tagLength: number;
}

/**
 * Object body in, plaintext out. Holds back the last `tagLength` bytes as the GCM tag (Node needs
 * the tag before `final()`), and in BUFFERED mode releases nothing until `final()` succeeds. Any
 * failure is a typed error on the stream: ContentAuthenticationError or BufferLimitExceededError.
 */
export class DecryptStream extends Transform {
  #tail: Buffer = Buffer.alloc(0);
  #held: Buffer[] = [];
  #heldBytes = 0;
  #released = false;

  constructor(private readonly decipher: Decipher, private readonly options: DecryptStreamOptions) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const tagLength = this.options.tagLength;
    let head: Buffer | undefined;
    let out: Buffer;
    try {
      if (tagLength === 0) {
        out = this.decipher.update(chunk);
      } else if (this.#tail.length + chunk.length <= tagLength) {
        this.#tail = Buffer.concat([this.#tail, chunk]);
        return callback();
      } else if (chunk.length >= tagLength) {
        // Decrypt the held-back bytes and the chunk without copying the chunk; keep its last 16 bytes.
        head = this.#tail.length > 0 ? this.decipher.update(this.#tail) : undefined;
        out = this.decipher.update(chunk.subarray(0, chunk.length - tagLength));
        this.#tail = Buffer.from(chunk.subarray(chunk.length - tagLength));
      } else {
        const combined = Buffer.concat([this.#tail, chunk]);
        const cut = combined.length - tagLength;
        out = this.decipher.update(combined.subarray(0, cut));
        this.#tail = combined.subarray(cut);
      }
    } catch (err) {
      return callback(this.authFailure('The object body could not be decrypted.', err));
    }
    if (head && head.length > 0 && !this.release(head)) return callback(this.limitError());
    if (!this.release(out)) return callback(this.limitError());
    callback();
  }

  override _flush(callback: TransformCallback): void {
    let out: Buffer;
    try {
      if (this.options.tagLength > 0) {
        if (this.#tail.length < this.options.tagLength) {
          return callback(this.authFailure(`The object body is ${this.#tail.length} bytes, shorter than its ${this.options.tagLength}-byte GCM tag.`));
        }
        (this.decipher as DecipherGCM).setAuthTag(this.#tail);
      }
      out = this.decipher.final();
    } catch (err) {
      return callback(this.authFailure(
        this.options.tagLength > 0 ? 'The AES-GCM tag of the object body did not verify.' : 'The legacy AES-CBC body has invalid padding.', err));
    }
    if (this.options.mode === AuthenticationMode.BUFFERED) {
      if (out.length > 0) this.#held.push(out);
      for (const b of this.#held) this.push(b);
      this.#held = [];
      return callback();
    }
    callback(null, out.length > 0 ? out : undefined);
  }

  override _destroy(error: Error | null, callback: (error: Error | null) => void): void {
    this.discardHeld();
    callback(error);
  }

  /** Pushes (delayed) or holds (buffered) decrypted bytes; false when the buffer limit is exceeded. */
  private release(out: Buffer): boolean {
    if (out.length === 0) return true;
    if (this.options.mode === AuthenticationMode.DELAYED) {
      this.#released = true;
      this.push(out);
      return true;
    }
    this.#heldBytes += out.length;
    this.#held.push(out);
    return this.#heldBytes <= this.options.bufferLimit;
  }

  private limitError(): BufferLimitExceededError {
    this.discardHeld();
    return new BufferLimitExceededError(this.options.bufferLimit, this.#heldBytes);
  }

  private authFailure(detail: string, cause?: unknown): ContentAuthenticationError {
    this.discardHeld();
    const err = new ContentAuthenticationError(detail, this.#released);
    if (cause !== undefined) Object.defineProperty(err, 'cause', { value: cause, enumerable: false, configurable: true, writable: true });
    return err;
  }

  private discardHeld(): void {
    for (const b of this.#held) b.fill(0); // unauthenticated plaintext never leaves this stream
    this.#held = [];
  }
}
