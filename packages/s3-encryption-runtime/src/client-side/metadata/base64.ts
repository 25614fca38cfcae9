import { MalformedMetadataError } from '../errors';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict, canonical standard base64 (with padding, no line breaks), as every S3 Encryption Client
 * writes it. Non-canonical encodings are rejected so that a modified character can never decode to
 * the same bytes unnoticed.
 */
export function decodeBase64Field(field: string, value: string, expectedLengths?: readonly number[]): Buffer {
  if (!BASE64.test(value)) {
    throw new MalformedMetadataError(field, 'it is not standard base64 with padding.');
  }
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64') !== value) {
    throw new MalformedMetadataError(field, 'it is not canonical base64 (non-zero padding bits).');
  }
  if (expectedLengths && !expectedLengths.includes(bytes.length)) {
    throw new MalformedMetadataError(field, `it decodes to ${bytes.length} bytes; expected ${expectedLengths.join(' or ')}.`);
  }
  return bytes;
}
