import { type CipherGCM } from 'node:crypto';
import { GCM_MAX_PLAINTEXT_BYTES } from '../algorithm-suite';
import { ClientSideConfigurationError, PlaintextTooLargeError } from '../errors';

/** One multipart-upload part of an encrypted object body. */
export interface EncryptedPart {
  /** 1-based S3 part number. */
  readonly partNumber: number;
  /** The part's bytes to upload: ciphertext, plus the 16-byte GCM tag on the last part. */
  readonly body: Buffer;
  /** Plaintext bytes this part carries: exactly `partSize` (a multiple of 16) for every part but the last. */
  readonly plaintextLength: number;
  /** True for the final part, which carries the tag; exactly one part is last (an empty object is one tag-only part). */
  readonly isLast: boolean;
}

/**
 * Cuts a plaintext stream into encrypted parts of `partSize` plaintext bytes each, continuing
 * one GCM stream across parts (the S3 Encryption Client multipart rule) and flagging the last
 * part, which carries the tag. Holds at most about one part of plaintext in memory. Parts are
 * produced in order and must be uploaded with these part numbers; a part's bytes may be re-sent
 * on retry (the cipher state is not involved again).
 */
export async function* encryptParts(cipher: CipherGCM, source: AsyncIterable<Uint8Array>, partSize: number): AsyncGenerator<EncryptedPart> {
  assertPartSize(partSize);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let total = 0;
  let partNumber = 0;
  for await (const raw of source) {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    total += chunk.length;
    if (total > GCM_MAX_PLAINTEXT_BYTES) throw new PlaintextTooLargeError(GCM_MAX_PLAINTEXT_BYTES);
    pending.push(chunk);
    pendingBytes += chunk.length;
    // Emit a full part only once at least one more byte follows it, so the last part is always known.
    while (pendingBytes > partSize) {
      const all = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
      const part = all.subarray(0, partSize);
      pending = [all.subarray(partSize)];
      pendingBytes -= partSize;
      yield { partNumber: ++partNumber, body: cipher.update(part), plaintextLength: partSize, isLast: false };
    }
  }
  const last = Buffer.concat(pending, pendingBytes);
  const body = Buffer.concat([cipher.update(last), cipher.final(), cipher.getAuthTag()]);
  yield { partNumber: ++partNumber, body, plaintextLength: last.length, isLast: true };
}

/** Throws ClientSideConfigurationError unless `partSize` is a positive multiple of 16. */
export function assertPartSize(partSize: number): void {
  if (!Number.isSafeInteger(partSize) || partSize < 16 || partSize % 16 !== 0) {
    throw new ClientSideConfigurationError(`partSize must be a positive multiple of 16 bytes (S3 needs at least 5 MiB for all parts but the last); got ${partSize}.`);
  }
}
