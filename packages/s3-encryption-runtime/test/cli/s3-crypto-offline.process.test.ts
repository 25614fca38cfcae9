/**
 * `s3-crypto encrypt` / `decrypt` run as a user runs them: a separate process (see support/cli-runner.ts),
 * with real files, signals, a pseudo-terminal and a real unprivileged user. No server needed.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { dataSha256, LEAKED_INTERNALS, MiB, sha256File, tempBytes, tree, waitFor, writeData } from '../support/cli-fixtures';
import { type CliProcessResult, runCli, startCli } from '../support/cli-runner';

jest.setTimeout(180_000);

const oneLine = (r: CliProcessResult) => r.stderr.trim().split('\n');

describe('s3-crypto encrypt / decrypt as a separate process', () => {
  let tmp: string;
  const p = (...parts: string[]) => path.join(tmp, ...parts);
  const key = () => p('aes.key');

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 's3-crypto-proc-'));
    fs.chmodSync(tmp, 0o755); // readable by the unprivileged user some tests run as
    fs.writeFileSync(key(), randomBytes(32), { mode: 0o644 });
    fs.writeFileSync(p('other.key'), randomBytes(32), { mode: 0o644 });
    writeData(p('small.bin'), 100_003);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('help is generated from the option table the parser uses', () => {
    const flagsIn = (text: string) => [...new Set(text.match(/(?<=^\s+)--[a-z-]+/gm))].sort();

    it.each([
      ['encrypt', ['--in', '--out-dir', '--aes-key-file', '--rsa-public-key', '--rsa-private-key', '--kms-key-id', '--kms-region', '--context', '--format', '--commitment-policy', '--instruction-file', '--quiet', '--help']],
      ['decrypt', ['--in-dir', '--out', '--aes-key-file', '--rsa-private-key', '--kms-key-id', '--kms-region', '--context', '--commitment-policy', '--legacy', '--quiet', '--help']],
      ['put', ['--bucket', '--key', '--endpoint', '--region', '--path-style', '--ca-cert', '--file', '--content-type', '--sse-c-key-file', '--sse-c-secret', '--sse-c-secret-stage',
        '--aes-key-file', '--rsa-public-key', '--rsa-private-key', '--kms-key-id', '--kms-region', '--context', '--format', '--commitment-policy', '--instruction-file', '--quiet', '--help']],
      ['get', ['--bucket', '--key', '--endpoint', '--region', '--path-style', '--ca-cert', '--file', '--version-id', '--sse-c-key-file', '--sse-c-secret', '--sse-c-secret-stage',
        '--aes-key-file', '--rsa-private-key', '--kms-key-id', '--kms-region', '--context', '--commitment-policy', '--legacy', '--delayed-authentication', '--buffer-size', '--quiet', '--help']],
    ])('%s --help lists exactly the options it accepts for that direction', async (command, expected) => {
      const r = await runCli([command, '--help']);
      expect(r.code).toBe(0);
      expect(flagsIn(r.stdout.toString())).toEqual([...expected].sort());
      // and an option of the other direction is refused by name, with a pointer to that help
      const foreign = command === 'encrypt' || command === 'put' ? '--legacy' : '--format';
      const refused = await runCli([command, foreign, ...(foreign === '--format' ? ['v3'] : [])]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(`s3-crypto: unknown option ${foreign} (see s3-crypto ${command} --help)\n`);
    });
  });

  describe('SIGINT and SIGTERM stop a long job within 2 s, with 130 / 143, leaving nothing behind', () => {
    const GiB = 1024 * MiB;
    beforeAll(async () => {
      // a sparse 1 GiB input: reading it costs no disk, encrypting it takes seconds
      fs.writeFileSync(p('huge.bin'), '');
      fs.truncateSync(p('huge.bin'), GiB);
      const made = await runCli(['encrypt', '--in', p('huge.bin'), '--out-dir', p('huge.enc'), '--aes-key-file', key()]);
      expect(made.code).toBe(0);
    });
    afterAll(() => {
      fs.rmSync(p('huge.enc'), { recursive: true, force: true });
      fs.rmSync(p('huge.bin'), { force: true });
    });

    async function interrupt(args: string[], signal: 'SIGINT' | 'SIGTERM', started: () => boolean) {
      const before = tree(tmp);
      const cli = startCli(args);
      await waitFor('the job to be under way', started);
      const sentAt = performance.now();
      cli.child.kill(signal);
      const r = await cli.result;
      return { r, elapsedMs: r.exitedAt - sentAt, before, after: tree(tmp) };
    }

    it.each([['SIGINT', 130], ['SIGTERM', 143]] as const)('encrypt of 1 GiB, %s mid-way: exit %d, no out-dir, no temporary file', async (signal, code) => {
      const { r, elapsedMs, before, after } = await interrupt(
        ['encrypt', '--in', p('huge.bin'), '--out-dir', p('interrupted'), '--aes-key-file', key()], signal, () => tempBytes(p('interrupted')) > 16 * MiB,
      );
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code, stderr: `s3-crypto: interrupted by ${signal}; stopped and cleaned up (no output file, temporary file or upload left behind)\n` });
      expect(elapsedMs).toBeLessThan(2000);
      expect(fs.existsSync(p('interrupted'))).toBe(false); // the directory it created is gone too
      expect(after).toEqual(before);
    });

    it.each([['SIGINT', 130], ['SIGTERM', 143]] as const)('decrypt of 1 GiB to a file, %s mid-way: exit %d, no output, no temporary file', async (signal, code) => {
      const { r, elapsedMs, before, after } = await interrupt(
        ['decrypt', '--in-dir', p('huge.enc'), '--out', p('huge.out'), '--aes-key-file', key()], signal, () => tempBytes(tmp) > 16 * MiB,
      );
      expect(r.code).toBe(code);
      expect(r.stderr).toBe(`s3-crypto: interrupted by ${signal}; stopped and cleaned up (no output file, temporary file or upload left behind)\n`);
      expect(elapsedMs).toBeLessThan(2000);
      expect(fs.existsSync(p('huge.out'))).toBe(false);
      expect(after).toEqual(before);
    });

    describe('while waiting on AWS KMS or Secrets Manager', () => {
      let server: Server;
      const sockets: Socket[] = [];
      beforeAll(async () => {
        // accepts connections and never answers: a KMS call that would hang until the SDK's timeouts
        server = createServer((s) => sockets.push(s));
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      });
      afterAll(async () => {
        for (const s of sockets) s.destroy();
        await new Promise((resolve) => server.close(resolve));
      });

      it('encrypt with --kms-key-id, SIGINT during GenerateDataKey: exit 130 within 2 s, no out-dir', async () => {
        const port = (server.address() as { port: number }).port;
        const before = tree(tmp);
        const cli = startCli(['encrypt', '--in', p('small.bin'), '--out-dir', p('kms-out'), '--kms-key-id', 'alias/hangs', '--kms-region', 'us-east-1'], {
          env: { AWS_ENDPOINT_URL_KMS: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example' },
        });
        await waitFor('the KMS request', () => sockets.length > 0);
        const sentAt = performance.now();
        cli.child.kill('SIGINT');
        const r = await cli.result;
        expect(r.code).toBe(130);
        expect(r.exitedAt - sentAt).toBeLessThan(2000);
        expect(r.stderr).toMatch(/^s3-crypto: interrupted by SIGINT; stopped and cleaned up/); // the command itself stopped, not the last-resort exit
        expect(tree(tmp)).toEqual(before);
      });

      it('get with --sse-c-secret, SIGTERM during GetSecretValue: exit 143 within 2 s, no file', async () => {
        const port = (server.address() as { port: number }).port;
        const before = tree(tmp);
        const connected = sockets.length;
        const cli = startCli(['get', '--bucket', 'b', '--key', 'k', '--file', p('secret.out'), '--sse-c-secret', 'app/key', '--region', 'us-east-1'], {
          env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example' },
        });
        await waitFor('the Secrets Manager request', () => sockets.length > connected);
        const sentAt = performance.now();
        cli.child.kill('SIGTERM');
        const r = await cli.result;
        expect(r.code).toBe(143);
        expect(r.exitedAt - sentAt).toBeLessThan(2000);
        expect(r.stderr).toMatch(/^s3-crypto: interrupted by SIGTERM; stopped and cleaned up/);
        expect(tree(tmp)).toEqual(before);
      });
    });
  });

  describe('progress on stderr', () => {
    beforeAll(async () => {
      writeData(p('p48.bin'), 48 * MiB);
      expect((await runCli(['encrypt', '--in', p('p48.bin'), '--out-dir', p('p48.enc'), '--aes-key-file', key()])).code).toBe(0);
    });

    it('on a terminal, encrypt and decrypt show bytes, total, percent, rate and ETA, then clear the line', async () => {
      const enc = await runCli(['encrypt', '--in', p('p48.bin'), '--out-dir', p('p48.tty'), '--aes-key-file', key()], { tty: true });
      expect(enc.code).toBe(0);
      const clearToEol = '\u001b[K';
      expect(enc.terminal).toMatch(/\rencrypt p48\.bin {2}\d+\.\d (KiB|MiB) \/ 48\.0 MiB {2}\d+% {2}\d+\.\d (KiB|MiB|GiB)\/s {2}ETA \d+:\d\d/);
      expect(enc.terminal).toContain(`\r${clearToEol}{"in":`); // the line is cleared before the JSON summary
      const dec = await runCli(['decrypt', '--in-dir', p('p48.enc'), '--out', p('p48.out'), '--aes-key-file', key()], { tty: true });
      expect(dec.code).toBe(0);
      expect(dec.terminal).toMatch(/\rdecrypt p48\.enc {2}\d+\.\d (KiB|MiB) \/ 48\.0 MiB {2}\d+% {2}\d+\.\d (KiB|MiB|GiB)\/s {2}ETA \d+:\d\d/);
      expect(sha256File(p('p48.out'))).toBe(sha256File(p('p48.bin')));
    });

    it('on a terminal, nothing with --quiet, and nothing for a small file', async () => {
      const quiet = await runCli(['decrypt', '--in-dir', p('p48.enc'), '--out', p('p48.q'), '--aes-key-file', key(), '--quiet'], { tty: true });
      expect(quiet.code).toBe(0);
      expect(quiet.terminal).not.toMatch(/\r(?!\n)/);
      expect(quiet.terminal.trim()).toBe(JSON.stringify({ inDir: p('p48.enc'), out: p('p48.q'), size: 48 * MiB }));
      const small = await runCli(['encrypt', '--in', p('small.bin'), '--out-dir', p('small.tty'), '--aes-key-file', key()], { tty: true });
      expect(small.code).toBe(0);
      expect(small.terminal).not.toMatch(/\r(?!\n)/); // the terminal ends lines with \r\n; a redraw is a bare \r
    });

    it('when stderr is not a terminal, nothing on stderr', async () => {
      const r = await runCli(['encrypt', '--in', p('p48.bin'), '--out-dir', p('p48.pipe'), '--aes-key-file', key()]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    });
  });

  describe('decrypt --out FILE of any size, in bounded memory, authenticated before the rename', () => {
    const size = 200 * MiB; // over the 64 MiB buffered-authentication limit, and far over the memory bound below
    beforeAll(async () => {
      writeData(p('large.bin'), size);
      expect((await runCli(['encrypt', '--in', p('large.bin'), '--out-dir', p('large.enc'), '--aes-key-file', key()])).code).toBe(0);
      fs.rmSync(p('large.bin')); // keep only its hash
    });

    it('decrypts 200 MiB without a flag; peak RSS grows by far less than the object over a 100 KB decrypt', async () => {
      expect((await runCli(['encrypt', '--in', p('small.bin'), '--out-dir', p('small.enc'), '--aes-key-file', key()])).code).toBe(0);
      const small = await runCli(['decrypt', '--in-dir', p('small.enc'), '--out', p('small.out'), '--aes-key-file', key()], { measurePeakRss: true });
      const large = await runCli(['decrypt', '--in-dir', p('large.enc'), '--out', p('large.out'), '--aes-key-file', key()], { measurePeakRss: true });
      expect({ code: large.code, stderr: large.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(large.stdout.toString())).toEqual({ inDir: p('large.enc'), out: p('large.out'), size });
      expect(sha256File(p('large.out'))).toBe(dataSha256(size));
      expect(fs.statSync(p('large.out')).mode & 0o777).toBe(0o600); // plaintext readable by its owner only
      // buffering the plaintext would add 200 MiB; streaming adds stream buffers and garbage not yet collected (~40 MiB)
      process.stdout.write(`peak RSS: decrypt 100 KB ${small.peakRssMiB!.toFixed(1)} MiB, decrypt 200 MiB ${large.peakRssMiB!.toFixed(1)} MiB\n`);
      expect(large.peakRssMiB! - small.peakRssMiB!).toBeLessThan(100);
      fs.rmSync(p('large.out'));
    });

    it('a tampered 200 MiB object fails at the tag: exit 1, the message names --out, no FILE and no temporary file', async () => {
      const body = p('large.enc', 'body.bin');
      const fd = fs.openSync(body, 'r+');
      const at = fs.statSync(body).size - 100; // near the end: everything before it was already streamed
      const byte = Buffer.alloc(1);
      fs.readSync(fd, byte, 0, 1, at);
      fs.writeSync(fd, Buffer.from([byte[0] ^ 1]), 0, 1, at);
      fs.closeSync(fd);
      const before = tree(tmp);
      const r = await runCli(['decrypt', '--in-dir', p('large.enc'), '--out', p('tampered.out'), '--aes-key-file', key()]);
      expect(r.code).toBe(1);
      expect(oneLine(r)).toHaveLength(1);
      expect(r.stderr).toMatch(/^s3-crypto: The AES-GCM tag of the object body did not verify\. .* --out \S+tampered\.out was not written\. /);
      expect(r.stderr).not.toMatch(/discard everything/);
      expect(r.stderr).not.toMatch(LEAKED_INTERNALS);
      expect(tree(tmp)).toEqual(before);
    });
  });

  describe('bad input: exit code, a message naming the flag and path, nothing left behind', () => {
    beforeAll(async () => {
      fs.mkdirSync(p('a-dir'));
      fs.mkdirSync(p('read-only'), { mode: 0o555 });
      fs.chmodSync(p('read-only'), 0o555);
      expect((await runCli(['encrypt', '--in', p('small.bin'), '--out-dir', p('obj'), '--aes-key-file', key()])).code).toBe(0);
      fs.chmodSync(p('obj'), 0o755);
      for (const f of fs.readdirSync(p('obj'))) fs.chmodSync(p('obj', f), 0o644); // readable by the unprivileged user
    });

    const cases: Array<[string, string[], number, RegExp, { unprivileged?: boolean }?]> = [
      ['encrypt: a missing --in file', ['encrypt', '--in', 'T/nope.bin', '--out-dir', 'T/out1', '--aes-key-file', 'KEY'], 2,
        /^s3-crypto: cannot read --in T\/nope\.bin: no such file or directory \(ENOENT\)$/],
      ['encrypt: --in is a directory', ['encrypt', '--in', 'T/a-dir', '--out-dir', 'T/out2', '--aes-key-file', 'KEY'], 2,
        /^s3-crypto: --in T\/a-dir is a directory; give a file$/],
      ['encrypt: --out-dir is a file', ['encrypt', '--in', 'T/small.bin', '--out-dir', 'T/small.bin', '--aes-key-file', 'KEY'], 2,
        /^s3-crypto: --out-dir T\/small\.bin exists and is not a directory$/],
      ['encrypt: --out-dir cannot be created', ['encrypt', '--in', 'T/small.bin', '--out-dir', 'T/read-only/new/dir', '--aes-key-file', 'KEY'], 2,
        /^s3-crypto: cannot create --out-dir T\/read-only\/new\/dir: permission denied \(EACCES\)$/, { unprivileged: true }],
      ['encrypt: --out-dir is not writable', ['encrypt', '--in', 'T/small.bin', '--out-dir', 'T/read-only', '--aes-key-file', 'KEY'], 2,
        /^s3-crypto: cannot write --out-dir T\/read-only\/body\.bin: cannot create a file in T\/read-only: permission denied \(EACCES\)$/, { unprivileged: true }],
      ['encrypt: a KMS key without AWS credentials', ['encrypt', '--in', 'T/small.bin', '--out-dir', 'T/kms-out', '--kms-key-id', 'alias/none', '--kms-region', 'us-east-1'], 1,
        /^s3-crypto: AWS KMS GenerateDataKey with key alias\/none failed \(.*\)\. Check the key \(--kms-key-id\), its region \(--kms-region\), your credentials/],
      ['encrypt: the input fails while it is read (EIO from /proc/self/mem)', ['encrypt', '--in', '/proc/self/mem', '--out-dir', 'T/eio-out', '--aes-key-file', 'KEY'], 1,
        /^s3-crypto: cannot read --in \/proc\/self\/mem: input\/output error \(EIO\)$/],
      ['encrypt: an unknown option', ['encrypt', '--in', 'T/small.bin', '--out-dir', 'T/out3', '--aes-key-file', 'KEY', '--frobnicate'], 2,
        /^s3-crypto: unknown option --frobnicate \(see s3-crypto encrypt --help\)$/],
      ['encrypt: an option without its value', ['encrypt', '--out-dir', 'T/out4', '--aes-key-file', 'KEY', '--in'], 2,
        /^s3-crypto: --in needs a value \(see s3-crypto encrypt --help\)$/],
      ['encrypt: a bad --format', ['encrypt', '--in', 'T/small.bin', '--out-dir', 'T/out5', '--aes-key-file', 'KEY', '--format', 'v1'], 2,
        /^s3-crypto: --format: Unknown format "v1"; use v3 \(key-committing, the default\) or v2\. \(see s3-crypto encrypt --help\)$/],
      ['encrypt: --format and --commitment-policy disagree', ['encrypt', '--in', 'T/small.bin', '--out-dir', 'T/out8', '--aes-key-file', 'KEY', '--format', 'v2', '--commitment-policy', 'REQUIRE_ENCRYPT_ALLOW_DECRYPT'], 2,
        /^s3-crypto: --format \/ --commitment-policy: Format v2 conflicts with commitment policy REQUIRE_ENCRYPT_ALLOW_DECRYPT/],
      ['encrypt: no key', ['encrypt', '--in', 'T/small.bin', '--out-dir', 'T/out6'], 2,
        /^s3-crypto: Give a key: --aes-key-file FILE, --rsa-public-key\/--rsa-private-key FILE, or --kms-key-id ID\. \(see s3-crypto encrypt --help\)$/],
      ['encrypt: a key file of the wrong size', ['encrypt', '--in', 'T/small.bin', '--out-dir', 'T/out7', '--aes-key-file', 'T/small.bin'], 2,
        /^s3-crypto: --aes-key-file T\/small\.bin must hold a 256-bit AES key/],
      ['decrypt: a missing --in-dir', ['decrypt', '--in-dir', 'T/nowhere', '--out', 'T/o1', '--aes-key-file', 'KEY'], 2,
        /^s3-crypto: cannot read --in-dir T\/nowhere: no such file or directory \(ENOENT\)$/],
      ['decrypt: --in-dir is a file', ['decrypt', '--in-dir', 'T/small.bin', '--out', 'T/o2', '--aes-key-file', 'KEY'], 2,
        /^s3-crypto: --in-dir T\/small\.bin is not a directory/],
      ['decrypt: --in-dir without body.bin', ['decrypt', '--in-dir', 'T/a-dir', '--out', 'T/o3', '--aes-key-file', 'KEY'], 2,
        /^s3-crypto: T\/a-dir\/body\.bin is missing: --in-dir must hold body\.bin and metadata\.json/],
      ['decrypt: --out is a directory', ['decrypt', '--in-dir', 'T/obj', '--out', 'T/a-dir', '--aes-key-file', 'KEY'], 2,
        /^s3-crypto: --out T\/a-dir is a directory; give a file path$/],
      ['decrypt: --out in a missing directory', ['decrypt', '--in-dir', 'T/obj', '--out', 'T/no/such/out.bin', '--aes-key-file', 'KEY'], 2,
        /^s3-crypto: cannot write --out T\/no\/such\/out\.bin: directory T\/no\/such does not exist$/],
      ['decrypt: --out in a directory it may not write', ['decrypt', '--in-dir', 'T/obj', '--out', 'T/read-only/x.out', '--aes-key-file', 'KEY'], 2,
        /^s3-crypto: cannot write --out T\/read-only\/x\.out: cannot create a file in T\/read-only: permission denied \(EACCES\)$/, { unprivileged: true }],
      ['decrypt: the wrong key', ['decrypt', '--in-dir', 'T/obj', '--out', 'T/o4', '--aes-key-file', 'T/other.key'], 1,
        /^s3-crypto: Could not unwrap the object's data key: /],
      ['decrypt: --delayed-authentication is not needed (and not accepted)', ['decrypt', '--in-dir', 'T/obj', '--out', 'T/o5', '--aes-key-file', 'KEY', '--delayed-authentication'], 2,
        /^s3-crypto: unknown option --delayed-authentication \(see s3-crypto decrypt --help\)$/],
      ['decrypt: a public key cannot decrypt', ['decrypt', '--in-dir', 'T/obj', '--out', 'T/o6', '--rsa-public-key', 'KEY'], 2,
        /^s3-crypto: unknown option --rsa-public-key /],
    ];

    it.each(cases)('%s', async (_name, argv, code, message, options = {}) => {
      const args = argv.map((a) => (a === 'KEY' ? key() : a.replace(/^T\//, `${tmp}/`)));
      const before = tree(tmp);
      const r = await runCli(args, options);
      const stderr = r.stderr.split(tmp).join('T');
      expect({ code: r.code, lines: stderr.trim().split('\n').length }).toEqual({ code, lines: 1 });
      expect(stderr.trim()).toMatch(message);
      expect(stderr).not.toMatch(LEAKED_INTERNALS);
      expect(r.stdout.length).toBe(0);
      expect(tree(tmp)).toEqual(before);
    });
  });
});
