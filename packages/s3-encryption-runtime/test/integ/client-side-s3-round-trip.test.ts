/**
 * S3EncryptionClient against radosgw: every format × keyring × metadata location round-trips through a
 * real S3 server, with the stored object checked byte for byte against the S3 Encryption Client format.
 * KMS is the in-process fake (nothing real runs here); S3 is real.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { DeleteObjectCommand, GetObjectTaggingCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client, InsecureEndpointError } from '../../src/s3-client-factory';
import {
  ClientSideEncryption,
  ContentFormat,
  EncryptedObjectNotFoundError,
  EncryptedObjectParameterError,
  MetadataStrategy,
  MissingInstructionFileError,
  RawAesKeyring,
  S3EncryptionClient,
} from '../../src';
import { Fixture, FORMATS, KEYRING_KINDS, STRATEGIES } from '../client-side/support/harness';
import { exists, rawGet, rawPut } from '../client-side/support/s3-fixtures';
import { describeWithS3, recordCommands, s3TestServer } from './support/s3-test-server';
import { MiB, patternBuffer, patternStream, sha256, sha256OfStream } from './support/test-data';

describeWithS3('S3EncryptionClient round trips against radosgw', () => {
  const s3 = s3TestServer();
  let fx: Fixture;
  let bucket: string;
  const clientFor = (kind: 'aes' | 'rsa' | 'kms', format: ContentFormat, strategy: MetadataStrategy) =>
    new S3EncryptionClient({ client: s3.client, encryption: fx.client(kind, { format, metadataStrategy: strategy }), partSize: 5 * MiB });

  beforeAll(async () => {
    fx = new Fixture();
    bucket = await s3.createBucket('cse-round-trip');
  });
  afterAll(async () => {
    fx.restore();
    await s3.deleteBucket(bucket);
  });

  const sizes = [0, 1, 16, 17, 5 * MiB + 3]; // the last one is a 2-part multipart upload
  describe.each(FORMATS)('format %s', (format) => {
    describe.each(KEYRING_KINDS)('%s keyring', (kind) => {
      it.each(STRATEGIES)('round-trips 0 B to 5 MiB + 3 B with metadata in %s, stored in the S3EC format', async (strategy) => {
        const client = clientFor(kind, format, strategy);
        const ec = kind === 'kms' ? { tenant: 'acme', 'app name': 'round trip ü' } : undefined;
        for (const size of sizes) {
          const key = `${format}/${kind}/${strategy}/${size}.bin`;
          const plaintext = patternBuffer(size, key);
          const put = await client.putObject({ bucket, key, body: plaintext, encryptionContext: ec, contentType: 'application/x-test', metadata: { owner: 'tests' } });
          expect(put).toMatchObject({ size, storedSize: size + 16, parts: size > 5 * MiB ? 2 : 1, formatVersion: format === ContentFormat.V3 ? 3 : 2, metadataStrategy: strategy });

          // what S3 holds: ciphertext ‖ tag, the format's metadata keys, the instruction file where expected
          const raw = await rawGet(s3.client, bucket, key);
          expect(raw.body.length).toBe(size + 16);
          if (size >= 16) expect(raw.body.subarray(0, 16).equals(plaintext.subarray(0, 16))).toBe(false);
          expect(raw.metadata.owner).toBe('tests');
          const s3ecKeys = Object.keys(raw.metadata).filter((k) => k.startsWith('x-amz-')).sort();
          const file = strategy === MetadataStrategy.INSTRUCTION_FILE ? await rawGet(s3.client, bucket, `${key}.instruction`) : undefined;
          if (format === ContentFormat.V3) {
            expect(s3ecKeys).toEqual(strategy === MetadataStrategy.OBJECT_METADATA
              ? ['x-amz-3', 'x-amz-c', 'x-amz-d', 'x-amz-i', 'x-amz-w', ...(kind === 'kms' ? ['x-amz-t'] : [])].sort()
              : ['x-amz-c', 'x-amz-d', 'x-amz-i']);
          } else {
            expect(s3ecKeys).toEqual(strategy === MetadataStrategy.OBJECT_METADATA
              ? ['x-amz-cek-alg', 'x-amz-iv', 'x-amz-key-v2', 'x-amz-matdesc', 'x-amz-tag-len', 'x-amz-wrap-alg']
              : []);
          }
          if (file) {
            expect(file.metadata).toEqual({ 'x-amz-crypto-instr-file': '' });
            const members = Object.keys(JSON.parse(file.body.toString('utf8'))).sort();
            expect(members).toEqual(format === ContentFormat.V3
              ? ['x-amz-3', 'x-amz-w', kind === 'kms' ? 'x-amz-t' : undefined].filter(Boolean).sort()
              : ['x-amz-cek-alg', 'x-amz-iv', 'x-amz-key-v2', 'x-amz-matdesc', 'x-amz-tag-len', 'x-amz-wrap-alg']);
          } else {
            expect(await exists(s3.client, bucket, `${key}.instruction`)).toBe(false);
          }

          const got = await client.getObject({ bucket, key, encryptionContext: ec });
          expect(got).toMatchObject({ contentLength: size, contentType: 'application/x-test', metadata: { owner: 'tests' }, authentication: 'buffered', metadataStrategy: strategy });
          expect(Object.keys(got.metadata)).toEqual(['owner']);
          const back = await sha256OfStream(got.body);
          expect(back).toEqual({ sha256: sha256(plaintext), bytes: size });
        }
      });
    });
  });

  it('streams of unknown length go multipart in constant-size parts of 16-byte-aligned plaintext, the last one carrying the tag', async () => {
    const client = new S3EncryptionClient({ client: s3.client, encryption: fx.client('aes'), partSize: 5 * MiB });
    const sent: Array<{ name: string; length?: number; metadata?: Record<string, string> }> = [];
    s3.client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { ContentLength?: number; Metadata?: Record<string, string> };
        if (/Multipart|UploadPart|PutObject/.test(context.commandName ?? '')) sent.push({ name: context.commandName!, length: input.ContentLength, metadata: input.Metadata });
        return next(args);
      },
      { step: 'initialize', name: 'record-parts' },
    );
    try {
      const size = 15 * MiB; // exactly 3 parts of plaintext: the tag makes the last part 5 MiB + 16
      const { stream, sha256: expected } = patternStream(size, 'aligned');
      const put = await client.putObject({ bucket, key: 'multipart/aligned', body: stream });
      expect(put).toMatchObject({ parts: 3, size, storedSize: size + 16 });
      expect(sent.map((s) => s.name)).toEqual(['CreateMultipartUploadCommand', 'UploadPartCommand', 'UploadPartCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand']);
      expect(Object.keys(sent[0].metadata!).sort()).toEqual(['x-amz-3', 'x-amz-c', 'x-amz-d', 'x-amz-i', 'x-amz-w']); // metadata on CreateMultipartUpload
      expect(sent.slice(1, 4).map((s) => s.length)).toEqual([5 * MiB, 5 * MiB, 5 * MiB + 16]);
      expect((await sha256OfStream((await client.getObject({ bucket, key: 'multipart/aligned' })).body)).sha256).toBe(expected);
    } finally {
      s3.client.middlewareStack.remove('record-parts');
    }
  });

  it('keeps tags and standard headers, and accepts strings and async iterables', async () => {
    const client = new S3EncryptionClient({ client: s3.client, encryption: fx.client('rsa'), partSize: 5 * MiB });
    await client.putObject({ bucket, key: 'attrs/string', body: 'héllo wörld', tagging: 'team=a&tier=1', cacheControl: 'no-store', contentDisposition: 'attachment' });
    expect((await client.getObjectBytes({ bucket, key: 'attrs/string' })).toString('utf8')).toBe('héllo wörld');
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'attrs/string' }));
    expect(head).toMatchObject({ CacheControl: 'no-store', ContentDisposition: 'attachment' });
    const tags = await s3.client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'attrs/string' }));
    expect(tags.TagSet).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'a' }, { Key: 'tier', Value: '1' }]));

    async function* generate() {
      for (let i = 0; i < 7; i++) yield patternBuffer(MiB + i, `gen-${i}`);
    }
    const multipart = await client.putObject({ bucket, key: 'attrs/generator', body: generate(), tagging: 'kind=generated' });
    expect(multipart.parts).toBe(2);
    const expected = Buffer.concat(Array.from({ length: 7 }, (_, i) => patternBuffer(MiB + i, `gen-${i}`)));
    expect(sha256(await client.getObjectBytes({ bucket, key: 'attrs/generator' }))).toBe(sha256(expected));
    const mpTags = await s3.client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'attrs/generator' }));
    expect(mpTags.TagSet).toEqual([{ Key: 'kind', Value: 'generated' }]);
  });

  it('refuses user metadata that collides with the encryption metadata, before writing anything', async () => {
    const client = new S3EncryptionClient({ client: s3.client, encryption: fx.client('aes') });
    const commands = recordCommands(s3.client);
    await expect(client.putObject({ bucket, key: 'collide', body: 'x', metadata: { 'X-Amz-Iv': 'mine' } })).rejects.toBeInstanceOf(EncryptedObjectParameterError);
    await expect(client.putObject({ bucket, key: 'collide', body: 'x', metadata: { big: 'v'.repeat(1900) } })).rejects.toThrow(/2048-byte user-metadata limit/);
    expect(commands).toEqual([]);
  });

  it('deleteObject and deleteObjects remove the instruction files too', async () => {
    const client = clientFor('aes', ContentFormat.V3, MetadataStrategy.INSTRUCTION_FILE);
    const keys = ['del/a', 'del/b', 'del/c'];
    for (const key of keys) await client.putObject({ bucket, key, body: key });
    expect(await exists(s3.client, bucket, 'del/a.instruction')).toBe(true);

    await client.deleteObject({ bucket, key: 'del/a' });
    expect(await exists(s3.client, bucket, 'del/a')).toBe(false);
    expect(await exists(s3.client, bucket, 'del/a.instruction')).toBe(false);

    const result = await client.deleteObjects({ bucket, keys: ['del/b', 'del/c'] });
    expect(result.errors).toEqual([]);
    for (const key of ['del/b', 'del/c']) {
      expect(await exists(s3.client, bucket, key)).toBe(false);
      expect(await exists(s3.client, bucket, `${key}.instruction`)).toBe(false);
    }
  });

  it('reading: missing objects, missing instruction files and plain objects give typed errors', async () => {
    const client = clientFor('aes', ContentFormat.V2, MetadataStrategy.INSTRUCTION_FILE);
    await expect(client.getObject({ bucket, key: 'no/such/key' })).rejects.toBeInstanceOf(EncryptedObjectNotFoundError);

    await client.putObject({ bucket, key: 'lost-file', body: 'secret' });
    await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'lost-file.instruction' }));
    const lost = await client.getObject({ bucket, key: 'lost-file' }).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(MissingInstructionFileError);
    expect((lost as MissingInstructionFileError).instructionFileKey).toBe('lost-file.instruction');

    await rawPut(s3.client, bucket, 'plain', Buffer.from('not encrypted'), {});
    await expect(client.getObject({ bucket, key: 'plain' })).rejects.toBeInstanceOf(MissingInstructionFileError);
  });

  it('a legacy AES-CBC object (V1) reports no contentLength: its padding is known only after decryption', async () => {
    // built from the published V1 layout (AES-ECB wrapped data key, AES-256-CBC body), as SDK v1 clients wrote it
    const plaintext = patternBuffer(64, 'v1-cbc');
    const dataKey = randomBytes(32);
    const iv = randomBytes(16);
    const ecb = createCipheriv('aes-256-ecb', fx.aesKey, null);
    const cbc = createCipheriv('aes-256-cbc', dataKey, iv);
    await rawPut(s3.client, bucket, 'legacy/v1-cbc', Buffer.concat([cbc.update(plaintext), cbc.final()]), {
      'x-amz-key': Buffer.concat([ecb.update(dataKey), ecb.final()]).toString('base64'), 'x-amz-iv': iv.toString('base64'), 'x-amz-matdesc': '{}',
    });
    const legacy = new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: fx.aesKey }), enableLegacyWrappingAlgorithms: true, enableLegacyUnauthenticatedModes: true });
    const got = await new S3EncryptionClient({ client: s3.client, encryption: legacy }).getObject({ bucket, key: 'legacy/v1-cbc' });
    expect(got).toMatchObject({ formatVersion: 1, authentication: 'none' });
    expect(got.contentLength).toBeUndefined(); // S3's Content-Length is 80: 64 bytes and a block of padding
    expect(await sha256OfStream(got.body)).toEqual({ sha256: sha256(plaintext), bytes: 64 });
  });

  it('refuses a plain-HTTP endpoint unless explicitly allowed', async () => {
    const http = createS3Client({ endpoint: s3.httpEndpoint, allowInsecureHttp: true, region: s3.region, forcePathStyle: true, credentials: s3.credentials });
    const refusing = new S3EncryptionClient({ client: http, encryption: fx.client('aes') });
    await expect(refusing.putObject({ bucket, key: 'http', body: 'x' })).rejects.toBeInstanceOf(InsecureEndpointError);
    const allowing = new S3EncryptionClient({ client: http, encryption: fx.client('aes'), allowInsecureHttp: true });
    await allowing.putObject({ bucket, key: 'http', body: 'over http' });
    expect((await allowing.getObjectBytes({ bucket, key: 'http' })).toString()).toBe('over http');
  });
});
