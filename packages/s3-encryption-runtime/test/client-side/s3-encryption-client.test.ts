/**
 * S3EncryptionClient paths that only AWS S3 exercises (radosgw Pacific predates flexible checksums, so
 * the radosgw tests run with WHEN_REQUIRED): with the SDK's default WHEN_SUPPORTED, the multipart upload
 * declares CRC32 and Complete carries each part's checksum, as @aws-sdk/lib-storage does. Mocked S3;
 * everything else about the client is tested against radosgw in test/integ/client-side-s3-*.test.ts.
 */
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ClientSideConfigurationError, ClientSideEncryption, RawAesKeyring, S3EncryptionClient } from '../../src';
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
