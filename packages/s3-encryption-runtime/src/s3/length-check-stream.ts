import { Transform, type TransformCallback } from 'node:stream';

/**
 * A pass-through stream that counts bytes and fails if the total differs from `expected`:
 * as soon as it is exceeded, or at the end if it falls short. A truncated download or a body
 * shorter than announced then fails the transfer instead of silently producing a short object.
 */
export class LengthCheckStream extends Transform {
  /** Bytes seen so far. */
  public bytes = 0;

  /**
   * @param expected the exact number of bytes that must pass, or `undefined` to only count
   * @param onMismatch builds the error to fail with, given the bytes seen
   */
  constructor(
    private readonly expected: number | undefined,
    private readonly onMismatch: (received: number) => Error,
  ) {
    // pass chunks straight through: a small buffer on each side would add event-loop turns per TLS record
    super({ highWaterMark: 1024 * 1024 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.expected !== undefined && this.bytes > this.expected) {
      callback(this.onMismatch(this.bytes));
      return;
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.expected !== undefined && this.bytes !== this.expected) {
      callback(this.onMismatch(this.bytes));
      return;
    }
    callback();
  }
}
