import {
  AlgorithmSuite, ContentFormat, decodeContentMetadata, decodeHeaderValue, MalformedMetadataError, MetadataStrategy,
  MissingInstructionFileError, requiresInstructionFile, toAsciiJson, UnknownWrappingAlgorithmError, WrappingAlgorithm,
  instructionFileKey,
} from '../../src/client-side';
import { Fixture } from './support/harness';

/** What S3 does to a non-ASCII header value: UTF-8 bytes read as Latin-1, re-encoded as UTF-8, then RFC 2047 B-encoded. */
function s3DoubleEncodeB(text: string): string {
  const latin1Chars = Buffer.from(text, 'utf8').toString('latin1');
  return `=?UTF-8?B?${Buffer.from(latin1Chars, 'utf8').toString('base64')}?=`;
}

function s3DoubleEncodeQ(text: string): string {
  const bytes = Buffer.from(Buffer.from(text, 'utf8').toString('latin1'), 'utf8');
  return `=?UTF-8?Q?${[...bytes].map((b) => (b >= 0x21 && b <= 0x7e && b !== 0x3d && b !== 0x3f && b !== 0x5f ? String.fromCharCode(b) : b === 0x20 ? '_' : `=${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('')}?=`;
}

describe('non-ASCII metadata values', () => {
  it('toAsciiJson writes every non-ASCII character as \\uXXXX and parses back to the same map', () => {
    const map = { 'projekt-ö': 'Grüße 日本 😀', plain: 'a"b\\c' };
    const json = toAsciiJson(map);
    expect(json).toMatch(/^[\x20-\x7e]*$/);
    expect(json).toContain('\\u00f6');
    expect(JSON.parse(json)).toEqual(map);
  });

  it.each([
    ['RFC 2047 B word of the double-encoded value', s3DoubleEncodeB],
    ['RFC 2047 Q word of the double-encoded value', s3DoubleEncodeQ],
    ['raw UTF-8 header read by Node as Latin-1', (t: string) => Buffer.from(t, 'utf8').toString('latin1')],
    ['plain RFC 2047 of the UTF-8 text', (t: string) => `=?utf-8?b?${Buffer.from(t, 'utf8').toString('base64')}?=`],
  ])('decodes the %s', (_name, encode) => {
    const text = '{"projekt-ö":"Grüße 日本"}';
    expect(decodeHeaderValue('x-amz-t', encode(text))).toBe(text);
  });

  it('joins adjacent encoded words and leaves ASCII and genuine Latin-1 text alone', () => {
    expect(decodeHeaderValue('f', '=?UTF-8?B?w4PCtg==?= =?UTF-8?Q?x?=')).toBe('öx');
    expect(decodeHeaderValue('f', '{"aws:x-amz-cek-alg":"115"}')).toBe('{"aws:x-amz-cek-alg":"115"}');
    expect(decodeHeaderValue('f', 'caf\u00e9')).toBe('caf\u00e9'); // 0xE9 alone is not UTF-8
  });

  it('rejects malformed encoded words with a typed error', () => {
    expect(() => decodeHeaderValue('f', '=?UTF-8?B?***?=')).toThrow(MalformedMetadataError);
    expect(() => decodeHeaderValue('f', '=?UTF-8?Q?=ZZ?=')).toThrow(MalformedMetadataError);
    expect(() => decodeHeaderValue('f', '=?KOI8-R?B?AAAA?=')).toThrow(MalformedMetadataError);
    expect(() => decodeHeaderValue('f', '=?UTF-8?B?/w==?=')).toThrow(MalformedMetadataError);
  });

  describe('a KMS object with a non-ASCII encryption context', () => {
    let fx: Fixture;
    beforeAll(() => {
      fx = new Fixture();
    });
    afterAll(() => fx.restore());
    const ec = { 'abteilung-ö': 'Grüße 日本 😀' };

    it.each([ContentFormat.V3, ContentFormat.V2])('%s: headers are pure ASCII, and it decrypts as written and as S3 returns it (RFC 2047, double-encoded)', async (format) => {
      const obj = await fx.encrypt('kms', format, MetadataStrategy.OBJECT_METADATA, Buffer.from('x'), ec);
      for (const v of Object.values(obj.metadata)) expect(v).toMatch(/^[\x20-\x7e]*$/);
      const generate = fx.kms.requests.filter((r) => r.op === 'GenerateDataKey').pop()!.input as { EncryptionContext: Record<string, string> };
      expect(generate.EncryptionContext).toEqual({ ...ec, 'aws:x-amz-cek-alg': format === ContentFormat.V3 ? '115' : 'AES/GCM/NoPadding' });

      const ecKey = format === ContentFormat.V3 ? 'x-amz-t' : 'x-amz-matdesc';
      const unescaped = JSON.stringify(JSON.parse(obj.metadata[ecKey]));
      for (const served of [obj.metadata[ecKey], s3DoubleEncodeB(unescaped), s3DoubleEncodeQ(unescaped)]) {
        const out = await fx.client('kms').decrypt({ ...obj, metadata: { ...obj.metadata, [ecKey]: served } }, { encryptionContext: ec });
        expect(out.toString()).toBe('x');
      }
    });
  });
});

describe('format detection (Java order) and layout', () => {
  let fx: Fixture;
  beforeAll(() => {
    fx = new Fixture();
  });
  afterAll(() => fx.restore());

  it('writes the exact V2 and V3 key sets on the object and in instruction files', async () => {
    const v3 = await fx.encrypt('aes', ContentFormat.V3, MetadataStrategy.INSTRUCTION_FILE, Buffer.from('x'));
    expect(Object.keys(v3.metadata).sort()).toEqual(['x-amz-c', 'x-amz-d', 'x-amz-i']);
    expect(Object.keys(JSON.parse(v3.instructionFile!)).sort()).toEqual(['x-amz-3', 'x-amz-w']);
    const v2 = await fx.encrypt('rsa', ContentFormat.V2, MetadataStrategy.INSTRUCTION_FILE, Buffer.from('x'));
    expect(v2.metadata).toEqual({});
    const file = JSON.parse(v2.instructionFile!);
    expect(file).toMatchObject({ 'x-amz-cek-alg': 'AES/GCM/NoPadding', 'x-amz-wrap-alg': 'RSA-OAEP-SHA1', 'x-amz-matdesc': '{}', 'x-amz-tag-len': '128' });
    expect(Buffer.from(file['x-amz-iv'], 'base64')).toHaveLength(12);
    expect(Buffer.from(file['x-amz-key-v2'], 'base64')).toHaveLength(256);
    const kmsV3 = await fx.encrypt('kms', ContentFormat.V3, MetadataStrategy.INSTRUCTION_FILE, Buffer.from('x'));
    expect(JSON.parse(JSON.parse(kmsV3.instructionFile!)['x-amz-t'])).toEqual({ 'aws:x-amz-cek-alg': '115' });
    expect(instructionFileKey('a/b.txt')).toBe('a/b.txt.instruction');
  });

  it('requiresInstructionFile follows the four cases', () => {
    expect(requiresInstructionFile({ 'x-amz-iv': 'a', 'x-amz-key-v2': 'b', 'x-amz-wrap-alg': 'AES/GCM' })).toBe(false);
    expect(requiresInstructionFile({ 'x-amz-3': 'a', 'x-amz-c': '115', 'x-amz-d': 'b', 'x-amz-i': 'c' })).toBe(false);
    expect(requiresInstructionFile({ 'x-amz-c': '115', 'x-amz-d': 'b', 'x-amz-i': 'c' })).toBe(true);
    expect(requiresInstructionFile({ 'content-type': 'x', other: 'y' })).toBe(true);
    expect(requiresInstructionFile({ 'x-amz-unencrypted-content-length': '5' })).toBe(true);
  });

  it('a plain object with no instruction file is reported as not encrypted or missing its instruction file', () => {
    expect(() => decodeContentMetadata({ metadata: { foo: 'bar' }, instructionFileKey: 'k.instruction' })).toThrow(MissingInstructionFileError);
    expect(() => decodeContentMetadata({ metadata: {}, instructionFileKey: 'k.instruction' })).toThrow(/"k\.instruction"/);
  });

  it.each([
    ['x-amz-key and x-amz-key-v2', { 'x-amz-key': 'AAAA', 'x-amz-key-v2': 'AAAA', 'x-amz-iv': 'AAAA' }],
    ['x-amz-key-v2 and x-amz-3', { 'x-amz-key-v2': 'AAAA', 'x-amz-3': 'AAAA', 'x-amz-iv': 'AAAA' }],
    ['x-amz-key and x-amz-3', { 'x-amz-key': 'AAAA', 'x-amz-3': 'AAAA', 'x-amz-c': '115', 'x-amz-d': 'A', 'x-amz-i': 'A' }],
  ])('rejects the mutually exclusive markers %s', (_n, metadata) => {
    expect(() => requiresInstructionFile(metadata)).toThrow(MalformedMetadataError);
    expect(() => decodeContentMetadata({ metadata })).toThrow(/mutually exclusive/);
  });

  it('reads keys case-insensitively but rejects the same key twice', async () => {
    const obj = await fx.encrypt('aes', ContentFormat.V3, MetadataStrategy.OBJECT_METADATA, Buffer.from('x'));
    const upper = Object.fromEntries(Object.entries(obj.metadata).map(([k, v]) => [k.toUpperCase(), v]));
    expect((await fx.client('aes').decrypt({ ...obj, metadata: upper })).toString()).toBe('x');
    expect(() => decodeContentMetadata({ metadata: { ...obj.metadata, 'X-AMZ-C': '115' } })).toThrow(/twice/);
  });

  it('accepts what other writers emit: x-amz-m null (Go) or {} (Ruby), numeric tag-len in instruction files (Go), no tag-len (Go)', async () => {
    const v3 = await fx.encrypt('kms', ContentFormat.V3, MetadataStrategy.OBJECT_METADATA, Buffer.from('x'));
    for (const m of ['null', '{}']) {
      expect((await fx.client('kms').decrypt({ ...v3, metadata: { ...v3.metadata, 'x-amz-m': m } })).toString()).toBe('x');
    }
    const v2 = await fx.encrypt('aes', ContentFormat.V2, MetadataStrategy.INSTRUCTION_FILE, Buffer.from('x'));
    const file = { ...JSON.parse(v2.instructionFile!), 'x-amz-tag-len': 128, 'x-amz-unencrypted-content-length': 1 };
    expect((await fx.client('aes').decrypt({ ...v2, instructionFile: JSON.stringify(file) })).toString()).toBe('x');
    delete file['x-amz-tag-len'];
    expect((await fx.client('aes').decrypt({ ...v2, instructionFile: Buffer.from(JSON.stringify(file)) })).toString()).toBe('x');
  });

  it('merges a Ruby-style V2 instruction file with x-amz-unencrypted-content-length left on the object', async () => {
    const v2 = await fx.encrypt('aes', ContentFormat.V2, MetadataStrategy.INSTRUCTION_FILE, Buffer.from('hello'));
    const md = decodeContentMetadata({ metadata: { 'x-amz-unencrypted-content-length': '5' }, instructionFile: v2.instructionFile });
    expect(md).toMatchObject({ formatVersion: 2, unencryptedContentLength: 5, strategy: MetadataStrategy.INSTRUCTION_FILE, wrappingAlgorithm: WrappingAlgorithm.AES_GCM });
    expect(md.suite).toBe(AlgorithmSuite.AES_256_GCM_IV12_TAG16_NO_KDF);
  });

  it('refuses metadata over S3\'s 2 KB user-metadata limit and points to instruction files, which have no such limit', async () => {
    const ec = Object.fromEntries(Array.from({ length: 40 }, (_v, i) => [`key-${i}`, 'v'.repeat(40)]));
    await expect(fx.client('kms').encrypt(Buffer.from('x'), { encryptionContext: ec })).rejects.toThrow(/2048-byte user-metadata limit.*INSTRUCTION_FILE/);
    const obj = await fx.encrypt('kms', ContentFormat.V3, MetadataStrategy.INSTRUCTION_FILE, Buffer.from('x'), ec);
    expect((await fx.client('kms').decrypt(obj, { encryptionContext: ec })).toString()).toBe('x');
  });

  it('ignores the instruction file when the object metadata is complete', async () => {
    const obj = await fx.encrypt('aes', ContentFormat.V3, MetadataStrategy.OBJECT_METADATA, Buffer.from('x'));
    expect((await fx.client('aes').decrypt({ ...obj, instructionFile: 'not even json' })).toString()).toBe('x');
  });

  it('names unknown V3 wrap codes and V2 wrap names with UnknownWrappingAlgorithmError', () => {
    const v3 = { 'x-amz-c': '115', 'x-amz-3': 'AAAA', 'x-amz-w': '03', 'x-amz-d': Buffer.alloc(28).toString('base64'), 'x-amz-i': Buffer.alloc(28).toString('base64') };
    expect(() => decodeContentMetadata({ metadata: v3 })).toThrow(UnknownWrappingAlgorithmError);
    const v2 = { 'x-amz-key-v2': 'AAAA', 'x-amz-iv': Buffer.alloc(12).toString('base64'), 'x-amz-cek-alg': 'AES/GCM/NoPadding', 'x-amz-wrap-alg': 'RSA-OAEP-SHA256' };
    expect(() => decodeContentMetadata({ metadata: v2 })).toThrow(/"RSA-OAEP-SHA256"/);
    // the internal marker for unlabelled V1 wraps is not accepted from the wire
    expect(() => decodeContentMetadata({ metadata: { ...v2, 'x-amz-wrap-alg': WrappingAlgorithm.LEGACY_UNLABELLED } })).toThrow(UnknownWrappingAlgorithmError);
  });

  it('rejects non-canonical base64 so a changed character never decodes to the same bytes', () => {
    const iv = Buffer.alloc(12, 1).toString('base64'); // 'AQEBAQEBAQEBAQEB'
    const base = { 'x-amz-key-v2': 'AAAA', 'x-amz-cek-alg': 'AES/GCM/NoPadding', 'x-amz-wrap-alg': 'AES/GCM' };
    expect(decodeContentMetadata({ metadata: { ...base, 'x-amz-iv': iv } }).iv).toEqual(Buffer.alloc(12, 1));
    expect(() => decodeContentMetadata({ metadata: { ...base, 'x-amz-key-v2': 'AAB=', 'x-amz-iv': iv } })).toThrow(/canonical/);
    expect(() => decodeContentMetadata({ metadata: { ...base, 'x-amz-iv': `${iv}\n` } })).toThrow(MalformedMetadataError);
  });

  it('keeps a "__proto__" context entry as data', () => {
    const md = decodeContentMetadata({ metadata: {
      'x-amz-key-v2': 'AAAA', 'x-amz-iv': Buffer.alloc(12, 1).toString('base64'), 'x-amz-cek-alg': 'AES/GCM/NoPadding',
      'x-amz-wrap-alg': 'kms+context', 'x-amz-matdesc': '{"__proto__":"x","a":"b"}',
    } });
    expect(Object.keys(md.encryptionContext).sort()).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(md.encryptionContext)).toBe(Object.prototype);
  });
});
