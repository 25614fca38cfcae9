import { type Decipher } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { RangedGetError } from '../errors';

/** An inclusive plaintext byte range; `end` absent means "to the end of the object". */
export interface ByteRange {
  /** First plaintext byte wanted (0-based). */
  readonly start: number;
  /** Last plaintext byte wanted, inclusive. @default the last byte of the object */
  readonly end?: number;
}

/** The S3 `Content-Range` of a ranged response: `bytes start-end/total`. */
export interface ContentRange {
  /** First byte returned. */
  readonly start: number;
  /** Last byte returned, inclusive. */
  readonly end: number;
  /** Length of the whole stored object (ciphertext plus tag). */
  readonly total: number;
}

/** Which ciphertext bytes to fetch for a plaintext range. */
export interface RangedGetPlan {
  /** The plaintext range the caller asked for. */
  readonly requested: ByteRange;
  /** First ciphertext byte to fetch (a multiple of 16, one block before the range). */
  readonly fetchStart: number;
  /** Last ciphertext byte to fetch (one block past the range), or undefined for an open range. S3 clamps it to the object. */
  readonly fetchEnd?: number;
  /** The `Range` header to send with GetObject, e.g. `bytes=0-47`. */
  readonly rangeHeader: string;
}

const BLOCK = 16;

/**
 * Widens a plaintext range to whole AES blocks plus one block on each side, as the Java S3
 * Encryption Client does (SPEC decryption.md "Ranged Gets"): start' = a − a mod 16 − 16 (≥ 0),
 * end' = b + (16 − b mod 16) + 16. Fetch `rangeHeader`, then decrypt with the decryptor's
 * `createRangeDecryptStream(plan, contentRange)`, which trims the output to exactly the range.
 */
export function planRangedGet(range: ByteRange): RangedGetPlan {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0) throw new RangedGetError(`The range start ${start} must be a non-negative integer.`);
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) throw new RangedGetError(`The range end ${end} must be an integer ≥ the start ${start}.`);
  const fetchStart = Math.max(0, start - (start % BLOCK) - BLOCK);
  const fetchEnd = end === undefined ? undefined : end + (BLOCK - (end % BLOCK)) + BLOCK;
  return { requested: { start, end }, fetchStart, fetchEnd, rangeHeader: `bytes=${fetchStart}-${fetchEnd ?? ''}` };
}

/**
 * Parses a `Range` header of the forms `bytes=a-b` and `bytes=a-`. Returns undefined for forms
 * S3 encryption clients do not serve by range (suffix ranges `bytes=-n`, multiple ranges): like
 * the Java client, fetch and decrypt the whole object instead.
 */
export function parseRangeHeader(header: string): ByteRange | undefined {
  const m = /^bytes=(\d{1,15})-(\d{0,15})$/.exec(header.trim());
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === '' ? undefined : Number(m[2]);
  if (end !== undefined && end < start) return undefined;
  return { start, end };
}

/** Parses a `Content-Range: bytes a-b/total` response header. */
export function parseContentRange(header: string): ContentRange {
  const m = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15})$/.exec(header.trim());
  if (!m) throw new RangedGetError(`The Content-Range ${JSON.stringify(header.slice(0, 60))} is not of the form "bytes a-b/total".`);
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (end < start || end >= total) throw new RangedGetError(`The Content-Range ${JSON.stringify(header.slice(0, 60))} is inconsistent.`);
  return { start, end, total };
}

/**
 * Decrypts the fetched ciphertext bytes of a ranged GET with AES-CTR (no authentication) and
 * emits exactly the requested plaintext bytes. `createDecipherAtBlock(k)` returns AES-CTR
 * positioned at ciphertext block k.
 */
export class RangeDecryptStream extends Transform {
  #position: number;
  readonly #decipher: Decipher;
  readonly #wantStart: number;
  readonly #wantEnd: number; // inclusive, clamped to the plaintext

  constructor(plan: RangedGetPlan, contentRange: ContentRange, tagLength: number, createDecipherAtBlock: (block: number) => Decipher) {
    super();
    const plaintextLength = contentRange.total - tagLength;
    if (contentRange.start % BLOCK !== 0 || contentRange.start > plan.requested.start) {
      throw new RangedGetError(`The response starts at byte ${contentRange.start}, not at the requested block boundary ${plan.fetchStart}.`);
    }
    if (plan.requested.start >= plaintextLength) {
      throw new RangedGetError(`The range starts at byte ${plan.requested.start}, but the object has only ${Math.max(0, plaintextLength)} plaintext bytes.`);
    }
    this.#wantStart = plan.requested.start;
    this.#wantEnd = Math.min(plan.requested.end ?? plaintextLength - 1, plaintextLength - 1);
    if (contentRange.end < this.#wantEnd) {
      throw new RangedGetError(`The response ends at byte ${contentRange.end}, before the requested end ${this.#wantEnd}.`);
    }
    this.#position = contentRange.start;
    this.#decipher = createDecipherAtBlock(contentRange.start / BLOCK);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const chunkStart = this.#position;
    this.#position += chunk.length;
    if (chunkStart > this.#wantEnd) return callback(); // tag bytes and the widening block after the range
    const plain = this.#decipher.update(chunk);
    const from = Math.max(0, this.#wantStart - chunkStart);
    const to = Math.min(chunk.length, this.#wantEnd - chunkStart + 1);
    callback(null, to > from ? plain.subarray(from, to) : undefined);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#position <= this.#wantEnd) {
      return callback(new RangedGetError(`The response body ended at byte ${this.#position}, before the requested end ${this.#wantEnd}.`));
    }
    callback();
  }
}
