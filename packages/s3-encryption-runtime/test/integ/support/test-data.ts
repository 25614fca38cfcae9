/**
 * Test data for integration tests: deterministic pseudo-random content of any size, produced as a
 * stream (constant memory) or a buffer, and SHA-256 of buffers and streams.
 *
 * ```ts
 * const { stream, sha256 } = patternStream(64 * MiB, 'seed-1');   // sha256 known before reading
 * expect(await sha256OfStream(downloaded)).toBe(sha256);
 * ```
 */
import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';

/** 1 MiB. */
export const MiB = 1024 * 1024;

function keystream(seed: string) {
  // AES-256-CTR over zeros: fast, deterministic bytes for a given seed (not for secrecy)
  const key = createHash('sha256').update(seed).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
}

/** `size` deterministic bytes for `seed`, in memory. */
export function patternBuffer(size: number, seed: string): Buffer {
  return keystream(seed).update(Buffer.alloc(size));
}

/** A stream of `size` deterministic bytes for `seed`, produced in 1 MiB chunks, with its SHA-256 (hex) computed up front. */
export function patternStream(size: number, seed: string): { stream: Readable; sha256: string } {
  return { stream: patternReadable(size, seed), sha256: patternSha256(size, seed) };
}

/** SHA-256 (hex) of `patternBuffer(size, seed)` without holding it in memory. */
export function patternSha256(size: number, seed: string): string {
  const hash = createHash('sha256');
  const ks = keystream(seed);
  const zeros = Buffer.alloc(MiB);
  for (let left = size; left > 0; left -= MiB) hash.update(ks.update(left >= MiB ? zeros : zeros.subarray(0, left)));
  return hash.digest('hex');
}

function patternReadable(size: number, seed: string): Readable {
  const ks = keystream(seed);
  const zeros = Buffer.alloc(MiB);
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const n = Math.min(left, MiB);
      left -= n;
      this.push(ks.update(n === MiB ? zeros : zeros.subarray(0, n)));
    },
  });
}

/** SHA-256 (hex) of a buffer. */
export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 (hex) and length of everything a stream yields. */
export async function sha256OfStream(stream: AsyncIterable<Uint8Array>): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}
