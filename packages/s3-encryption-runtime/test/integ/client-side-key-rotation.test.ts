/**
 * Key-encryption-key rotation against radosgw:
 * - the Batch Operations handler, bundled with esbuild exactly as the construct bundles it, on a
 *   200-task event (KMS to KMS), then again (idempotent), and on raw AES keys from Secrets Manager;
 * - S3ObjectKeyRotator directly: what is preserved, the multipart-copy path, concurrent overwrites.
 * S3 is radosgw; KMS (GenerateDataKey, Encrypt, Decrypt, ReEncrypt) and Secrets Manager are the moto server,
 * reached through the real SDK clients, the bundle's own included. moto's ReEncrypt ignores SourceKeyId and
 * its Decrypt answers a wrong KeyId with AccessDeniedException; ./support/kms-as-documented.ts restores the
 * documented IncorrectKeyException, which rotation relies on to tell "under this old key" from "another key".
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { shippedHandlerBundle } from '../support/handler-bundle';
import {
  type BatchOperationsResponse,
  ClientSideEncryption,
  ContentFormat,
  DataKeyRotation,
  type Keyring,
  KmsKeyring,
  kmsRotationKey,
  MetadataStrategy,
  ObjectChangedError,
  RawAesKeyring,
  S3EncryptionClient,
  S3ObjectKeyRotator,
} from '../../src';
import { rawGet } from '../client-side/support/s3-fixtures';
import { kmsAsDocumented, type KmsAsDocumented } from './support/kms-as-documented';
import { describeWithS3AndKms, motoTestServer, uniqueName } from './support/moto-server';
import { s3TestServer } from './support/s3-test-server';
import { MiB, patternBuffer, sha256 } from './support/test-data';

type Expected = 'rotated' | 'current' | 'foreign' | 'raw' | 'missing' | 'plain' | 'sse-kms-copy' | 'sse-kms-file' | 'noncurrent' | 'instruction';
type Handler = (event: unknown, context?: unknown) => Promise<BatchOperationsResponse>;

describeWithS3AndKms('client-side KEK rotation against radosgw and the moto KMS / Secrets Manager', () => {
  const s3 = s3TestServer();
  const moto = motoTestServer();
  let kms: KmsAsDocumented;
  let oldKey: string;
  let olderKey: string;
  let newKey: string;
  let foreignKey: string;
  const saved = { ...process.env };
  const outdir = join(__dirname, '..', '..', 'node_modules', '.cache', 's3-encryption-constructs-tests', `cse-rotation-${process.pid}`);
  let bundlePath: string;
  let plain: string;
  let versioned: string;

  const kmsKeyring = (keyId: string): Keyring => new KmsKeyring({ client: moto.kmsClient(), keyId });
  const writer = (keyring: Keyring, format: ContentFormat, strategy: MetadataStrategy) =>
    new S3EncryptionClient({ client: s3.client, encryption: new ClientSideEncryption({ keyring, format, metadataStrategy: strategy }), partSize: 5 * MiB });

  /** A fresh instance of the bundled handler (its configuration is read from the environment on first use). */
  function loadHandler(variant: string, env: Record<string, string>): Handler {
    for (const k of Object.keys(process.env)) if (k.startsWith('CSE_ROTATION_')) delete process.env[k];
    Object.assign(process.env, {
      ...s3.batchHandlerEnvironment,
      ROTATION_CONCURRENCY: '16',
      ...env,
    });
    // a copy per configuration: a new module instance that still shares the SDK clients in node_modules (and the shim)
    const copy = join(outdir, `${variant}.js`);
    copyFileSync(bundlePath, copy);
    // the shipped CommonJS bundle, loaded by path as Lambda loads it (require is allowed in this file: eslint.config.mjs)
    return (require(copy) as { handler: Handler }).handler;
  }

  beforeAll(async () => {
    kms = kmsAsDocumented(moto);
    oldKey = await moto.createKmsKey(`alias/${uniqueName('data-old')}`);
    olderKey = await moto.createKmsKey();
    newKey = await moto.createKmsKey(`alias/${uniqueName('data-new')}`);
    foreignKey = await moto.createKmsKey();
    mkdirSync(outdir, { recursive: true });
    bundlePath = shippedHandlerBundle('client-side-key-rotation');
    plain = await s3.createBucket('cse-rotation');
    versioned = await s3.createBucket('cse-rotation-versioned', { versioned: true });
  });

  afterAll(async () => {
    process.env = saved;
    kms.restore();
    await s3.deleteBucket(plain);
    await s3.deleteBucket(versioned);
  });

  it('the handler is a real esbuild bundle with the AWS SDK clients left external', () => {
    const code = readFileSync(bundlePath, 'utf8');
    expect(code).toContain('require("@aws-sdk/client-s3")');
    expect(code).toContain('require("@aws-sdk/client-kms")');
    expect(code).not.toMatch(/from '\.\.\/client-side/);
  });

  describe('a 200-task Batch Operations job, KMS to KMS', () => {
    interface Planned { bucket: string; key: string; expected: Expected; size: number; format: ContentFormat; strategy: MetadataStrategy; versionId?: string }
    const plan: Planned[] = [];
    const before = new Map<string, { body: Buffer; metadata: Record<string, string>; etag?: string; lastModified?: Date; contentType?: string }>();
    const ec = { dataset: 'rotation' };
    let handler: Handler;

    beforeAll(async () => {
      for (let i = 0; i < 200; i++) {
        const expected: Expected = i < 120 ? 'rotated' : i < 140 ? 'current' : i < 150 ? 'foreign' : i < 160 ? 'raw' : i < 170 ? 'missing'
          : i < 180 ? 'plain' : i < 185 ? 'sse-kms-copy' : i < 190 ? 'sse-kms-file' : 'noncurrent';
        const format = i % 2 === 0 ? ContentFormat.V3 : ContentFormat.V2;
        const strategy = expected === 'sse-kms-file' || (expected !== 'sse-kms-copy' && i % 4 >= 2) ? MetadataStrategy.INSTRUCTION_FILE : MetadataStrategy.OBJECT_METADATA;
        const size = i % 40 === 0 ? 6 * MiB + i : 200 + i * 31;
        const bucket = i % 3 === 0 || expected === 'noncurrent' ? versioned : plain;
        plan.push({ bucket, key: `data/${expected}/obj ${i}+ü#.bin`, expected, size, format, strategy });
      }
      const keyringFor: Partial<Record<Expected, () => Keyring>> = {
        current: () => kmsKeyring(newKey),
        foreign: () => kmsKeyring(foreignKey),
        raw: () => new RawAesKeyring({ wrappingKey: randomBytes(32) }),
        'sse-kms-copy': () => kmsKeyring(oldKey),
        'sse-kms-file': () => kmsKeyring(oldKey),
        noncurrent: () => kmsKeyring(oldKey),
      };
      const queue = [...plan];
      await Promise.all(Array.from({ length: 8 }, async () => {
        for (let p = queue.shift(); p; p = queue.shift()) {
          const body = patternBuffer(p.size, p.key);
          if (p.expected === 'missing') continue;
          if (p.expected === 'plain') {
            await s3.client.send(new PutObjectCommand({ Bucket: p.bucket, Key: p.key, Body: body }));
            const head = await s3.client.send(new HeadObjectCommand({ Bucket: p.bucket, Key: p.key }));
            before.set(p.key, { body, metadata: {}, etag: head.ETag, lastModified: head.LastModified });
            continue;
          }
          const index = plan.indexOf(p);
          const keyring = p.expected === 'rotated' ? kmsKeyring(index % 5 === 0 ? olderKey : oldKey) : keyringFor[p.expected]!();
          const client = writer(keyring, p.format, p.strategy);
          const sse = p.expected.startsWith('sse-kms') ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: s3.kmsKeyIds[0] } : undefined;
          if (sse) {
            // client-side encryption on top of SSE-KMS: write through the client with the SSE headers added
            const name = `sse-${index}`;
            client.s3.middlewareStack.add((next, context) => async (args) => {
              const input = args.input as { Key?: string };
              if (input.Key === p.key && /^(PutObject|CreateMultipartUpload)Command$/.test(context.commandName ?? '')) Object.assign(args.input, sse);
              return next(args);
            }, { step: 'initialize', name });
            try {
              await client.putObject({ bucket: p.bucket, key: p.key, body, encryptionContext: keyring instanceof KmsKeyring ? ec : undefined });
            } finally {
              client.s3.middlewareStack.remove(name);
            }
          } else {
            await client.putObject({
              bucket: p.bucket, key: p.key, body, contentType: 'application/x-rotation', metadata: { owner: 'team-a' }, tagging: 'class=confidential',
              encryptionContext: keyring instanceof KmsKeyring ? ec : undefined,
            });
          }
          if (p.expected === 'noncurrent') {
            const head = await s3.client.send(new HeadObjectCommand({ Bucket: p.bucket, Key: p.key }));
            p.versionId = head.VersionId; // then a newer version makes it noncurrent
            await client.putObject({ bucket: p.bucket, key: p.key, body: patternBuffer(10, 'newer'), encryptionContext: ec });
          }
          const raw = await rawGet(s3.client, p.bucket, p.key);
          const head = await s3.client.send(new HeadObjectCommand({ Bucket: p.bucket, Key: p.key }));
          before.set(p.key, { body: raw.body, metadata: raw.metadata, etag: head.ETag, lastModified: head.LastModified, contentType: head.ContentType });
        }
      }));
      // inventories also list the instruction files themselves: one written by us (with the marker), one like Ruby's (none)
      const withFile = plan.find((p) => p.expected === 'rotated' && p.strategy === MetadataStrategy.INSTRUCTION_FILE)!;
      const rubyStyle = `${withFile.key}-ruby-style.instruction`;
      await s3.client.send(new PutObjectCommand({ Bucket: withFile.bucket, Key: rubyStyle, Body: (await rawGet(s3.client, withFile.bucket, `${withFile.key}.instruction`)).body }));
      plan.push({ ...withFile, key: `${withFile.key}.instruction`, expected: 'instruction' }, { ...withFile, key: rubyStyle, expected: 'instruction' });
      handler = loadHandler('kms-to-kms', { CSE_ROTATION_FROM_KMS_KEY_IDS: `${oldKey}, ${olderKey}`, CSE_ROTATION_TO_KMS_KEY_ID: newKey });
    }, 300_000);

    const event = (invocationId: string) => ({
      invocationSchemaVersion: '2.0',
      invocationId,
      job: { id: 'job-kek-rotation', userArguments: {} },
      tasks: plan.map((p, i) => ({ taskId: `task-${i}`, s3Bucket: p.bucket, s3Key: encodeURIComponent(p.key).replace(/%20/g, '+'), s3VersionId: p.versionId ?? null })),
    });

    it('reports the expected result code and reason for every task, with no key material and no kms:Decrypt', async () => {
      kms.calls.length = 0;
      const response = await handler(event('invocation-1'), { getRemainingTimeInMillis: () => 900_000 });
      expect(response).toMatchObject({ invocationSchemaVersion: '2.0', invocationId: 'invocation-1', treatMissingKeysAs: 'PermanentFailure' });
      expect(response.results).toHaveLength(202); // 200 objects and 2 instruction files
      const codes: Record<Expected, string> = {
        rotated: 'Succeeded', current: 'Succeeded', 'sse-kms-file': 'Succeeded', foreign: 'PermanentFailure', raw: 'PermanentFailure',
        missing: 'PermanentFailure', plain: 'PermanentFailure', 'sse-kms-copy': 'PermanentFailure', noncurrent: 'PermanentFailure',
        instruction: 'Succeeded',
      };
      const texts: Record<Expected, RegExp> = {
        rotated: new RegExp(`^rotated from KMS key (${oldKey}|${olderKey}) to KMS key ${newKey} \\(V[23], (instruction file replaced|metadata rewritten with CopyObject), KMS ReEncrypt\\)`),
        current: new RegExp(`^already under KMS key ${newKey} \\(V[23], (instruction file|object metadata)\\)$`),
        'sse-kms-file': /^rotated from .* instruction file replaced/,
        foreign: /^DataKeyUnwrapFailed: .*none of the old keys/,
        raw: /^DataKeyUnwrapFailed: .*none of the old keys/,
        missing: /^NoSuchKey: /,
        plain: /^MissingInstructionFile: /,
        'sse-kms-copy': /^NotImplemented \(HTTP 501\)/, // radosgw Pacific cannot copy from SSE-KMS sources
        noncurrent: /^NoncurrentVersion: /,
        instruction: /^skipped: an instruction file, rotated together with its object$/,
      };
      response.results.forEach((r, i) => {
        expect({ task: r.taskId, code: r.resultCode, expected: plan[i].expected }).toEqual({ task: `task-${i}`, code: codes[plan[i].expected], expected: plan[i].expected });
        expect(r.resultString).toMatch(texts[plan[i].expected]);
      });
      expect(kms.calls.map((c) => c.op).filter((op) => op !== 'ReEncrypt')).toEqual([]); // data keys never left KMS
    }, 300_000);

    it('rotated objects decrypt under the new key only, with the same plaintext, and nothing but the encryption metadata changed', async () => {
      const newOnly = (format: ContentFormat) => new S3EncryptionClient({ client: s3.client, encryption: new ClientSideEncryption({ keyring: kmsKeyring(newKey), format }) });
      const oldOnly = new S3EncryptionClient({ client: s3.client, encryption: new ClientSideEncryption({ keyring: kmsKeyring(oldKey) }) });
      const queue = plan.filter((x) => x.expected === 'rotated' || x.expected === 'sse-kms-file');
      await Promise.all(Array.from({ length: 8 }, async () => {
        for (let p = queue.shift(); p; p = queue.shift()) {
          const plaintext = await newOnly(p.format).getObjectBytes({ bucket: p.bucket, key: p.key, encryptionContext: ec });
          expect(sha256(plaintext)).toBe(sha256(patternBuffer(p.size, p.key)));
          await expect(oldOnly.getObject({ bucket: p.bucket, key: p.key, encryptionContext: ec })).rejects.toThrow(/unwrap/i);

          const was = before.get(p.key)!;
          const raw = await rawGet(s3.client, p.bucket, p.key);
          expect(raw.body.equals(was.body)).toBe(true); // the content never changes
          const head = await s3.client.send(new HeadObjectCommand({ Bucket: p.bucket, Key: p.key }));
          if (p.strategy === MetadataStrategy.INSTRUCTION_FILE) {
            expect({ etag: head.ETag, lastModified: head.LastModified, metadata: raw.metadata }).toEqual({ etag: was.etag, lastModified: was.lastModified, metadata: was.metadata });
          } else {
            expect(Object.keys(raw.metadata).sort()).toEqual(Object.keys(was.metadata).sort());
            const changed = Object.keys(raw.metadata).filter((k) => raw.metadata[k] !== was.metadata[k]).sort();
            expect(changed).toEqual(p.format === ContentFormat.V3 ? ['x-amz-3'] : ['x-amz-key-v2']); // only the wrapped key
            expect(head.ContentType).toBe('application/x-rotation');
            const tags = await s3.client.send(new GetObjectTaggingCommand({ Bucket: p.bucket, Key: p.key }));
            expect(tags.TagSet).toEqual([{ Key: 'class', Value: 'confidential' }]);
          }
        }
      }));
    }, 300_000);

    it('objects that failed were left exactly as they were', async () => {
      for (const p of plan.filter((x) => ['foreign', 'raw', 'sse-kms-copy', 'noncurrent', 'plain'].includes(x.expected))) {
        const was = before.get(p.key)!;
        const head = await s3.client.send(new HeadObjectCommand({ Bucket: p.bucket, Key: p.key }));
        expect(head.ETag).toBe(was.etag);
        expect((await rawGet(s3.client, p.bucket, p.key)).metadata).toEqual(was.metadata);
      }
    });

    it('running the job again changes nothing and reports every rotated object as already under the new key', async () => {
      const versionsBefore = await s3.client.send(new ListObjectVersionsCommand({ Bucket: versioned }));
      const response = await handler(event('invocation-2'));
      response.results.forEach((r, i) => {
        if (plan[i].expected === 'rotated' || plan[i].expected === 'sse-kms-file') {
          expect(r).toMatchObject({ resultCode: 'Succeeded', resultString: expect.stringMatching(/^already under KMS key/) });
        }
      });
      const versionsAfter = await s3.client.send(new ListObjectVersionsCommand({ Bucket: versioned }));
      expect(versionsAfter.Versions?.length).toBe(versionsBefore.Versions?.length);
    }, 300_000);
  });

  it('raw AES keys from Secrets Manager (AWSPREVIOUS to AWSCURRENT): rotated, with no key bytes in any result', async () => {
    const previous = randomBytes(32);
    const current = randomBytes(32);
    const secretId = uniqueName('app/kek');
    const v1 = await moto.createSecret(secretId, { binary: previous });
    const v2 = await moto.rotateSecret(secretId, { text: current.toString('base64') }); // v1 is now AWSPREVIOUS
    const keys = Array.from({ length: 12 }, (_, i) => `raw/${i}.bin`);
    for (const [i, key] of keys.entries()) {
      const keyring = new RawAesKeyring({ wrappingKey: i < 10 ? previous : randomBytes(32), materialDescription: { kek: secretId } });
      await writer(keyring, i % 2 ? ContentFormat.V2 : ContentFormat.V3, i % 3 ? MetadataStrategy.OBJECT_METADATA : MetadataStrategy.INSTRUCTION_FILE)
        .putObject({ bucket: plain, key, body: patternBuffer(1000 + i, key) });
    }
    const handler = loadHandler('aes-to-aes', {
      CSE_ROTATION_FROM_AES_SECRET_ID: secretId,
      CSE_ROTATION_FROM_MATERIAL_DESCRIPTION: JSON.stringify({ kek: secretId }),
      CSE_ROTATION_TO_AES_SECRET_ID: secretId,
      CSE_ROTATION_TO_MATERIAL_DESCRIPTION: JSON.stringify({ kek: secretId, v: '2' }),
    });
    const response = await handler({
      invocationSchemaVersion: '2.0', invocationId: 'raw-1', job: { id: 'job-raw' },
      tasks: keys.map((key, i) => ({ taskId: `t${i}`, s3Bucket: plain, s3Key: key, s3VersionId: null })),
    });
    expect(response.results.map((r) => `${r.resultCode} ${r.resultString}`.slice(0, 200))).toEqual([...Array(10).fill(expect.stringMatching(/^Succeeded /)), expect.stringMatching(/^PermanentFailure DataKeyUnwrapFailed/), expect.stringMatching(/^PermanentFailure DataKeyUnwrapFailed/)]);
    expect(response.results[0].resultString).toBe(`rotated from raw AES key from secret ${secretId} AWSPREVIOUS (version ${v1}) to raw AES key from secret ${secretId} AWSCURRENT (version ${v2}) (V3, instruction file replaced, unwrap and wrap)`);
    const all = JSON.stringify(response);
    for (const k of [previous, current]) for (const form of [k.toString('base64'), k.toString('hex')]) expect(all).not.toContain(form);

    const reader = new S3EncryptionClient({ client: s3.client, encryption: new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: current, materialDescription: { kek: secretId, v: '2' } }) }) });
    for (const key of keys.slice(0, 10)) expect(sha256(await reader.getObjectBytes({ bucket: plain, key }))).toBe(sha256(patternBuffer(1000 + keys.indexOf(key), key)));
  });

  describe('S3ObjectKeyRotator', () => {
    const rotation = () => new DataKeyRotation({ from: [kmsRotationKey({ client: moto.kmsClient(), keyId: oldKey })], to: kmsRotationKey({ client: moto.kmsClient(), keyId: newKey }) });

    it('copies objects over the CopyObject limit part by part (UploadPartCopy), keeping tags and headers', async () => {
      const key = 'big/multipart-copy';
      const size = 12 * MiB + 9;
      await writer(kmsKeyring(oldKey), ContentFormat.V3, MetadataStrategy.OBJECT_METADATA)
        .putObject({ bucket: plain, key, body: patternBuffer(size, key), tagging: 'a=1&b=2', contentType: 'text/x-big', cacheControl: 'max-age=60', metadata: { owner: 'o' } });
      const wasBody = (await rawGet(s3.client, plain, key)).body;
      const rotator = new S3ObjectKeyRotator({ client: s3.client, rotation: rotation(), maxCopyObjectBytes: 5 * MiB, copyPartSize: 5 * MiB });
      expect(await rotator.rotate({ bucket: plain, key })).toMatchObject({ outcome: 'rotated', method: 'multipart-copy', rewrap: 'kms-reencrypt' });
      expect(await s3.listMultipartUploads(plain)).toEqual([]);
      const raw = await rawGet(s3.client, plain, key);
      expect(raw.body.equals(wasBody)).toBe(true);
      expect(raw.metadata.owner).toBe('o');
      const head = await s3.client.send(new HeadObjectCommand({ Bucket: plain, Key: key }));
      expect(head).toMatchObject({ ContentType: 'text/x-big', CacheControl: 'max-age=60' });
      const tags = await s3.client.send(new GetObjectTaggingCommand({ Bucket: plain, Key: key }));
      expect(tags.TagSet).toEqual(expect.arrayContaining([{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }]));
      const reader = new S3EncryptionClient({ client: s3.client, encryption: new ClientSideEncryption({ keyring: kmsKeyring(newKey) }) });
      expect(sha256(await reader.getObjectBytes({ bucket: plain, key }))).toBe(sha256(patternBuffer(size, key)));
    });

    it.each([MetadataStrategy.OBJECT_METADATA, MetadataStrategy.INSTRUCTION_FILE])('an object overwritten while its key is re-wrapped (%s) is not paired with the old data key: ObjectChangedError', async (strategy) => {
      for (const bucket of [plain, versioned]) {
        const key = `race/${strategy}`;
        await writer(kmsKeyring(oldKey), ContentFormat.V3, strategy).putObject({ bucket, key, body: 'first' });
        let raced = false;
        kms.beforeReEncrypt = async () => {
          if (raced) return;
          raced = true; // another writer replaces the object (and its instruction file) while KMS re-wraps the old data key
          await writer(kmsKeyring(oldKey), ContentFormat.V3, strategy).putObject({ bucket, key, body: 'second' });
        };
        try {
          const rotator = new S3ObjectKeyRotator({ client: s3.client, rotation: rotation() });
          const err = await rotator.rotate({ bucket, key }).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(ObjectChangedError);
          // the newer object is intact and still under the old key; a retry rotates it
          const oldReader = new S3EncryptionClient({ client: s3.client, encryption: new ClientSideEncryption({ keyring: kmsKeyring(oldKey) }) });
          expect((await oldReader.getObjectBytes({ bucket, key })).toString()).toBe('second');
          expect(await rotator.rotate({ bucket, key })).toMatchObject({ outcome: 'rotated' });
        } finally {
          kms.beforeReEncrypt = undefined;
        }
      }
    });
  });
});
