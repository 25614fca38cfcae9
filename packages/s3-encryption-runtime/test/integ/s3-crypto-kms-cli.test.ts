/**
 * The `s3-crypto` CLI's AWS KMS and Secrets Manager paths as a user runs them: a separate process (through
 * tsx) whose SDK clients reach the moto server through AWS_ENDPOINT_URL_KMS / AWS_ENDPOINT_URL_SECRETS_MANAGER,
 * and radosgw for S3. No mock and no shim: moto's KMS answers GenerateDataKey and Decrypt as AWS KMS does,
 * binding the encryption context.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { ClientSideEncryption, KmsKeyring, S3EncryptionClient } from '../../src';
import { rawGet } from '../client-side/support/s3-fixtures';
import { describeWithS3AndKms, motoTestServer, uniqueName } from './support/moto-server';
import { s3TestServer } from './support/s3-test-server';
import { MiB, patternBuffer, sha256 } from './support/test-data';

const ROOT = join(__dirname, '..', '..', '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = join(__dirname, '..', '..', 'src', 'cli', 'main.ts');

describeWithS3AndKms('s3-crypto with --kms-key-id and --sse-c-secret as a process, against moto and radosgw', () => {
  const s3 = s3TestServer();
  const moto = motoTestServer();
  const dir = mkdtempSync(join(tmpdir(), 's3-crypto-kms-'));
  const p = (name: string) => join(dir, name);
  let bucket: string;
  let where: string[];
  let keyArn: string;
  let alias: string;

  /** Runs the CLI as its own process: no AWS config files; moto's endpoints and region; S3 credentials (moto accepts any). */
  function cli(args: string[], stdin?: Buffer): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(TSX, [MAIN, ...args], {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          ...moto.childProcessEnv(),
          AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
        },
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }));
      child.stdin.end(stdin ?? Buffer.alloc(0));
    });
  }
  const library = () => new S3EncryptionClient({ client: s3.client, encryption: new ClientSideEncryption({ keyring: new KmsKeyring({ client: moto.kmsClient(), keyId: keyArn }) }) });

  beforeAll(async () => {
    alias = `alias/${uniqueName('cli')}`;
    keyArn = await moto.createKmsKey(alias);
    bucket = await s3.createBucket('s3-crypto-kms');
    where = ['--bucket', bucket, '--endpoint', s3.endpoint, '--ca-cert', s3.caCertPath, '--path-style'];
  });
  afterAll(() => s3.deleteBucket(bucket));

  describe('encrypt / decrypt offline', () => {
    const data = patternBuffer(300_007, 'cli-kms-offline');

    beforeAll(async () => {
      writeFileSync(p('plain.bin'), data);
      const enc = await cli(['encrypt', '--in', p('plain.bin'), '--out-dir', p('obj'), '--kms-key-id', alias, '--context', 'tenant=acme', '--context', 'env=prod']);
      expect({ code: enc.code, stderr: enc.stderr }).toEqual({ code: 0, stderr: '' });
    });

    it('encrypts with GenerateDataKey (the context stored with aws:x-amz-cek-alg) and decrypts by ARN with the same context', async () => {
      const metadata = JSON.parse(readFileSync(p('obj/metadata.json'), 'utf8')) as Record<string, string>;
      expect(JSON.parse(metadata['x-amz-t'])).toEqual({ tenant: 'acme', env: 'prod', 'aws:x-amz-cek-alg': '115' });
      expect(metadata['x-amz-w']).toBe('12'); // kms+context
      const dec = await cli(['decrypt', '--in-dir', p('obj'), '--out', p('plain.out'), '--kms-key-id', keyArn, '--context', 'env=prod', '--context', 'tenant=acme']);
      expect({ code: dec.code, stderr: dec.stderr }).toEqual({ code: 0, stderr: '' });
      expect(sha256(readFileSync(p('plain.out')))).toBe(sha256(data));
    });

    it('a context that differs from the stored one is refused before KMS is asked; nothing is written', async () => {
      const r = await cli(['decrypt', '--in-dir', p('obj'), '--out', p('wrong-context.out'), '--kms-key-id', keyArn, '--context', 'tenant=other']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^s3-crypto: The object's KMS encryption context does not match: these keys differ between the stored and the expected context: "env", "tenant"/);
      expect(existsSync(p('wrong-context.out'))).toBe(false);
    });

    it('a stored context rewritten to match a forged --context is refused by KMS itself (InvalidCiphertextException); nothing is written', async () => {
      const forged = p('forged');
      mkdirSync(forged);
      for (const f of readdirSync(p('obj'))) copyFileSync(join(p('obj'), f), join(forged, f));
      const metadata = JSON.parse(readFileSync(join(forged, 'metadata.json'), 'utf8')) as Record<string, string>;
      metadata['x-amz-t'] = JSON.stringify({ tenant: 'evil', env: 'prod', 'aws:x-amz-cek-alg': '115' });
      writeFileSync(join(forged, 'metadata.json'), JSON.stringify(metadata));
      const r = await cli(['decrypt', '--in-dir', forged, '--out', p('forged.out'), '--kms-key-id', keyArn, '--context', 'tenant=evil', '--context', 'env=prod']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^s3-crypto: Could not unwrap the object's data key: KMS rejected the wrapped key \(InvalidCiphertextException\)/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(p('forged.out'))).toBe(false);
    });

    it('refuses kms_cmk_id in --context (a reserved key no reader checks), before anything reaches KMS or the disk', async () => {
      const r = await cli(['encrypt', '--in', p('plain.bin'), '--out-dir', p('reserved'), '--kms-key-id', alias, '--context', 'kms_cmk_id=whatever']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/The encryption context must not contain the reserved key "kms_cmk_id"/);
      expect(existsSync(p('reserved/body.bin'))).toBe(false);
    });

    it('an unknown KMS key fails with one readable line naming the key and KMS\'s error', async () => {
      const missing = `alias/${uniqueName('missing')}`;
      const r = await cli(['encrypt', '--in', p('plain.bin'), '--out-dir', p('missing-key'), '--kms-key-id', missing]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^s3-crypto: AWS KMS GenerateDataKey with key ${missing} failed after 1 attempt \\(NotFoundException: `));
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  });

  describe('put / get against radosgw', () => {
    it('puts a multipart object under a KMS key (V3) and gets it back; the library reads it, and the CLI reads the library\'s', async () => {
      const data = patternBuffer(12 * MiB + 5, 'cli-kms-put');
      writeFileSync(p('put.bin'), data);
      const put = await cli(['put', ...where, '--key', 'kms/big.bin', '--file', p('put.bin'), '--kms-key-id', alias, '--context', 'tenant=acme']);
      expect({ code: put.code, stderr: put.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(put.stdout.toString())).toMatchObject({ key: 'kms/big.bin', size: data.length, encryption: `client-side V3 (KmsKeyring(${alias}), object metadata)` });
      expect(JSON.parse((await rawGet(s3.client, bucket, 'kms/big.bin')).metadata['x-amz-t'])).toEqual({ tenant: 'acme', 'aws:x-amz-cek-alg': '115' });
      expect((await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'kms/big.bin' }))).ETag).toMatch(/-2"$/); // two 8 MiB parts

      const get = await cli(['get', ...where, '--key', 'kms/big.bin', '--file', p('get.bin'), '--kms-key-id', keyArn, '--context', 'tenant=acme']);
      expect({ code: get.code, stderr: get.stderr }).toEqual({ code: 0, stderr: '' });
      expect(sha256(readFileSync(p('get.bin')))).toBe(sha256(data));
      expect(sha256(await library().getObjectBytes({ bucket, key: 'kms/big.bin', encryptionContext: { tenant: 'acme' } }))).toBe(sha256(data));

      await library().putObject({ bucket, key: 'kms/from-library', body: 'written by the library' });
      const back = await cli(['get', ...where, '--key', 'kms/from-library', '--kms-key-id', keyArn]);
      expect({ code: back.code, stdout: back.stdout.toString(), stderr: back.stderr }).toEqual({ code: 0, stdout: 'written by the library', stderr: '' });
    });

    it('V2 with an instruction file from stdin; a wrong context on get exits 1 and writes no file', async () => {
      const data = patternBuffer(70_001, 'cli-kms-v2');
      const put = await cli(['put', ...where, '--key', 'kms/v2.bin', '--kms-key-id', keyArn, '--format', 'v2', '--instruction-file', '--context', 'app=cli'], data);
      expect({ code: put.code, stderr: put.stderr }).toEqual({ code: 0, stderr: '' });
      const file = JSON.parse((await rawGet(s3.client, bucket, 'kms/v2.bin.instruction')).body.toString()) as Record<string, string>;
      expect(file).toMatchObject({ 'x-amz-wrap-alg': 'kms+context', 'x-amz-cek-alg': 'AES/GCM/NoPadding' });
      expect(JSON.parse(file['x-amz-matdesc'])).toEqual({ app: 'cli', 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding' });

      const get = await cli(['get', ...where, '--key', 'kms/v2.bin', '--kms-key-id', alias, '--context', 'app=cli']);
      expect(get.code).toBe(0);
      expect(sha256(get.stdout)).toBe(sha256(data));
      const wrong = await cli(['get', ...where, '--key', 'kms/v2.bin', '--file', p('v2-wrong.bin'), '--kms-key-id', keyArn, '--context', 'app=other']);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/encryption context does not match/);
      expect(existsSync(p('v2-wrong.bin'))).toBe(false);
    });

    it('--sse-c-secret reads the SSE-C key from Secrets Manager; after a rotation the old object opens with --sse-c-secret-stage AWSPREVIOUS', async () => {
      const secretId = uniqueName('app/cli-sse-c');
      const before = patternBuffer(32, `${secretId}-v1`);
      const v1 = await moto.createSecret(secretId, { binary: before });
      const data = patternBuffer(9 * MiB + 1, 'cli-sse-c-secret');
      writeFileSync(p('sse-c.bin'), data);
      const put = await cli(['put', ...where, '--key', 'ssec/obj', '--file', p('sse-c.bin'), '--sse-c-secret', secretId]);
      expect({ code: put.code, stderr: put.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(put.stdout.toString()).encryption).toBe(`SSE-C (secret ${secretId} AWSCURRENT (version ${v1}))`);

      const v2 = await moto.rotateSecret(secretId, { text: patternBuffer(32, `${secretId}-v2`).toString('base64') });
      const current = await cli(['get', ...where, '--key', 'ssec/obj', '--file', p('sse-c.current'), '--sse-c-secret', secretId]);
      expect(current.code).toBe(1);
      expect(current.stderr).toMatch(new RegExp(`is encrypted with a different SSE-C key than secret ${secretId} AWSCURRENT \\(version ${v2}\\)`));
      expect(existsSync(p('sse-c.current'))).toBe(false);
      const previous = await cli(['get', ...where, '--key', 'ssec/obj', '--file', p('sse-c.previous'), '--sse-c-secret', secretId, '--sse-c-secret-stage', 'AWSPREVIOUS']);
      expect({ code: previous.code, stderr: previous.stderr }).toEqual({ code: 0, stderr: '' });
      expect(sha256(readFileSync(p('sse-c.previous')))).toBe(sha256(data));
      for (const form of [before.toString('base64'), before.toString('hex')]) expect(current.stderr + previous.stdout.toString()).not.toContain(form);
    });
  });
});
