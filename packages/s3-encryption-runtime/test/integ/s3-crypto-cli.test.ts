import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { runCliInProcess, runCliProcess } from '../support/cli-runner';
import { describeWithS3, s3TestServer } from './support/s3-test-server';
import { MiB, patternBuffer, sha256 } from './support/test-data';


describeWithS3('s3-crypto put/get against radosgw over HTTPS', () => {
  const s3 = s3TestServer();
  const dir = mkdtempSync(join(tmpdir(), 's3-crypto-integ-'));
  const rawKey = join(dir, 'key.bin');
  const b64Key = join(dir, 'key.b64');
  const otherKey = join(dir, 'other.bin');
  const keyBytes = patternBuffer(32, 'cli-key');
  writeFileSync(rawKey, keyBytes);
  writeFileSync(b64Key, `${keyBytes.toString('base64')}\n`);
  writeFileSync(otherKey, patternBuffer(32, 'other-key'));
  let bucket: string;
  let where: string[];

  /** Runs the CLI as a separate process, like a user would (through tsx). */
  const cli = (args: string[], stdin?: Buffer) => runCliProcess(args, s3.credentials, stdin);

  beforeAll(async () => {
    bucket = await s3.createBucket('s3-crypto-cli');
    where = ['--bucket', bucket, '--endpoint', s3.endpoint, '--ca-cert', s3.caCertPath, '--path-style'];
  });
  afterAll(() => s3.deleteBucket(bucket));

  it('puts a file (multipart) and gets it back to a file, byte for byte, printing JSON summaries', async () => {
    const data = patternBuffer(20 * MiB + 3, 'cli-file');
    writeFileSync(join(dir, 'in.bin'), data);
    const put = await cli(['put', ...where, '--key', 'docs/in.bin', '--file', join(dir, 'in.bin'), '--sse-c-key-file', rawKey]);
    expect({ code: put.code, stderr: put.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(put.stdout.toString())).toMatchObject({ bucket, key: 'docs/in.bin', size: data.length, encryption: expect.stringMatching(/^SSE-C/) });

    const get = await cli(['get', ...where, '--key', 'docs/in.bin', '--file', join(dir, 'out.bin'), '--sse-c-key-file', b64Key]);
    expect({ code: get.code, stderr: get.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(get.stdout.toString())).toMatchObject({ size: data.length, file: join(dir, 'out.bin') });
    expect(sha256(readFileSync(join(dir, 'out.bin')))).toBe(sha256(data));
  });

  it('streams stdin to S3 and S3 to stdout', async () => {
    const data = patternBuffer(7 * MiB + 11, 'cli-stdin');
    const put = await cli(['put', ...where, '--key', 'piped', '--sse-c-key-file', b64Key], data);
    expect(put.code).toBe(0);
    const get = await cli(['get', ...where, '--key', 'piped', '--sse-c-key-file', rawKey]);
    expect(get.code).toBe(0);
    expect(sha256(get.stdout)).toBe(sha256(data));
  });

  it('a wrong key exits 1 with a one-line reason, writes no file, and never prints a key', async () => {
    const r = await cli(['get', ...where, '--key', 'piped', '--file', join(dir, 'wrong.bin'), '--sse-c-key-file', otherKey]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^s3-crypto: s3:\/\/.*\/piped is encrypted with a different SSE-C key than key file .*other\.bin/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => f.includes('wrong'))).toEqual([]);
    for (const k of [keyBytes, readFileSync(otherKey)]) for (const form of [k.toString('base64'), k.toString('hex')]) expect(r.stderr).not.toContain(form);
  });

  it('a missing object exits 1 with a one-line reason', async () => {
    const r = await cli(['get', ...where, '--key', 'nope', '--sse-c-key-file', rawKey]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`s3-crypto: s3://${bucket}/nope does not exist`);
  });

  describe('in-process', () => {
    const secrets = mockClient(SecretsManagerClient);
    const saved = { ...process.env };
    beforeAll(() => {
      // the CLI takes credentials from the usual AWS sources; here, the environment
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey });
    });
    afterAll(() => {
      process.env = saved;
      secrets.restore();
    });

    const runCli = (argv: string[], tty = false) => runCliInProcess(argv, { tty });

    it('takes the key from Secrets Manager (--sse-c-secret, AWSCURRENT by default)', async () => {
      // Secrets Manager does not run here: GetSecretValue is mocked
      secrets.on(GetSecretValueCommand, { SecretId: 'app/cli-key', VersionStage: 'AWSCURRENT' }).resolves({ SecretString: keyBytes.toString('base64'), VersionId: 'v7' });
      writeFileSync(join(dir, 'secret-in.bin'), patternBuffer(1000, 'secret'));
      const put = await runCli(['put', ...where, '--key', 'via-secret', '--file', join(dir, 'secret-in.bin'), '--sse-c-secret', 'app/cli-key', '--region', 'us-east-1']);
      expect(put).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(put.stdout).encryption).toBe('SSE-C (secret app/cli-key AWSCURRENT (version v7))');
      // the same key bytes from a file open it
      const get = await runCli(['get', ...where, '--key', 'via-secret', '--file', join(dir, 'secret-out.bin'), '--sse-c-key-file', rawKey]);
      expect(get.code).toBe(0);
      expect(sha256(readFileSync(join(dir, 'secret-out.bin')))).toBe(sha256(patternBuffer(1000, 'secret')));
    });

    it('shows progress on a terminal for large transfers, and nothing for small ones', async () => {
      writeFileSync(join(dir, 'big.bin'), patternBuffer(24 * MiB, 'progress'));
      const big = await runCli(['put', ...where, '--key', 'big', '--file', join(dir, 'big.bin'), '--sse-c-key-file', rawKey], true);
      expect(big.code).toBe(0);
      expect(big.stderr).not.toMatch(/s3-crypto:/);
      expect(big.stderr).toMatch(/\rput s3:\/\/.*\/big {2}\d+\.\d (KiB|MiB) \/ 24\.0 MiB {2}\d+% {2}\d+\.\d (KiB|MiB|GiB)\/s/);
      const small = await runCli(['get', ...where, '--key', 'via-secret', '--file', join(dir, 'small.bin'), '--sse-c-key-file', rawKey], true);
      expect(small.stderr).toBe('');
    });
  });
});
