import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import * as fc from 'fast-check';
import { SseCKey, SseCKeyLengthError, SseCKeySourceError } from '../../src/sse-c';

// eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- the test: interpolating a key must not reveal it
const representations = (key: SseCKey): string[] => [String(key), `${key}`, JSON.stringify(key), JSON.stringify({ key }), inspect(key), inspect({ nested: { key } })];

describe('SseCKey', () => {
  it('generates distinct 256-bit keys and computes the MD5 S3 expects', () => {
    const a = SseCKey.generate();
    const b = SseCKey.generate();
    expect(a.exportBytes()).toHaveLength(32);
    expect(a.equals(b)).toBe(false);
    expect(a.keyMd5).toBe(createHash('md5').update(a.exportBytes()).digest('base64'));
    expect(a.requestParams()).toEqual({
      SSECustomerAlgorithm: 'AES256',
      SSECustomerKey: a.exportBytes().toString('base64'),
      SSECustomerKeyMD5: a.keyMd5,
    });
    expect(a.copySourceParams()).toEqual({
      CopySourceSSECustomerAlgorithm: 'AES256',
      CopySourceSSECustomerKey: a.exportBytes().toString('base64'),
      CopySourceSSECustomerKeyMD5: a.keyMd5,
    });
  });

  it('builds from raw bytes (copied) and from base64, and compares by value', () => {
    const bytes = Buffer.alloc(32, 7);
    const key = SseCKey.fromBytes(bytes);
    bytes.fill(0); // the caller wiping its buffer does not change the key
    expect(key.equals(SseCKey.fromBase64(Buffer.alloc(32, 7).toString('base64')))).toBe(true);
    expect(key.equals(SseCKey.fromBase64(` ${Buffer.alloc(32, 7).toString('base64')}\n`))).toBe(true);
    expect(key.matchesMd5(key.keyMd5)).toBe(true);
    expect(key.matchesMd5(SseCKey.generate().keyMd5)).toBe(false);
    expect(key.matchesMd5(undefined)).toBe(false);
  });

  it.each([0, 1, 16, 24, 31, 33, 64])('rejects %i-byte keys with SseCKeyLengthError naming the bit length', (n) => {
    const err = (() => {
      try {
        SseCKey.fromBytes(Buffer.alloc(n, 1));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(SseCKeyLengthError);
    expect((err as SseCKeyLengthError).code).toBe('SseCKeyLength');
    expect((err as Error).message).toContain(`got ${n * 8} bits`);
    expect(() => SseCKey.fromBase64(Buffer.alloc(n, 1).toString('base64'))).toThrow(n === 0 ? SseCKeySourceError : SseCKeyLengthError);
  });

  it('rejects text that is not base64 without echoing it', () => {
    const err = (() => {
      try {
        SseCKey.fromBase64('this is not base64 at all!!', { label: 'key file k.txt' });
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a throw');
    })();
    expect(err).toBeInstanceOf(SseCKeySourceError);
    expect(err.message).toContain('key file k.txt');
    expect(err.message).not.toContain('this is not base64');
  });

  it('reads file contents as 32 raw bytes or base64 with a trailing newline', () => {
    const raw = Buffer.alloc(32, 3);
    expect(SseCKey.fromRawOrBase64(raw).equals(SseCKey.fromBytes(raw))).toBe(true);
    expect(SseCKey.fromRawOrBase64(Buffer.from(`${raw.toString('base64')}\n`)).equals(SseCKey.fromBytes(raw))).toBe(true);
    expect(() => SseCKey.fromRawOrBase64(Buffer.alloc(31))).toThrow(SseCKeyLengthError);
    expect(() => SseCKey.fromRawOrBase64(Buffer.from(Buffer.alloc(16).toString('base64')))).toThrow(SseCKeyLengthError);
  });

  it('never prints the key: toString, JSON and inspect are redacted and show only the label', () => {
    const key = SseCKey.generate({ label: 'payments key' });
    expect(String(key)).toBe('SseCKey(payments key, <redacted>)');
    expect(JSON.parse(JSON.stringify(key))).toEqual({ type: 'SseCKey', label: 'payments key', key: '<redacted>' });
    expect(inspect(key)).toBe('SseCKey(payments key, <redacted>)');
    expect(String(SseCKey.generate())).toBe('SseCKey(<redacted>)');
  });

  it('property: no representation of any key contains its bytes in base64, hex or latin1', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), (bytes, label) => {
        const key = SseCKey.fromBytes(bytes, label === undefined ? {} : { label });
        const b = Buffer.from(bytes);
        const secrets = [b.toString('base64'), b.toString('hex'), b.toString('base64url')];
        for (const text of representations(key)) for (const s of secrets) expect(text).not.toContain(s);
        expect(Object.values(key).join(' ')).not.toContain(b.toString('base64'));
      }),
      { numRuns: 200 },
    );
  });
});
