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
 * Object body in, plaintext out. Holds back the last chunk received, whose end may be the GCM tag
 * (Node needs the tag before `final()`): one decipher call per chunk and no copies. In BUFFERED mode
 * it releases nothing until `final()` succeeds. Any failure is a typed error on the stream:
 * ContentAuthenticationError or BufferLimitExceededError.
 */
export class DecryptStream extends Transform {
  /** Received but not yet decrypted: the last chunk, which may end in (part of) the tag. */
  #pending: Buffer | undefined;
  #held: Buffer[] = [];
  #heldBytes = 0;
  #released = false;

  constructor(private readonly decipher: Decipher, private readonly options: DecryptStreamOptions) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const tagLength = this.options.tagLength;
    let out: Buffer | undefined;
    try {
      if (tagLength === 0) {
        out = this.decipher.update(chunk);
      } else if (chunk.length >= tagLength) {
        // The tag lies within the new chunk: the pending one is all ciphertext. One update per chunk, no copy.
        out = this.#pending ? this.decipher.update(this.#pending) : undefined;
        this.#pending = chunk;
      } else {
        // A chunk shorter than the tag: decrypt what can no longer be tag, keep the rest (at most 2 tags' worth).
        const pending = this.#pending ?? Buffer.alloc(0);
        const safe = pending.length + chunk.length - tagLength;
        if (safe > 0) out = this.decipher.update(pending.subarray(0, safe));
        this.#pending = Buffer.concat([pending.subarray(Math.max(safe, 0)), chunk]);
      }
    } catch (err) {
      return callback(this.authFailure('The object body could not be decrypted.', err));
    }
    if (out && !this.release(out)) return callback(this.limitError());
    callback();
  }

  override _flush(callback: TransformCallback): void {
    const tagLength = this.options.tagLength;
    let out: Buffer;
    try {
      if (tagLength > 0) {
        const pending = this.#pending ?? Buffer.alloc(0);
        if (pending.length < tagLength) {
          return callback(this.authFailure(`The object body is ${pending.length} bytes, shorter than its ${tagLength}-byte GCM tag.`));
        }
        const cut = pending.length - tagLength;
        if (cut > 0 && !this.release(this.decipher.update(pending.subarray(0, cut)))) return callback(this.limitError());
        (this.decipher as DecipherGCM).setAuthTag(pending.subarray(cut));
      }
      out = this.decipher.final();
    } catch (err) {
      return callback(this.authFailure(
        tagLength > 0 ? 'The AES-GCM tag of the object body did not verify.' : 'The legacy AES-CBC body has invalid padding.', err));
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
