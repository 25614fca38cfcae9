/**
 * The S3 layer's two multipart uploaders against radosgw Pacific, which predates flexible checksums,
 * with the SDK's default `requestChecksumCalculation: WHEN_SUPPORTED` as well as the WHEN_REQUIRED that
 * createS3Client picks for custom endpoints: `@aws-sdk/lib-storage` (SSE-C) and the uploader of pre-cut
 * parts (client-side encryption). Both send every part as a Buffer, never as an aws-chunked stream with a
 * trailing checksum (which Pacific refuses with 411 MissingContentLength), so both work either way.
 */
import { ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { S3EncryptionClient, SseCKey, SseCObjectClient } from '../../src';
import { createS3Client } from '../../src/s3-client-factory';
import { Fixture } from '../client-side/support/harness';
import { describeWithS3, recordCommands, s3TestServer } from './support/s3-test-server';
import { MiB, patternStream, sha256OfStream } from './support/test-data';

describeWithS3('multipart uploads against radosgw under both checksum settings', () => {
  const s3 = s3TestServer();
  let fx: Fixture;
  let bucket: string;
  /** A client with the given checksum setting that records the checksum algorithm each multipart upload declared. */
  const clientWith = (checksums: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED'): { client: S3Client; declared: Array<string | undefined> } => {
    const client = createS3Client({ endpoint: s3.endpoint, caCert: s3.caCert, region: s3.region, forcePathStyle: true, credentials: s3.credentials, checksums });
    const declared: Array<string | undefined> = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'CreateMultipartUploadCommand') declared.push((args.input as { ChecksumAlgorithm?: string }).ChecksumAlgorithm);
        return next(args);
      },
      { step: 'initialize', name: 'record-checksum-algorithm' },
    );
    return { client, declared };
  };
  const expectedAlgorithm = (checksums: string) => (checksums === 'WHEN_SUPPORTED' ? 'CRC32' : undefined);

  beforeAll(async () => {
    fx = new Fixture();
    bucket = await s3.createBucket('s3-layer-checksums');
  });
  afterAll(async () => {
    fx.restore();
    await s3.deleteBucket(bucket);
  });

  describe.each(['WHEN_SUPPORTED', 'WHEN_REQUIRED'] as const)('requestChecksumCalculation %s', (checksums) => {
    it('SSE-C: a 13 MiB stream goes up through lib-storage in 3 parts and reads back', async () => {
      const { client, declared } = clientWith(checksums);
      const commands = recordCommands(client);
      const sseKey = SseCKey.generate();
      const objects = new SseCObjectClient({ client, partSize: 5 * MiB });
      const { stream, sha256: expected } = patternStream(13 * MiB, `ssec-${checksums}`);
      const put = await objects.put({ bucket, key: `ssec/${checksums}`, body: stream, sseKey });
      expect(put.size).toBe(13 * MiB);
      expect(commands.filter((c) => c === 'UploadPartCommand')).toHaveLength(3);
      expect(declared).toEqual([expectedAlgorithm(checksums)]);
      const got = await objects.get({ bucket, key: `ssec/${checksums}`, sseKey });
      expect(await sha256OfStream(got.body)).toEqual({ sha256: expected, bytes: 13 * MiB });
      expect(await s3.listMultipartUploads(bucket)).toEqual([]);
    });

    it('client-side: a 13 MiB stream goes up in 3 encrypted parts and decrypts', async () => {
      const { client, declared } = clientWith(checksums);
      const encrypted = new S3EncryptionClient({ client, encryption: fx.client('aes'), partSize: 5 * MiB });
      const { stream, sha256: expected } = patternStream(13 * MiB, `cse-${checksums}`);
      const put = await encrypted.putObject({ bucket, key: `cse/${checksums}`, body: stream });
      expect(put).toMatchObject({ parts: 3, size: 13 * MiB, storedSize: 13 * MiB + 16 });
      expect(declared).toEqual([expectedAlgorithm(checksums)]);
      const got = await encrypted.getObject({ bucket, key: `cse/${checksums}` });
      expect(await sha256OfStream(got.body)).toEqual({ sha256: expected, bytes: 13 * MiB });
      const versions = await s3.client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: `cse/${checksums}` }));
      expect(versions.Versions?.map((v) => v.Size)).toEqual([13 * MiB + 16]);
    });
  });
});
