import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import { SseCKeyLengthError, SseCKeySourceError } from './errors';

/** The only algorithm S3 accepts for customer-provided keys. */
export const SSE_C_ALGORITHM = 'AES256';
const KEY_BYTES = 32;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const REDACTED = '<redacted>';

/** Options common to the {@link SseCKey} factories. */
export interface SseCKeyOptions {
  /**
   * A non-secret name for the key that errors and logs may show, e.g. `secret app-key (AWSCURRENT)`.
   * @default - no label
   */
  readonly label?: string;
}

/** The three SSE-C request parameters, in `@aws-sdk/client-s3` spelling. */
export interface SseCRequestParams {
  /** Always `AES256`. */
  readonly SSECustomerAlgorithm: string;
  /** The key, base64. */
  readonly SSECustomerKey: string;
  /** Base64 MD5 of the raw key, which S3 uses to check the key arrived intact. */
  readonly SSECustomerKeyMD5: string;
}

/** The SSE-C parameters for the source of a CopyObject/UploadPartCopy. */
export interface SseCCopySourceParams {
  /** Always `AES256`. */
  readonly CopySourceSSECustomerAlgorithm: string;
  /** The source's key, base64. */
  readonly CopySourceSSECustomerKey: string;
  /** Base64 MD5 of the source's raw key. */
  readonly CopySourceSSECustomerKeyMD5: string;
}

/**
 * A 256-bit customer-provided key for S3 SSE-C. The bytes are held privately and never printed:
 * `toString()`, `JSON.stringify()` and `util.inspect()` show only the optional label.
 */
export class SseCKey {
  /** A fresh random key from the OS CSPRNG. */
  public static generate(options: SseCKeyOptions = {}): SseCKey {
    return new SseCKey(randomBytes(KEY_BYTES), options.label);
  }

  /**
   * A key from its raw bytes (copied, so the caller may wipe its buffer).
   * Throws {@link SseCKeyLengthError} unless there are exactly 32 bytes.
   */
  public static fromBytes(bytes: Uint8Array, options: SseCKeyOptions = {}): SseCKey {
    if (bytes.byteLength !== KEY_BYTES) throw new SseCKeyLengthError(bytes.byteLength, options.label);
    return new SseCKey(Buffer.from(bytes), options.label);
  }

  /**
   * A key from standard base64 (surrounding whitespace ignored).
   * Throws {@link SseCKeySourceError} for text that is not base64, {@link SseCKeyLengthError} unless it decodes to 32 bytes.
   */
  public static fromBase64(text: string, options: SseCKeyOptions = {}): SseCKey {
    const trimmed = text.trim();
    if (!BASE64.test(trimmed) || trimmed.length === 0) {
      throw new SseCKeySourceError(`${options.label ?? 'the SSE-C key'} is not standard base64 (expected 44 characters for 32 bytes)`);
    }
    return SseCKey.fromBytes(Buffer.from(trimmed, 'base64'), options);
  }

  /**
   * A key from file-like contents: exactly 32 raw bytes, or the base64 of 32 bytes (a trailing newline is fine).
   * Throws {@link SseCKeyLengthError} or {@link SseCKeySourceError} otherwise.
   */
  public static fromRawOrBase64(data: Uint8Array, options: SseCKeyOptions = {}): SseCKey {
    if (data.byteLength === KEY_BYTES) return SseCKey.fromBytes(data, options);
    const text = Buffer.from(data).toString('latin1').trim();
    if (BASE64.test(text) && text.length > 0) return SseCKey.fromBase64(text, options);
    throw new SseCKeyLengthError(data.byteLength, options.label);
  }

  /** A non-secret name for the key, shown in errors and logs. */
  public readonly label?: string;
  /** Base64 MD5 of the key, as S3 echoes it in `SSECustomerKeyMD5`; identifies the key without revealing it. */
  public readonly keyMd5: string;
  readonly #bytes: Buffer;
  readonly #base64: string;

  private constructor(bytes: Buffer, label?: string) {
    this.#bytes = bytes;
    this.#base64 = bytes.toString('base64');
    this.keyMd5 = createHash('md5').update(bytes).digest('base64');
    if (label !== undefined) this.label = label;
  }

  /** The SSE-C request parameters for PutObject, GetObject, HeadObject, UploadPart, CreateMultipartUpload, .... */
  public requestParams(): SseCRequestParams {
    return { SSECustomerAlgorithm: SSE_C_ALGORITHM, SSECustomerKey: this.#base64, SSECustomerKeyMD5: this.keyMd5 };
  }

  /** The SSE-C parameters naming this key as the source of a CopyObject or UploadPartCopy. */
  public copySourceParams(): SseCCopySourceParams {
    return {
      CopySourceSSECustomerAlgorithm: SSE_C_ALGORITHM,
      CopySourceSSECustomerKey: this.#base64,
      CopySourceSSECustomerKeyMD5: this.keyMd5,
    };
  }

  /** Whether `other` holds the same key bytes (constant-time comparison). */
  public equals(other: SseCKey): boolean {
    return timingSafeEqual(this.#bytes, other.#bytes);
  }

  /** Whether S3's echoed `SSECustomerKeyMD5` names this key. */
  public matchesMd5(md5: string | undefined): boolean {
    if (md5 === undefined) return false;
    const a = Buffer.from(md5);
    const b = Buffer.from(this.keyMd5);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** A copy of the raw key bytes; the caller owns it and should wipe it (`fill(0)`) after use. */
  public exportBytes(): Buffer {
    return Buffer.from(this.#bytes);
  }

  /** Redacted: `SseCKey(<label>, <redacted>)`. */
  public toString(): string {
    return this.label === undefined ? `SseCKey(${REDACTED})` : `SseCKey(${this.label}, ${REDACTED})`;
  }

  /** Redacted form for `JSON.stringify`. */
  public toJSON(): { type: 'SseCKey'; label?: string; key: string } {
    return { type: 'SseCKey', ...(this.label !== undefined ? { label: this.label } : {}), key: REDACTED };
  }

  /** Redacted form for `util.inspect` and `console.log`. */
  public [inspect.custom](): string {
    return this.toString();
  }
}
