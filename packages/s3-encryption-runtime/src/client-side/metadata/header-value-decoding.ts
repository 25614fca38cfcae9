import { MalformedMetadataError } from '../errors';

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
const WHITESPACE_BETWEEN_WORDS = /(\?=)\s+(=\?)/g;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Undoes what S3 and HTTP stacks do to non-ASCII metadata values:
 * 1. RFC 2047 encoded words (`=?UTF-8?B?...?=` or `?Q?`), which S3 returns for non-ASCII values;
 * 2. the "double encoding": the decoded text (or a raw header that Node read as Latin-1) is the
 *    UTF-8 bytes read as Latin-1 characters, so map each character (all ≤ U+00FF) to one byte and
 *    UTF-8-decode them. If those bytes are not valid UTF-8 the text is kept as it is.
 * Pure-ASCII values (everything this library writes) pass through unchanged.
 */
export function decodeHeaderValue(field: string, value: string): string {
  let text = value;
  if (text.includes('=?')) {
    text = text.replace(WHITESPACE_BETWEEN_WORDS, '$1$2').replace(ENCODED_WORD, (_m, charset: string, enc: string, payload: string) =>
      decodeEncodedWord(field, charset, enc, payload),
    );
  }
  return undoLatin1DoubleEncoding(text);
}

function decodeEncodedWord(field: string, charset: string, encoding: string, payload: string): string {
  const bytes = encoding.toUpperCase() === 'B' ? decodeB(field, payload) : decodeQ(field, payload);
  switch (charset.toLowerCase()) {
    case 'utf-8':
    case 'utf8':
      try {
        return STRICT_UTF8.decode(bytes);
      } catch {
        throw new MalformedMetadataError(field, 'an RFC 2047 encoded word declares UTF-8 but is not valid UTF-8.');
      }
    case 'iso-8859-1':
    case 'latin1':
    case 'us-ascii':
      return bytes.toString('latin1');
    default:
      throw new MalformedMetadataError(field, `an RFC 2047 encoded word uses the unsupported charset ${JSON.stringify(charset.slice(0, 40))}.`);
  }
}

function decodeB(field: string, payload: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(payload) || payload.length % 4 !== 0) {
    throw new MalformedMetadataError(field, 'an RFC 2047 B-encoded word is not valid base64.');
  }
  return Buffer.from(payload, 'base64');
}

function decodeQ(field: string, payload: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < payload.length; i++) {
    const c = payload[i];
    if (c === '_') {
      out.push(0x20);
    } else if (c === '=') {
      const hex = payload.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new MalformedMetadataError(field, 'an RFC 2047 Q-encoded word has an invalid =XX escape.');
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(c.charCodeAt(0) & 0xff);
    }
  }
  return Buffer.from(out);
}

function undoLatin1DoubleEncoding(text: string): string {
  let hasHigh = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) return text; // real Unicode text: not double-encoded
    if (code >= 0x80) hasHigh = true;
  }
  if (!hasHigh) return text;
  try {
    return STRICT_UTF8.decode(Buffer.from(text, 'latin1'));
  } catch {
    return text;
  }
}
