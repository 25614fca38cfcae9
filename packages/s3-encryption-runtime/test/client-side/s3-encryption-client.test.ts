/**
 * S3EncryptionClient paths that only AWS S3 exercises (radosgw Pacific predates flexible checksums, so
 * the radosgw tests run with WHEN_REQUIRED): with the SDK's default WHEN_SUPPORTED, the multipart upload
 * declares CRC32 and Complete carries each part's checksum, as @aws-sdk/lib-storage does. Mocked S3;
 * everything else about the client is tested against radosgw in test/integ/client-side-s3-*.test.ts.
 */
import { createCipheriv } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ClientSideConfigurationError, ClientSideEncryption, ContentFormat, RawAesKeyring, S3EncryptionClient } from '../../src';
import { seededBytes } from './support/harness';

const MiB = 1024 * 1024;
const s3 = mockClient(S3Client);
afterAll(() => s3.restore());
beforeEach(() => s3.reset());

const encryption = new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: seededBytes(1, 32) }) });
const client = (checksums: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED') => new S3Client({
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  requestChecksumCalculation: checksums,
  responseChecksumValidation: checksums,
});

it('with WHEN_SUPPORTED checksums (AWS), declares CRC32 on CreateMultipartUpload and passes part checksums to Complete', async () => {
  s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
  s3.on(UploadPartCommand).callsFake(async (input) => ({ ETag: `"p${input.PartNumber}"`, ChecksumCRC32: `crc-${input.PartNumber}` }));
  s3.on(CompleteMultipartUploadCommand).resolves({ ETag: '"done-2"' });
  const out = await new S3EncryptionClient({ client: client('WHEN_SUPPORTED'), encryption, partSize: 5 * MiB })
    .putObject({ bucket: 'b', key: 'k', body: seededBytes(2, 6 * MiB) });
  expect(out).toMatchObject({ parts: 2, size: 6 * MiB, storedSize: 6 * MiB + 16, etag: '"done-2"' });
  expect(s3.commandCalls(CreateMultipartUploadCommand)[0].args[0].input.ChecksumAlgorithm).toBe('CRC32');
  expect(s3.commandCalls(CompleteMultipartUploadCommand)[0].args[0].input.MultipartUpload).toEqual({
    Parts: [{ PartNumber: 1, ETag: '"p1"', ChecksumCRC32: 'crc-1' }, { PartNumber: 2, ETag: '"p2"', ChecksumCRC32: 'crc-2' }],
  });
});

it('with WHEN_REQUIRED (S3-compatible servers), declares no checksum algorithm', async () => {
  s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
  s3.on(UploadPartCommand).callsFake(async (input) => ({ ETag: `"p${input.PartNumber}"` }));
  s3.on(CompleteMultipartUploadCommand).resolves({});
  await new S3EncryptionClient({ client: client('WHEN_REQUIRED'), encryption, partSize: 5 * MiB }).putObject({ bucket: 'b', key: 'k', body: seededBytes(3, 6 * MiB) });
  expect(s3.commandCalls(CreateMultipartUploadCommand)[0].args[0].input.ChecksumAlgorithm).toBeUndefined();
  expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
});

it.each([
  [{ partSize: 4 * MiB }, /partSize must be a multiple of 16 bytes and at least 5 MiB/],
  [{ partSize: 5 * MiB + 8 }, /partSize must be a multiple of 16/],
  [{ queueSize: 0 }, /queueSize must be a positive integer/],
  [{ instructionFileSuffix: '' }, /instructionFileSuffix must not be empty/],
])('rejects invalid settings %p', (settings, message) => {
  expect(() => new S3EncryptionClient({ client: client('WHEN_REQUIRED'), encryption, ...settings })).toThrow(message);
  expect(() => new S3EncryptionClient({ client: client('WHEN_REQUIRED'), encryption, ...settings })).toThrow(ClientSideConfigurationError);
});

it('builds its ClientSideEncryption from a keyring configuration too', () => {
  const c = new S3EncryptionClient({ client: client('WHEN_REQUIRED'), keyring: new RawAesKeyring({ wrappingKey: seededBytes(4, 32) }), enableDelayedAuthentication: true });
  expect(c.encryption.authentication).toBe('delayed');
  expect(() => new S3EncryptionClient({ client: client('WHEN_REQUIRED') } as never)).toThrow(/needs a keyring/);
});

describe('getObject reports the plaintext length it will produce', () => {
  const wrappingKey = seededBytes(5, 32);
  const legacy = new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey }), enableLegacyWrappingAlgorithms: true, enableLegacyUnauthenticatedModes: true });
  const reader = () => new S3EncryptionClient({ client: client('WHEN_REQUIRED'), encryption: legacy });
  const stored = (body: Buffer, metadata: Record<string, string>) =>
    s3.on(GetObjectCommand).callsFake(async () => ({ Body: Readable.from([body]), ContentLength: body.length, Metadata: metadata }));
  const drain = async (body: Readable) => Buffer.concat(await body.toArray());

  it('legacy AES-CBC (V1): unknown before decryption, since the 1 to 16 bytes of padding are not a tag', async () => {
    // a V1 object built from the published layout: AES-ECB wrapped data key, AES-256-CBC body
    const plaintext = seededBytes(6, 64);
    const dataKey = seededBytes(7, 32);
    const iv = seededBytes(8, 16);
    const ecb = createCipheriv('aes-256-ecb', wrappingKey, null);
    const cbc = createCipheriv('aes-256-cbc', dataKey, iv);
    const body = Buffer.concat([cbc.update(plaintext), cbc.final()]);
    expect(body.length).toBe(80); // 64 bytes plus a whole block of padding
    stored(body, { 'x-amz-key': Buffer.concat([ecb.update(dataKey), ecb.final()]).toString('base64'), 'x-amz-iv': iv.toString('base64'), 'x-amz-matdesc': '{}' });

    const got = await reader().getObject({ bucket: 'b', key: 'v1' });
    expect(got).toMatchObject({ formatVersion: 1, authentication: 'none' });
    expect(got.contentLength).toBeUndefined();
    expect(await drain(got.body)).toEqual(plaintext);
  });

  it('GCM (V2, V3): the stored length minus the 16-byte tag', async () => {
    for (const format of [ContentFormat.V2, ContentFormat.V3]) {
      const plaintext = seededBytes(9, 64);
      const obj = await new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey }), format }).encrypt(plaintext);
      stored(obj.body, obj.metadata);
      const got = await reader().getObject({ bucket: 'b', key: `gcm-${format}` });
      expect(got.contentLength).toBe(64);
      expect(await drain(got.body)).toEqual(plaintext);
    }
  });
});
