/**
 * The SSE-C re-key handler exactly as the construct ships it (the esbuild bundle), against radosgw for S3 and
 * the moto server's Secrets Manager for the key: the secret is rotated as a rotation Lambda rotates it, so the
 * handler reads the old key as AWSPREVIOUS and the new one as AWSCURRENT through the real SDK client.
 */
import { readFileSync, statSync } from 'node:fs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { shippedHandlerBundle } from '../support/handler-bundle';
import type { BatchOperationsResponse } from '../../src/handlers/batch-operations';
import { SseCKey, SseCObjectClient, SseCWrongKeyError } from '../../src/sse-c';
import { describeWithS3AndKms, motoTestServer, uniqueName } from './support/moto-server';
import { s3TestServer } from './support/s3-test-server';
import { MiB, patternBuffer, sha256, sha256OfStream } from './support/test-data';

type Expected = 'rekeyed' | 'current' | 'foreign' | 'missing' | 'plain';

describeWithS3AndKms('SSE-C re-key handler, bundled with esbuild, on a 200-task Batch Operations event against radosgw and the moto Secrets Manager', () => {
  const s3 = s3TestServer();
  const moto = motoTestServer();
  const secretId = uniqueName('app/sse-c-key');
  const versions = { previous: '', current: '' };
  const objects = new SseCObjectClient({ client: s3.client });
  const previous = SseCKey.generate();
  const current = SseCKey.generate();
  const foreign = SseCKey.generate();
  const saved = { ...process.env };
  let bucket: string;
  let handler: (event: unknown, context?: unknown) => Promise<BatchOperationsResponse>;
  let bundlePath: string;

  // 200 tasks: most on the previous key, some already re-keyed, some on an unknown key, some missing, some not SSE-C.
  // Keys include characters Batch Operations URL-encodes.
  const plan: Array<{ key: string; expected: Expected; size: number }> = Array.from({ length: 200 }, (_, i) => {
    const expected: Expected = i < 150 ? 'rekeyed' : i < 170 ? 'current' : i < 185 ? 'foreign' : i < 195 ? 'missing' : 'plain';
    const size = i % 50 === 0 ? 6 * MiB + i : 100 + i * 37;
    return { key: `inventory/${expected}/obj ${i}+ü#.bin`, expected, size };
  });

  beforeAll(async () => {
    // the bundle the construct package ships; the external SDK clients resolve from the repository's node_modules
    bundlePath = shippedHandlerBundle('sse-c-rekey');

    // the key was SecretBinary, then a rotation staged a base64 SecretString as AWSCURRENT (the old one: AWSPREVIOUS)
    versions.previous = await moto.createSecret(secretId, { binary: previous.exportBytes() });
    versions.current = await moto.rotateSecret(secretId, { text: current.exportBytes().toString('base64') });
    // the handler builds its SecretsManagerClient from the environment: AWS_ENDPOINT_URL_SECRETS_MANAGER (from scripts/moto.sh) reaches moto
    Object.assign(process.env, {
      SSE_C_SECRET_ID: secretId,
      ...s3.batchHandlerEnvironment,
      REKEY_CONCURRENCY: '16',
    });
    // the shipped CommonJS bundle, loaded by path as Lambda loads it (require is allowed in this file: eslint.config.mjs)
    handler = (require(bundlePath) as { handler: typeof handler }).handler;

    bucket = await s3.createBucket('ssec-rekey-batch');
    const keyFor = { rekeyed: previous, current, foreign } as const;
    const queue = plan.filter((p) => p.expected !== 'missing');
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let p = queue.shift(); p; p = queue.shift()) {
          const body = patternBuffer(p.size, p.key);
          if (p.expected === 'plain') await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: p.key, Body: body }));
          else await objects.put({ bucket, key: p.key, body, sseKey: keyFor[p.expected as keyof typeof keyFor] });
        }
      }),
    );
  });

  afterAll(async () => {
    process.env = saved;
    if (bucket) await s3.deleteBucket(bucket);
  });

  const event = (invocationId: string) => ({
    invocationSchemaVersion: '2.0',
    invocationId,
    job: { id: 'job-rotate-1', userArguments: {} },
    tasks: plan.map((p, i) => ({
      taskId: `task-${i}`,
      s3Bucket: bucket,
      s3Key: encodeURIComponent(p.key).replace(/%20/g, '+'),
      s3VersionId: null,
    })),
  });

  it('is a real bundle of the handler (not the TypeScript source)', () => {
    const code = readFileSync(bundlePath, 'utf8');
    expect(statSync(bundlePath).size).toBeGreaterThan(10_000);
    expect(code).toContain('require("@aws-sdk/client-s3")');
    expect(code).not.toMatch(/from '\.\.\/sse-c/);
  });

  it('reports the right result for each task, and re-keys the objects it says it re-keyed', async () => {
    const response = await handler(event('invocation-1'), { getRemainingTimeInMillis: () => 900_000 });

    expect(response.invocationSchemaVersion).toBe('2.0');
    expect(response.invocationId).toBe('invocation-1');
    expect(response.treatMissingKeysAs).toBe('PermanentFailure');
    expect(response.results).toHaveLength(200);
    const expectedCode: Record<Expected, string> = {
      rekeyed: 'Succeeded',
      current: 'Succeeded',
      foreign: 'PermanentFailure',
      missing: 'PermanentFailure',
      plain: 'PermanentFailure',
    };
    const expectedText: Record<Expected, RegExp> = {
      rekeyed: new RegExp(`^re-keyed \\(streamed\\) from secret ${secretId} AWSPREVIOUS \\(version ${versions.previous}\\) to secret ${secretId} AWSCURRENT \\(version ${versions.current}\\)$`),
      current: new RegExp(`^already on secret ${secretId} AWSCURRENT`),
      foreign: /^SseCWrongKey: /,
      missing: /^NoSuchKey: /,
      plain: /^SseCNotApplicable: /,
    };
    response.results.forEach((r, i) => {
      expect({ task: r.taskId, code: r.resultCode }).toEqual({ task: `task-${i}`, code: expectedCode[plan[i].expected] });
      expect(r.resultString).toMatch(expectedText[plan[i].expected]);
    });

    const secretsText = [previous, current, foreign].flatMap((k) => [k.exportBytes().toString('base64'), k.exportBytes().toString('hex')]);
    const all = JSON.stringify(response);
    for (const s of secretsText) expect(all).not.toContain(s);

    // content is intact under the current key, and the previous key no longer opens it
    for (const p of plan.filter((x) => x.expected === 'rekeyed' || x.expected === 'current')) {
      const got = await objects.get({ bucket, key: p.key, sseKey: current });
      expect((await sha256OfStream(got.body)).sha256).toBe(sha256(patternBuffer(p.size, p.key)));
    }
    await expect(objects.head({ bucket, key: plan[0].key, sseKey: previous })).rejects.toBeInstanceOf(SseCWrongKeyError);
    // objects on an unknown key are left untouched
    const untouched = plan.find((p) => p.expected === 'foreign')!;
    const got = await objects.get({ bucket, key: untouched.key, sseKey: foreign });
    expect((await sha256OfStream(got.body)).sha256).toBe(sha256(patternBuffer(untouched.size, untouched.key)));
  });

  it('is idempotent: running the same job again succeeds with "already on" for every re-keyed object', async () => {
    const response = await handler(event('invocation-2'));
    response.results.forEach((r, i) => {
      if (plan[i].expected === 'rekeyed' || plan[i].expected === 'current') {
        expect(r).toMatchObject({ resultCode: 'Succeeded', resultString: expect.stringMatching(/^already on /) });
      } else {
        expect(r.resultCode).toBe('PermanentFailure');
      }
    });
  });
});
