/**
 * `s3-crypto put` / `get` against radosgw as a separate process (see support/cli-runner.ts), for both
 * kinds of key: Ctrl-C/SIGTERM in the middle of a transfer, progress on a pseudo-terminal, objects over
 * the 64 MiB buffered-authentication limit, and bad paths.
 */
import { randomBytes } from 'node:crypto';
import { ListPartsCommand } from '@aws-sdk/client-s3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LEAKED_INTERNALS, MiB, sha256File, tempBytes, tree, waitFor, writeData } from '../support/cli-fixtures';
import { type CliProcessOptions, runCli, startCli } from '../support/cli-runner';
import { exists } from '../client-side/support/s3-fixtures';
import { describeWithS3, s3TestServer } from './support/s3-test-server';

describeWithS3('s3-crypto put/get as a process: interruption, progress, large objects, bad paths (radosgw)', () => {
  const s3 = s3TestServer();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 's3-crypto-xfer-'));
  const p = (...parts: string[]) => path.join(tmp, ...parts);
  fs.writeFileSync(p('sse-c.key'), randomBytes(32));
  fs.writeFileSync(p('aes.key'), randomBytes(32));
  const KEYS = { 'SSE-C': ['--sse-c-key-file', p('sse-c.key')], 'client-side': ['--aes-key-file', p('aes.key')] } as const;
  const MODES = Object.keys(KEYS) as Array<keyof typeof KEYS>;
  let bucket: string;
  let where: string[];
  const asUser = (options: CliProcessOptions = {}): CliProcessOptions => ({
    ...options,
    env: { AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey, ...options.env },
  });
  const cli = (args: string[], options?: CliProcessOptions) => runCli(args, asUser(options));

  beforeAll(async () => {
    bucket = await s3.createBucket('cli-xfer');
    where = ['--bucket', bucket, '--endpoint', s3.endpoint, '--ca-cert', s3.caCertPath, '--path-style'];
    writeData(p('big.bin'), 96 * MiB, 'big');
    for (const mode of MODES) {
      const put = await cli(['put', ...where, '--key', `big-${mode}`, '--file', p('big.bin'), ...KEYS[mode]]);
      expect({ code: put.code, stderr: put.stderr }).toEqual({ code: 0, stderr: '' });
    }
  });
  afterAll(async () => {
    await s3.deleteBucket(bucket);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe.each(MODES)('%s', (mode) => {
    it('put from stdin, SIGINT while waiting for more input: exit 130 within 2 s, the multipart upload aborted, no object', async () => {
      const key = `interrupted-put-${mode}`;
      const run = startCli(['put', ...where, '--key', key, ...KEYS[mode]], asUser({ stdin: 'pipe' }));
      run.child.stdin!.on('error', () => undefined); // the CLI stops reading: EPIPE is expected
      // a slow producer: 20 MiB (two full parts or more), then nothing, with stdin left open
      await new Promise<void>((resolve, reject) => run.child.stdin!.write(randomBytes(20 * MiB), (err) => (err ? reject(err) : resolve())));
      await waitFor('two parts uploaded, the CLI idle on stdin', async () => {
        const upload = (await s3.listMultipartUploads(bucket)).find((u) => u.key === key);
        return upload !== undefined && ((await s3.client.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: upload.uploadId }))).Parts ?? []).length >= 2;
      });
      const sentAt = performance.now();
      run.child.kill('SIGINT');
      const r = await run.result;
      expect(r.code).toBe(130);
      expect(r.exitedAt - sentAt).toBeLessThan(2000);
      expect(r.stderr).toMatch(/^s3-crypto: interrupted by SIGINT; stopped and cleaned up/);
      expect(await s3.listMultipartUploads(bucket)).toEqual([]);
      expect(await exists(s3.client, bucket, key)).toBe(false);
    });

    it('get --file of 96 MiB, SIGTERM mid-download: exit 143 within 2 s, no file, no temporary file', async () => {
      const before = tree(tmp);
      const run = startCli(['get', ...where, '--key', `big-${mode}`, '--file', p('interrupted.out'), ...KEYS[mode]], asUser());
      await waitFor('the download to be under way', () => tempBytes(tmp) > 8 * MiB);
      const sentAt = performance.now();
      run.child.kill('SIGTERM');
      const r = await run.result;
      expect(r.code).toBe(143);
      expect(r.exitedAt - sentAt).toBeLessThan(2000);
      expect(tree(tmp)).toEqual(before);
    });

    it('get to stdout, SIGINT mid-download: exit 130 within 2 s', async () => {
      const run = startCli(['get', ...where, '--key', `big-${mode}`, ...KEYS[mode], ...(mode === 'client-side' ? ['--delayed-authentication'] : [])], asUser());
      await waitFor('plaintext on stdout', () => run.stdoutSoFar().length > 8 * MiB);
      const sentAt = performance.now();
      run.child.kill('SIGINT');
      const r = await run.result;
      expect(r.code).toBe(130);
      expect(r.exitedAt - sentAt).toBeLessThan(2000);
    });

    it('on a terminal, put and get show progress with rate and ETA; --quiet and a pipe show none', async () => {
      const put = await cli(['put', ...where, '--key', `progress-${mode}`, '--file', p('big.bin'), ...KEYS[mode]], { tty: true });
      expect(put.code).toBe(0);
      expect(put.terminal).toMatch(new RegExp(`\\rput s3://${bucket}/progress-${mode} {2}\\d+\\.\\d (KiB|MiB) / 96\\.0 MiB {2}\\d+% {2}\\d+\\.\\d (KiB|MiB|GiB)/s {2}ETA \\d+:\\d\\d`));
      const get = await cli(['get', ...where, '--key', `progress-${mode}`, '--file', p(`progress-${mode}.out`), ...KEYS[mode]], { tty: true });
      expect(get.code).toBe(0);
      expect(get.terminal).toMatch(new RegExp(`\\rget s3://${bucket}/progress-${mode} {2}\\d+\\.\\d (KiB|MiB) / 96\\.0 MiB {2}\\d+% {2}\\d+\\.\\d (KiB|MiB|GiB)/s {2}ETA \\d+:\\d\\d`));
      expect(sha256File(p(`progress-${mode}.out`))).toBe(sha256File(p('big.bin')));
      const quiet = await cli(['get', ...where, '--key', `progress-${mode}`, '--file', p(`quiet-${mode}.out`), ...KEYS[mode], '--quiet'], { tty: true });
      expect(quiet.code).toBe(0);
      expect(quiet.terminal).not.toMatch(/\r(?!\n)/); // a terminal ends lines with \r\n; a progress redraw is a bare \r
      const piped = await cli(['get', ...where, '--key', `progress-${mode}`, '--file', p(`piped-${mode}.out`), ...KEYS[mode]]);
      expect({ code: piped.code, stderr: piped.stderr }).toEqual({ code: 0, stderr: '' });
      for (const f of [`progress-${mode}.out`, `quiet-${mode}.out`, `piped-${mode}.out`]) fs.rmSync(p(f));
    });

    it.each([
      ['get --file naming a directory', (m: string) => ['get', '--key', `big-${m}`, '--file', 'T'], /^s3-crypto: --file T is a directory; give a file path$/],
      ['get --file in a missing directory', (m: string) => ['get', '--key', `big-${m}`, '--file', 'T/none/x.out'], /^s3-crypto: cannot write --file T\/none\/x\.out: directory T\/none does not exist$/],
      ['put --file that is missing', (m: string) => ['put', '--key', `never-${m}`, '--file', 'T/missing.bin'], /^s3-crypto: cannot read --file T\/missing\.bin: no such file or directory \(ENOENT\)$/],
      ['put --file that is a directory', (m: string) => ['put', '--key', `never-${m}`, '--file', 'T'], /^s3-crypto: --file T is a directory; give a file$/],
    ])('%s: exit 2 before any request, naming the flag and path, nothing written', async (_name, argv, message) => {
      const before = tree(tmp);
      const [command, ...rest] = argv(mode);
      const r = await cli([command, ...where, ...rest.map((a) => a.replace(/^T/, tmp)), ...KEYS[mode]]);
      expect(r.code).toBe(2);
      expect(r.stderr.split(tmp).join('T').trim()).toMatch(message);
      expect(r.stderr).not.toMatch(LEAKED_INTERNALS);
      expect(tree(tmp)).toEqual(before);
      expect(await exists(s3.client, bucket, `never-${mode}`)).toBe(false);
    });

    it('get --file of a missing object: exit 1, no file, no temporary file', async () => {
      const before = tree(tmp);
      const r = await cli(['get', ...where, '--key', 'no-such-object', '--file', p('missing.out'), ...KEYS[mode]]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/does not exist/);
      expect(tree(tmp)).toEqual(before);
    });
  });

  describe('client-side objects over the 64 MiB buffered-authentication limit', () => {
    it('get --file needs no flag: verified into a private temporary file, then renamed (mode 0600)', async () => {
      const r = await cli(['get', ...where, '--key', 'big-client-side', '--file', p('large.out'), ...KEYS['client-side']], { measurePeakRss: true });
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(sha256File(p('large.out'))).toBe(sha256File(p('big.bin')));
      expect(fs.statSync(p('large.out')).mode & 0o777).toBe(0o600);
      expect(r.peakRssMiB).toBeLessThan(96 + 64); // holding the object would need its 96 MiB on top of the process
      fs.rmSync(p('large.out'));
    });

    it('to stdout it is held for authentication, so it is refused naming --file, --buffer-size and --delayed-authentication; those two are refused with --file', async () => {
      const refused = await cli(['get', ...where, '--key', 'big-client-side', ...KEYS['client-side']]);
      expect(refused.code).toBe(1);
      expect(refused.stdout.length).toBe(0);
      expect(refused.stderr).toMatch(/^s3-crypto: The object holds more than 67108864 bytes of plaintext, the --buffer-size limit for output to stdout, .*--file FILE .*--buffer-size.*--delayed-authentication/);
      expect(refused.stderr).not.toMatch(/bufferSize|enableDelayedAuthentication/);
      const raised = await cli(['get', ...where, '--key', 'big-client-side', ...KEYS['client-side'], '--buffer-size', '100MiB']);
      expect(raised.code).toBe(0);
      expect(raised.stdout.length).toBe(96 * MiB);
      const withFile = await cli(['get', ...where, '--key', 'big-client-side', '--file', p('x.out'), ...KEYS['client-side'], '--delayed-authentication']);
      expect(withFile.code).toBe(2);
      expect(withFile.stderr).toMatch(/^s3-crypto: --delayed-authentication applies to output to stdout only; --file is verified before it is renamed into place, at any size: drop --delayed-authentication/);
      expect(fs.existsSync(p('x.out'))).toBe(false);
    });
  });
});
