/**
 * Large objects through radosgw: 1 GiB puts and gets in bounded memory (multipart, one GCM stream),
 * SHA-256 checked, in both formats; the buffered-authentication limit and its opt-ins.
 */
import { DecryptCommand } from '@aws-sdk/client-kms';
import {
  BufferLimitExceededError,
  ContentFormat,
  MetadataStrategy,
  S3EncryptionClient,
} from '../../src';
import { Fixture, type KeyringKind } from '../client-side/support/harness';
import { describeWithS3, s3TestServer } from './support/s3-test-server';
import { MiB, patternStream, sha256OfStream } from './support/test-data';

const GiB = 1024 * MiB;

/** Peak RSS growth (bytes) while `run` runs, sampled every 25 ms. */
async function peakRssGrowth<T>(run: () => Promise<T>): Promise<{ result: T; growth: number }> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  try {
    const result = await run();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growth: peak - base };
  } finally {
    clearInterval(timer);
  }
}

describeWithS3('S3EncryptionClient with large objects against radosgw', () => {
  const s3 = s3TestServer();
  let fx: Fixture;
  let bucket: string;

  beforeAll(async () => {
    fx = new Fixture();
    bucket = await s3.createBucket('cse-large');
  });
  afterAll(async () => {
    fx.restore();
    await s3.deleteBucket(bucket);
  });

  const cases: Array<[string, KeyringKind, ContentFormat, MetadataStrategy]> = [
    ['V3, raw AES, object metadata', 'aes', ContentFormat.V3, MetadataStrategy.OBJECT_METADATA],
    ['V2, KMS, instruction file', 'kms', ContentFormat.V2, MetadataStrategy.INSTRUCTION_FILE],
  ];
  it.each(cases)('1 GiB + 7 B (%s): put and get stream in bounded memory with the same SHA-256', async (_label, kind, format, strategy) => {
    const size = GiB + 7;
    const key = `large/${format}-${kind}.bin`;
    const ec = kind === 'kms' ? { dataset: 'large' } : undefined;
    const writer = new S3EncryptionClient({ client: s3.client, encryption: fx.client(kind, { format, metadataStrategy: strategy }) });
    const { stream, sha256: expected } = patternStream(size, key);
    const put = await peakRssGrowth(() => writer.putObject({ bucket, key, body: stream, encryptionContext: ec }));
    expect(put.result).toMatchObject({ size, storedSize: size + 16, parts: 129 }); // 8 MiB parts
    expect(put.growth).toBeLessThan(300 * MiB);

    // buffered authentication (default) refuses it before unwrapping the key or reading the body
    const buffered = new S3EncryptionClient({ client: s3.client, encryption: fx.client(kind) });
    const decryptsBefore = fx.kms.requests.filter((r) => r.op === 'Decrypt').length;
    const err = await buffered.getObject({ bucket, key, encryptionContext: ec }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BufferLimitExceededError);
    expect((err as Error).message).toMatch(/enableDelayedAuthentication: true/);
    expect((err as Error).message).toMatch(/No plaintext was released/);
    expect(fx.kms.requests.filter((r) => r.op === 'Decrypt').length).toBe(decryptsBefore);
    expect(fx.kms.mock.commandCalls(DecryptCommand).length).toBe(decryptsBefore);

    // delayed authentication streams it
    const reader = new S3EncryptionClient({ client: s3.client, encryption: fx.client(kind, { enableDelayedAuthentication: true }) });
    const got = await peakRssGrowth(async () => {
      const out = await reader.getObject({ bucket, key, encryptionContext: ec });
      expect(out).toMatchObject({ contentLength: size, authentication: 'delayed' });
      return sha256OfStream(out.body);
    });
    expect(got.result).toEqual({ sha256: expected, bytes: size });
    expect(got.growth).toBeLessThan(300 * MiB);

    await writer.deleteObject({ bucket, key }); // frees the memstore
  }, 600_000);

  it('64 MiB + 5 B: over the default 64 MiB buffer it fails; a larger bufferSize authenticates it in memory (RSA, V3, instruction file)', async () => {
    const size = 64 * MiB + 5;
    const key = 'large/64mib-plus-5';
    const writer = new S3EncryptionClient({ client: s3.client, encryption: fx.client('rsa', { metadataStrategy: MetadataStrategy.INSTRUCTION_FILE }) });
    const { stream, sha256: expected } = patternStream(size, key);
    await writer.putObject({ bucket, key, body: stream, contentLength: size });

    const byDefault = new S3EncryptionClient({ client: s3.client, encryption: fx.client('rsa') });
    const err = (await byDefault.getObject({ bucket, key }).catch((e: unknown) => e)) as BufferLimitExceededError;
    expect(err).toBeInstanceOf(BufferLimitExceededError);
    expect(err.limitBytes).toBe(64 * MiB);

    const larger = new S3EncryptionClient({ client: s3.client, encryption: fx.client('rsa', { bufferSize: 80 * MiB }) });
    const out = await larger.getObject({ bucket, key });
    expect(out.authentication).toBe('buffered');
    expect(await sha256OfStream(out.body)).toEqual({ sha256: expected, bytes: size });
    await writer.deleteObject({ bucket, key });
  });
});
