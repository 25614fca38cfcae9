import { Readable } from 'node:stream';
import { GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client, InsecureEndpointError } from '../../src/s3-client-factory';
import {
  IncompleteBodyError,
  NoncurrentVersionError,
  ObjectChangedError,
  S3ObjectNotFoundError,
  SseCBlockedError,
  SseCKey,
  SseCKeyRequiredError,
  SseCNotApplicableError,
  SseCObjectClient,
  SseCWrongKeyError,
} from '../../src/sse-c';
import { describeWithS3, recordCommands, s3TestServer } from './support/s3-test-server';
import { MiB, patternBuffer, patternStream, sha256, sha256OfStream } from './support/test-data';

describeWithS3('SseCObjectClient against radosgw over HTTPS', () => {
  const s3 = s3TestServer();
  // 5 MiB parts, so that 5 MiB + 1 byte is already a (2-part) multipart upload
  const client = new SseCObjectClient({ client: s3.client, partSize: 5 * MiB });
  const key1 = SseCKey.generate({ label: 'key one' });
  const key2 = SseCKey.generate({ label: 'key two' });
  let bucket: string;
  let versioned: string;

  beforeAll(async () => {
    bucket = await s3.createBucket('ssec-client');
    versioned = await s3.createBucket('ssec-client-versioned', { versioned: true });
  });
  afterAll(async () => {
    await s3.deleteBucket(bucket);
    await s3.deleteBucket(versioned);
  });

  describe('put and get with the matching key', () => {
    it.each([
      ['0 B', 0, /^"[0-9a-f]{32}"$/],
      ['1 B', 1, /^"[0-9a-f]{32}"$/],
      ['5 MiB + 1 B (2 parts)', 5 * MiB + 1, /-2"$/],
      ['64 MiB (13 parts)', 64 * MiB, /-13"$/],
    ])('%s round-trips as a stream with the same SHA-256', async (_label, size, etagShape) => {
      const key = `sizes/${size}`;
      const { stream, sha256: expected } = patternStream(size, `size-${size}`);
      const put = await client.put({ bucket, key, body: stream, sseKey: key1, contentType: 'application/x-test' });
      expect(put.size).toBe(size);
      expect(put.etag ?? (await client.head({ bucket, key, sseKey: key1 })).etag).toMatch(etagShape);

      const head = await client.head({ bucket, key, sseKey: key1 });
      expect(head.contentLength).toBe(size);
      expect(head.sseCKeyMd5).toBe(key1.keyMd5);
      expect(head.contentType).toBe('application/x-test');

      const got = await client.get({ bucket, key, sseKey: key1 });
      expect(got.contentLength).toBe(size);
      expect(await sha256OfStream(got.body)).toEqual({ sha256: expected, bytes: size });
    });

    it('puts buffers and strings, and reads ranges', async () => {
      const data = patternBuffer(3000, 'range');
      await client.put({ bucket, key: 'buffer', body: data, sseKey: key1, metadata: { owner: 'tests' } });
      const range = await client.get({ bucket, key: 'buffer', sseKey: key1, range: 'bytes=1000-1999' });
      expect(range.contentLength).toBe(1000);
      expect((await sha256OfStream(range.body)).sha256).toBe(sha256(data.subarray(1000, 2000)));
      expect((await client.head({ bucket, key: 'buffer', sseKey: key1 })).metadata).toEqual({ owner: 'tests' });

      await client.put({ bucket, key: 'string', body: 'héllo', sseKey: key1 });
      expect((await sha256OfStream((await client.get({ bucket, key: 'string', sseKey: key1 })).body)).sha256).toBe(sha256('héllo'));
    });
  });

  describe('typed errors', () => {
    beforeAll(async () => {
      await client.put({ bucket, key: 'secret.txt', body: 'top secret plaintext', sseKey: key1 });
    });

    it('a wrong key gives SseCWrongKeyError on get and head, and no plaintext', async () => {
      await expect(client.get({ bucket, key: 'secret.txt', sseKey: key2 })).rejects.toBeInstanceOf(SseCWrongKeyError);
      const err = await client.head({ bucket, key: 'secret.txt', sseKey: key2 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SseCWrongKeyError);
      expect((err as SseCWrongKeyError).httpStatusCode).toBe(400); // radosgw; AWS answers 403
      expect((err as Error).message).toContain('key two');
      expect((err as Error).message).not.toContain('top secret');
    });

    it('a missing key gives SseCKeyRequiredError on get and head', async () => {
      await expect(client.get({ bucket, key: 'secret.txt' })).rejects.toBeInstanceOf(SseCKeyRequiredError);
      await expect(client.head({ bucket, key: 'secret.txt' })).rejects.toBeInstanceOf(SseCKeyRequiredError);
    });

    it('a missing object gives S3ObjectNotFoundError', async () => {
      await expect(client.get({ bucket, key: 'nope', sseKey: key1 })).rejects.toBeInstanceOf(S3ObjectNotFoundError);
      await expect(client.head({ bucket, key: 'nope', sseKey: key1 })).rejects.toBeInstanceOf(S3ObjectNotFoundError);
    });

    it('a key on an object that is not SSE-C gives SseCNotApplicableError', async () => {
      await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'plain.txt', Body: 'plain' }));
      await expect(client.get({ bucket, key: 'plain.txt', sseKey: key1 })).rejects.toBeInstanceOf(SseCNotApplicableError);
      await expect(client.head({ bucket, key: 'plain.txt', sseKey: key1 })).rejects.toBeInstanceOf(SseCNotApplicableError);
    });

    it('a plain-HTTP endpoint is refused before any request, unless explicitly allowed', async () => {
      expect(() => createS3Client({ endpoint: s3.httpEndpoint, region: s3.region, credentials: s3.credentials })).toThrow(InsecureEndpointError);

      const httpClient = s3.clientFor({ http: true }); // the factory allowed it (test opt-in) ...
      const refusing = new SseCObjectClient({ client: httpClient }); // ... the SSE-C client did not
      await expect(refusing.put({ bucket, key: 'http.txt', body: 'x', sseKey: key1 })).rejects.toBeInstanceOf(InsecureEndpointError);
      await expect(refusing.get({ bucket, key: 'secret.txt', sseKey: key1 })).rejects.toBeInstanceOf(InsecureEndpointError);

      // allowed on both sides: the server itself refuses SSE-C over HTTP (rgw_crypt_require_ssl, like AWS)
      const allowing = new SseCObjectClient({ client: httpClient, allowInsecureHttp: true });
      await expect(allowing.get({ bucket, key: 'secret.txt', sseKey: key1 })).rejects.toBeInstanceOf(InsecureEndpointError);
      await expect(client.head({ bucket, key: 'http.txt', sseKey: key1 })).rejects.toBeInstanceOf(S3ObjectNotFoundError);
    });

    it('an SSE-C write the bucket refuses (403) gives SseCBlockedError explaining the opt-in', async () => {
      const stranger = new SseCObjectClient({ client: s3.clientFor({ user: 'other' }) });
      const err = await stranger.put({ bucket, key: 'intruder.txt', body: 'x', sseKey: key2 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SseCBlockedError);
      expect((err as Error).message).toMatch(/BlockedEncryptionTypes/);
      expect((err as Error).message).toMatch(/sseC/);
    });

    it('no error message or serialization ever contains key bytes', async () => {
      const errors = await Promise.all([
        client.get({ bucket, key: 'secret.txt', sseKey: key2 }).catch((e: unknown) => e),
        client.head({ bucket, key: 'secret.txt' }).catch((e: unknown) => e),
      ]);
      const secrets = [key1, key2].flatMap((k) => [k.exportBytes().toString('base64'), k.exportBytes().toString('hex')]);
      for (const e of errors) {
        const text = `${String(e)} ${JSON.stringify(e)} ${(e as Error).stack}`;
        for (const s of secrets) expect(text).not.toContain(s);
      }
    });
  });

  describe('failed uploads leave nothing behind', () => {
    const recorded = () => {
      const c = s3.clientFor({});
      return { commands: recordCommands(c), client: new SseCObjectClient({ client: c, partSize: 5 * MiB }) };
    };

    it('a source stream that fails mid-way aborts the multipart upload', async () => {
      const { commands, client } = recorded();
      const failing = Readable.from(
        (async function* () {
          for (let i = 0; i < 12; i++) yield patternBuffer(MiB, `fail-${i}`);
          // fail only once parts are on the server, as a disk error half-way through would
          while (!commands.includes('UploadPartCommand')) await new Promise((r) => setTimeout(r, 10));
          throw new Error('disk read failed');
        })(),
      );
      await expect(client.put({ bucket, key: 'failed/stream', body: failing, sseKey: key1 })).rejects.toThrow('disk read failed');
      expect(commands).toEqual(expect.arrayContaining(['CreateMultipartUploadCommand', 'UploadPartCommand', 'AbortMultipartUploadCommand']));
      expect(await s3.listMultipartUploads(bucket)).toEqual([]);
      await expect(client.head({ bucket, key: 'failed/stream', sseKey: key1 })).rejects.toBeInstanceOf(S3ObjectNotFoundError);
    });

    it('a stream shorter than its declared contentLength is not written', async () => {
      const { commands, client } = recorded();
      const { stream } = patternStream(11 * MiB, 'short');
      await expect(client.put({ bucket, key: 'failed/short', body: stream, contentLength: 16 * MiB, sseKey: key1 })).rejects.toThrow(/contentLength|bytes/);
      expect(commands).toEqual(expect.arrayContaining(['CreateMultipartUploadCommand', 'AbortMultipartUploadCommand']));
      expect(commands).not.toContain('CompleteMultipartUploadCommand');
      expect(await s3.listMultipartUploads(bucket)).toEqual([]);
      await expect(client.head({ bucket, key: 'failed/short', sseKey: key1 })).rejects.toBeInstanceOf(S3ObjectNotFoundError);
    });

    it('an aborted upload is aborted on the server too', async () => {
      const { commands, client } = recorded();
      const controller = new AbortController();
      const { stream } = patternStream(40 * MiB, 'abort');
      const put = client.put({
        bucket,
        key: 'failed/aborted',
        body: stream,
        sseKey: key1,
        abortSignal: controller.signal,
        onProgress: (p) => {
          if (p.loaded >= 10 * MiB) controller.abort();
        },
      });
      await expect(put).rejects.toMatchObject({ name: 'AbortError' });
      expect(commands).toEqual(expect.arrayContaining(['CreateMultipartUploadCommand', 'AbortMultipartUploadCommand']));
      expect(await s3.listMultipartUploads(bucket)).toEqual([]);
      await expect(client.head({ bucket, key: 'failed/aborted', sseKey: key1 })).rejects.toBeInstanceOf(S3ObjectNotFoundError);
    });

    it('a conditional put against a changed object fails with ObjectChangedError', async () => {
      await client.put({ bucket, key: 'cond', body: 'v1', sseKey: key1 });
      await expect(client.put({ bucket, key: 'cond', body: 'v2', sseKey: key1, ifNoneMatch: '*' })).rejects.toBeInstanceOf(ObjectChangedError);
      expect((await sha256OfStream((await client.get({ bucket, key: 'cond', sseKey: key1 })).body)).sha256).toBe(sha256('v1'));
    });
  });

  describe('re-keying', () => {
    it('re-keys an object (streamed: radosgw cannot copy SSE-C sources) and keeps content, metadata and tags', async () => {
      const data = patternBuffer(12 * MiB + 7, 'rekey');
      await client.put({
        bucket,
        key: 'rekey/big.bin',
        body: data,
        sseKey: key1,
        contentType: 'application/x-rekey',
        metadata: { purpose: 'rotation-test' },
        tagging: 'team=storage&tier=gold',
      });

      const result = await client.rekey({ bucket, key: 'rekey/big.bin', from: key1, to: key2 });
      expect(result).toMatchObject({ outcome: 'rekeyed', method: 'streamed', size: data.length });

      const got = await client.get({ bucket, key: 'rekey/big.bin', sseKey: key2 });
      expect((await sha256OfStream(got.body)).sha256).toBe(sha256(data));
      expect(got.contentType).toBe('application/x-rekey');
      expect(got.metadata).toEqual({ purpose: 'rotation-test' });
      const tags = await s3.client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'rekey/big.bin' }));
      expect(tags.TagSet).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'storage' }, { Key: 'tier', Value: 'gold' }]));
      await expect(client.get({ bucket, key: 'rekey/big.bin', sseKey: key1 })).rejects.toBeInstanceOf(SseCWrongKeyError);
    });

    it('is idempotent: re-keying again reports already-current and changes nothing', async () => {
      await client.put({ bucket, key: 'rekey/twice', body: 'twice', sseKey: key1 });
      expect((await client.rekey({ bucket, key: 'rekey/twice', from: key1, to: key2 })).outcome).toBe('rekeyed');
      const etag = (await client.head({ bucket, key: 'rekey/twice', sseKey: key2 })).etag;
      expect((await client.rekey({ bucket, key: 'rekey/twice', from: key1, to: key2 })).outcome).toBe('already-current');
      expect((await client.head({ bucket, key: 'rekey/twice', sseKey: key2 })).etag).toBe(etag);
    });

    it('fails with SseCWrongKeyError, leaving the object untouched, when neither key matches', async () => {
      const key3 = SseCKey.generate({ label: 'key three' });
      await client.put({ bucket, key: 'rekey/foreign', body: 'foreign', sseKey: key3 });
      await expect(client.rekey({ bucket, key: 'rekey/foreign', from: key1, to: key2 })).rejects.toBeInstanceOf(SseCWrongKeyError);
      expect((await sha256OfStream((await client.get({ bucket, key: 'rekey/foreign', sseKey: key3 })).body)).sha256).toBe(sha256('foreign'));
    });

    it('does not overwrite an object that changed during the re-key', async () => {
      await client.put({ bucket, key: 'rekey/raced', body: 'original', sseKey: key1 });
      // a client whose first GetObject lets a concurrent writer replace the object before our PUT
      const racing = createS3Client({ endpoint: s3.endpoint, caCert: s3.caCert, region: s3.region, forcePathStyle: true, credentials: s3.credentials });
      let raced = false;
      racing.middlewareStack.add(
        (next, context) => async (args) => {
          const out = await next(args);
          if (context.commandName === 'GetObjectCommand' && !raced) {
            raced = true;
            await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'rekey/raced', Body: 'concurrent write', ...key1.requestParams() }));
          }
          return out;
        },
        { step: 'initialize', name: 'concurrentWriter' },
      );
      const racingClient = new SseCObjectClient({ client: racing });
      await expect(racingClient.rekey({ bucket, key: 'rekey/raced', from: key1, to: key2 })).rejects.toBeInstanceOf(ObjectChangedError);
      expect(raced).toBe(true);
      const now = await client.get({ bucket, key: 'rekey/raced', sseKey: key1 });
      expect((await sha256OfStream(now.body)).sha256).toBe(sha256('concurrent write'));
    });

    it('in a versioned bucket writes a new current version and refuses noncurrent versions', async () => {
      const v1 = await client.put({ bucket: versioned, key: 'doc', body: 'version one', sseKey: key1 });
      const v2 = await client.put({ bucket: versioned, key: 'doc', body: 'version two', sseKey: key1 });
      await expect(client.rekey({ bucket: versioned, key: 'doc', from: key1, to: key2, expectedVersionId: v1.versionId })).rejects.toBeInstanceOf(
        NoncurrentVersionError,
      );

      const result = await client.rekey({ bucket: versioned, key: 'doc', from: key1, to: key2, expectedVersionId: v2.versionId });
      expect(result.outcome).toBe('rekeyed');
      expect(result.previousVersionId).toBe(v2.versionId);
      expect(result.versionId).toBeDefined();
      expect(result.versionId).not.toBe(v2.versionId);
      const current = await client.get({ bucket: versioned, key: 'doc', sseKey: key2 });
      expect((await sha256OfStream(current.body)).sha256).toBe(sha256('version two'));
      // the previous version stays readable with the previous key
      const old = await client.get({ bucket: versioned, key: 'doc', versionId: v2.versionId, sseKey: key1 });
      expect((await sha256OfStream(old.body)).sha256).toBe(sha256('version two'));
    });

    it('copies to another object under another key (streamed fallback), or surfaces 501 when server-side is forced', async () => {
      const data = patternBuffer(6 * MiB, 'copy');
      await client.put({ bucket, key: 'copy/src', body: data, sseKey: key1 });
      const copied = await client.copy({
        source: { bucket, key: 'copy/src', sseKey: key1 },
        destination: { bucket: versioned, key: 'copy/dst', sseKey: key2 },
      });
      expect(copied.method).toBe('streamed');
      expect((await sha256OfStream((await client.get({ bucket: versioned, key: 'copy/dst', sseKey: key2 })).body)).sha256).toBe(sha256(data));

      const serverSideOnly = new SseCObjectClient({ client: s3.client, copyStrategy: 'server-side' });
      await expect(
        serverSideOnly.copy({ source: { bucket, key: 'copy/src', sseKey: key1 }, destination: { bucket, key: 'copy/dst2', sseKey: key2 } }),
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: 501 } });
    });
  });

  it('50 concurrent puts and gets: no errors, every SHA-256 matches', async () => {
    const objects = Array.from({ length: 50 }, (_, i) => {
      const size = i % 10 === 0 ? 6 * MiB + i : 1024 * (i + 1) * 7;
      return { key: `concurrent/${i}`, size, seed: `c-${i}`, sseKey: i % 2 ? key1 : key2 };
    });
    await Promise.all(
      objects.map((o) => {
        const { stream } = patternStream(o.size, o.seed);
        return client.put({ bucket, key: o.key, body: stream, sseKey: o.sseKey });
      }),
    );
    const results = await Promise.all(
      objects.map(async (o) => {
        const got = await client.get({ bucket, key: o.key, sseKey: o.sseKey });
        return sha256OfStream(got.body);
      }),
    );
    results.forEach((r, i) => expect(r).toEqual({ sha256: sha256(patternBuffer(objects[i].size, objects[i].seed)), bytes: objects[i].size }));
  });

  it('a truncated download fails with IncompleteBodyError instead of ending quietly', async () => {
    await client.put({ bucket, key: 'truncate', body: patternBuffer(2 * MiB, 't'), sseKey: key1 });
    // the server promises 2 MiB; a middleware cuts the body after 1 MiB, as a dropped connection would
    const cutting = createS3Client({ endpoint: s3.endpoint, caCert: s3.caCert, region: s3.region, forcePathStyle: true, credentials: s3.credentials });
    cutting.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        const response = out.response as { body?: Readable };
        if (response.body instanceof Readable) {
          const original = response.body;
          response.body = Readable.from(
            (async function* () {
              let sent = 0;
              for await (const chunk of original) {
                if (sent >= MiB) break;
                sent += chunk.length;
                yield chunk;
              }
            })(),
          );
        }
        return out;
      },
      { step: 'deserialize', name: 'truncateBody', priority: 'low' },
    );
    const got = await new SseCObjectClient({ client: cutting }).get({ bucket, key: 'truncate', sseKey: key1 });
    await expect(sha256OfStream(got.body)).rejects.toBeInstanceOf(IncompleteBodyError);
  });
});
