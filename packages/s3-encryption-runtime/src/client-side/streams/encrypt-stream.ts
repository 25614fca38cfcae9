import { type CipherGCM } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { GCM_MAX_PLAINTEXT_BYTES } from '../algorithm-suite';
import { PlaintextTooLargeError } from '../errors';

/**
 * Plaintext in, object body out (ciphertext ‖ 16-byte tag), in constant memory. The output is
 * byte for byte what a single PutObject stores, so it can also be cut at any byte boundary into
 * multipart-upload parts (for example by `@aws-sdk/lib-storage` Upload).
 */
export class EncryptStream extends Transform {
  #plaintextBytes = 0;

  constructor(private readonly cipher: CipherGCM) {
    super();
  }

  /** Plaintext bytes encrypted so far. */
  public get plaintextBytes(): number {
    return this.#plaintextBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#plaintextBytes += chunk.length;
    if (this.#plaintextBytes > GCM_MAX_PLAINTEXT_BYTES) return callback(new PlaintextTooLargeError(GCM_MAX_PLAINTEXT_BYTES));
    const out = this.cipher.update(chunk);
    callback(null, out.length > 0 ? out : undefined);
  }

  override _flush(callback: TransformCallback): void {
    const rest = this.cipher.final();
    if (rest.length > 0) this.push(rest);
    callback(null, this.cipher.getAuthTag());
  }
}
