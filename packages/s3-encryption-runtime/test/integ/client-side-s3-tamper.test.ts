/**
 * Tampering with stored objects in the bucket (an attacker with s3:PutObject, using a plain S3 client):
 * every modified body, tag, metadata field or instruction file gives the typed error and no plaintext.
 * Also: ranged gets, which are unauthenticated and need the opt-in.
 */
import {
  type ClientSideEncryptionError,
  ContentAuthenticationError,
  ContentFormat,
  DataKeyUnwrapError,
  EncryptionContextMismatchError,
  KeyCommitmentError,
  KeyringMismatchError,
  LegacyModeDisabledError,
  MalformedMetadataError,
  MaterialDescriptionMismatchError,
  MetadataStrategy,
  MissingInstructionFileError,
  RangedGetError,
  S3EncryptionClient,
} from '../../src';
import { Fixture, type KeyringKind } from '../client-side/support/harness';
import { drain, rawGet, rawPut, rawReplaceMetadata } from '../client-side/support/s3-fixtures';
import { describeWithS3, recordCommands, s3TestServer } from './support/s3-test-server';
import { MiB, patternBuffer } from './support/test-data';

type ErrorClass = new (...args: never[]) => ClientSideEncryptionError;

describeWithS3('tampered objects and ranged gets against radosgw', () => {
  const s3 = s3TestServer();
  let fx: Fixture;
  let bucket: string;
  const SIZE = 6 * MiB + 5; // multipart with 5 MiB parts
  const client = (kind: KeyringKind, config: Parameters<Fixture['client']>[1] = {}) =>
    new S3EncryptionClient({ client: s3.client, encryption: fx.client(kind, config), partSize: 5 * MiB });

  beforeAll(async () => {
    fx = new Fixture();
    bucket = await s3.createBucket('cse-tamper');
  });
  afterAll(async () => {
    fx.restore();
    await s3.deleteBucket(bucket);
  });

  /** Reads through the client; returns the error and how many plaintext bytes were released before it. */
  async function attempt(c: S3EncryptionClient, key: string, ec?: Record<string, string>): Promise<{ error?: unknown; bytes: number }> {
    let out;
    try {
      out = await c.getObject({ bucket, key, encryptionContext: ec });
    } catch (error) {
      return { error, bytes: 0 };
    }
    const { error, bytes } = await drain(out.body);
    return { error, bytes };
  }

  async function writeOriginal(kind: KeyringKind, format: ContentFormat, key: string, strategy = MetadataStrategy.OBJECT_METADATA) {
    const ec = kind === 'kms' ? { purpose: 'tamper' } : undefined;
    await client(kind, { format, metadataStrategy: strategy }).putObject({ bucket, key, body: patternBuffer(SIZE, key), encryptionContext: ec });
    return { ec, ...(await rawGet(s3.client, bucket, key)) };
  }

  const flip = (b64: string, at = 5): string => {
    const bytes = Buffer.from(b64, 'base64');
    bytes[at % bytes.length] ^= 0x01;
    return bytes.toString('base64');
  };

  describe.each([ContentFormat.V3, ContentFormat.V2])('format %s: modified body bytes', (format) => {
    it.each<[string, (body: Buffer) => Buffer]>([
      ['a flipped ciphertext byte', (b) => Buffer.concat([b.subarray(0, 1000), Buffer.from([b[1000] ^ 0x80]), b.subarray(1001)])],
      ['a flipped tag byte', (b) => Buffer.concat([b.subarray(0, b.length - 1), Buffer.from([b[b.length - 1] ^ 0x01])])],
      ['a truncated body', (b) => b.subarray(0, b.length - 1)],
      ['an appended byte', (b) => Buffer.concat([b, Buffer.from([0])])],
    ])('%s: ContentAuthenticationError and no plaintext (buffered); in delayed mode the error comes at the end', async (_label, modify) => {
      const key = `body/${format}/${_label}`;
      const original = await writeOriginal('aes', format, key);
      await rawPut(s3.client, bucket, key, modify(original.body), original.metadata);

      const buffered = await attempt(client('aes'), key);
      expect(buffered.error).toBeInstanceOf(ContentAuthenticationError);
      expect((buffered.error as ContentAuthenticationError).plaintextReleased).toBe(false);
      expect(buffered.bytes).toBe(0);

      const delayed = await attempt(client('aes', { enableDelayedAuthentication: true }), key);
      expect(delayed.error).toBeInstanceOf(ContentAuthenticationError);
      expect((delayed.error as ContentAuthenticationError).plaintextReleased).toBe(true);
      expect((delayed.error as Error).message).toMatch(/discard everything you received/);
      expect(delayed.bytes).toBeGreaterThan(0);
    });
  });

  describe('modified metadata on the object', () => {
    const cases: Array<[string, KeyringKind, ContentFormat, (m: Record<string, string>) => void, ErrorClass]> = [
      ['V3 message id (x-amz-i)', 'aes', ContentFormat.V3, (m) => (m['x-amz-i'] = flip(m['x-amz-i'])), KeyCommitmentError],
      ['V3 commitment (x-amz-d)', 'kms', ContentFormat.V3, (m) => (m['x-amz-d'] = flip(m['x-amz-d'])), KeyCommitmentError],
      ['V3 wrapped key (x-amz-3), AES', 'aes', ContentFormat.V3, (m) => (m['x-amz-3'] = flip(m['x-amz-3'], 20)), DataKeyUnwrapError],
      ['V3 wrapped key (x-amz-3), RSA', 'rsa', ContentFormat.V3, (m) => (m['x-amz-3'] = flip(m['x-amz-3'], 20)), DataKeyUnwrapError],
      ['V3 wrapped key (x-amz-3), KMS', 'kms', ContentFormat.V3, (m) => (m['x-amz-3'] = flip(m['x-amz-3'], 40)), DataKeyUnwrapError],
      ['V3 content algorithm (x-amz-c)', 'aes', ContentFormat.V3, (m) => (m['x-amz-c'] = '114'), MalformedMetadataError],
      ['V3 wrap algorithm (x-amz-w) 02 → 22', 'aes', ContentFormat.V3, (m) => (m['x-amz-w'] = '22'), KeyringMismatchError],
      ['V3 material description added (x-amz-m)', 'aes', ContentFormat.V3, (m) => (m['x-amz-m'] = '{"key":"other"}'), MaterialDescriptionMismatchError],
      ['V3 KMS encryption context (x-amz-t)', 'kms', ContentFormat.V3, (m) => (m['x-amz-t'] = m['x-amz-t'].replace('tamper', 'tamperd')), EncryptionContextMismatchError],
      ['V3 wrapped key removed', 'aes', ContentFormat.V3, (m) => delete m['x-amz-3'], MalformedMetadataError],
      ['V3 wrapped key and wrap algorithm removed', 'aes', ContentFormat.V3, (m) => { delete m['x-amz-3']; delete m['x-amz-w']; }, MissingInstructionFileError],
      ['V2 IV (x-amz-iv)', 'rsa', ContentFormat.V2, (m) => (m['x-amz-iv'] = flip(m['x-amz-iv'])), ContentAuthenticationError],
      ['V2 wrapped key (x-amz-key-v2), AES', 'aes', ContentFormat.V2, (m) => (m['x-amz-key-v2'] = flip(m['x-amz-key-v2'], 30)), DataKeyUnwrapError],
      ['V2 wrapped key (x-amz-key-v2), KMS', 'kms', ContentFormat.V2, (m) => (m['x-amz-key-v2'] = flip(m['x-amz-key-v2'], 40)), DataKeyUnwrapError],
      ['V2 content algorithm changed to CBC', 'aes', ContentFormat.V2, (m) => (m['x-amz-cek-alg'] = 'AES/CBC/PKCS5Padding'), MalformedMetadataError], // 12-byte IV
      ['V2 content algorithm downgraded to CBC with a 16-byte IV', 'aes', ContentFormat.V2, (m) => {
        m['x-amz-cek-alg'] = 'AES/CBC/PKCS5Padding';
        m['x-amz-iv'] = Buffer.alloc(16, 7).toString('base64');
      }, LegacyModeDisabledError],
      ['V2 wrap algorithm downgraded to kms', 'kms', ContentFormat.V2, (m) => (m['x-amz-wrap-alg'] = 'kms'), LegacyModeDisabledError],
      ['V2 material description (x-amz-matdesc)', 'aes', ContentFormat.V2, (m) => (m['x-amz-matdesc'] = '{"key":"other"}'), MaterialDescriptionMismatchError],
      ['V2 KMS context algorithm binding', 'kms', ContentFormat.V2, (m) => (m['x-amz-matdesc'] = m['x-amz-matdesc'].replace('AES/GCM/NoPadding', 'AES/CBC/PKCS5Padding')), EncryptionContextMismatchError],
      ['V2 tag length (x-amz-tag-len)', 'aes', ContentFormat.V2, (m) => (m['x-amz-tag-len'] = '96'), MalformedMetadataError],
      ['V2 and V3 markers mixed', 'aes', ContentFormat.V2, (m) => (m['x-amz-3'] = m['x-amz-key-v2']), MalformedMetadataError],
    ];
    it.each(cases)('%s: typed error, no plaintext', async (label, kind, format, modify, expected) => {
      const key = `metadata/${label}`;
      const original = await writeOriginal(kind, format, key);
      const metadata = { ...original.metadata };
      modify(metadata);
      await rawReplaceMetadata(s3.client, bucket, key, metadata);
      const { error, bytes } = await attempt(client(kind), key, original.ec);
      expect(error).toBeInstanceOf(expected);
      expect(bytes).toBe(0);
    });
  });

  describe('modified instruction files', () => {
    it.each([ContentFormat.V3, ContentFormat.V2])('%s: another object\'s (valid) instruction file does not decrypt this body', async (format) => {
      const a = `if/${format}/a`;
      const b = `if/${format}/b`;
      await writeOriginal('aes', format, a, MetadataStrategy.INSTRUCTION_FILE);
      await writeOriginal('aes', format, b, MetadataStrategy.INSTRUCTION_FILE);
      const other = await rawGet(s3.client, bucket, `${b}.instruction`);
      await rawPut(s3.client, bucket, `${a}.instruction`, other.body, other.metadata);
      const { error, bytes } = await attempt(client('aes'), a);
      expect(error).toBeInstanceOf(format === ContentFormat.V3 ? KeyCommitmentError : ContentAuthenticationError);
      expect(bytes).toBe(0);
    });

    it.each<[string, (file: Record<string, string>, obj: Record<string, string>) => string, ErrorClass]>([
      ['V3 file carrying the commitment (x-amz-d)', (f, o) => JSON.stringify({ ...f, 'x-amz-d': o['x-amz-d'] }), MalformedMetadataError],
      ['V3 file with a flipped wrapped key', (f) => JSON.stringify({ ...f, 'x-amz-3': flip(f['x-amz-3'], 20) }), DataKeyUnwrapError],
      ['V3 file that is not JSON', () => '{"x-amz-3": ', MalformedMetadataError],
    ])('%s: typed error, no plaintext', async (label, rewrite, expected) => {
      const key = `if/v3/${label}`;
      const original = await writeOriginal('aes', ContentFormat.V3, key, MetadataStrategy.INSTRUCTION_FILE);
      const file = await rawGet(s3.client, bucket, `${key}.instruction`);
      await rawPut(s3.client, bucket, `${key}.instruction`, Buffer.from(rewrite(JSON.parse(file.body.toString()), original.metadata)), file.metadata);
      const { error, bytes } = await attempt(client('aes'), key);
      expect(error).toBeInstanceOf(expected);
      expect(bytes).toBe(0);
    });
  });

  describe('ranged gets', () => {
    it('need enableLegacyUnauthenticatedModes, checked before any request', async () => {
      const commands = recordCommands(s3.client);
      const err = await client('aes').getObject({ bucket, key: 'anything', range: { start: 0, end: 10 } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LegacyModeDisabledError);
      expect((err as LegacyModeDisabledError).option).toBe('enableLegacyUnauthenticatedModes');
      expect(commands).toEqual([]);
    });

    it.each<[ContentFormat, KeyringKind]>([
      [ContentFormat.V3, 'kms'],
      [ContentFormat.V2, 'aes'],
      [ContentFormat.V3, 'rsa'],
    ])('%s %s: any range of a multipart object decrypts to exactly those plaintext bytes', async (format, kind) => {
      const key = `range/${format}/${kind}`;
      const { ec } = await writeOriginal(kind, format, key, format === ContentFormat.V2 ? MetadataStrategy.INSTRUCTION_FILE : MetadataStrategy.OBJECT_METADATA);
      const plaintext = patternBuffer(SIZE, key);
      const reader = client(kind, { enableLegacyUnauthenticatedModes: true });
      const ranges: Array<[{ start: number; end?: number } | string, number, number]> = [
        [{ start: 0, end: 0 }, 0, 0],
        [{ start: 0, end: 15 }, 0, 15],
        [{ start: 1, end: 16 }, 1, 16],
        [{ start: 5 * MiB - 3, end: 5 * MiB + 40 }, 5 * MiB - 3, 5 * MiB + 40], // across the part boundary
        [{ start: SIZE - 10 }, SIZE - 10, SIZE - 1],
        [{ start: SIZE - 1, end: SIZE - 1 }, SIZE - 1, SIZE - 1],
        [{ start: 100, end: SIZE + 100 }, 100, SIZE - 1], // clamped to the plaintext, tag never returned
        ['bytes=1000-1999', 1000, 1999],
      ];
      for (const [range, start, end] of ranges) {
        const out = await reader.getObject({ bucket, key, range, encryptionContext: ec });
        expect(out).toMatchObject({ authentication: 'none', contentLength: end - start + 1, range: { start, end, total: SIZE } });
        const { data, error } = await drain(out.body);
        expect(error).toBeUndefined();
        expect(data.equals(plaintext.subarray(start, end + 1))).toBe(true);
      }
      await expect(reader.getObject({ bucket, key, range: { start: SIZE + 16 }, encryptionContext: ec })).rejects.toBeInstanceOf(RangedGetError);
      await expect(reader.getObject({ bucket, key, range: { start: SIZE + 64 }, encryptionContext: ec })).rejects.toBeInstanceOf(RangedGetError); // 416 from S3
      await expect(reader.getObject({ bucket, key, range: { start: SIZE }, encryptionContext: ec })).rejects.toBeInstanceOf(RangedGetError);
      await expect(reader.getObject({ bucket, key, range: 'bytes=-10' })).rejects.toBeInstanceOf(RangedGetError);
    });
  });
});
