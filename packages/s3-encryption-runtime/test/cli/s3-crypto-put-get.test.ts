import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliInProcess } from '../support/cli-runner';

/** Runs the CLI in-process and captures its output. */
const cli = (...argv: string[]) => runCliInProcess(argv);

const dir = mkdtempSync(join(tmpdir(), 's3-crypto-cli-'));
const keyBytes = Buffer.alloc(32, 0x5a);
const keyFile = join(dir, 'key.b64');
writeFileSync(keyFile, `${keyBytes.toString('base64')}\n`);
const shortKeyFile = join(dir, 'short.bin');
writeFileSync(shortKeyFile, Buffer.alloc(16, 1));
const where = ['--bucket', 'b', '--key', 'k'];

describe('s3-crypto put/get: command line handling (no server needed)', () => {
  it('prints usage with the command list; no command is a usage error (exit 2)', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/put +upload/);
    expect(help.stdout).toMatch(/get +download/);
    expect((await cli()).code).toBe(2);
    const put = await cli('put', '--help');
    expect(put.stdout).toMatch(/--sse-c-key-file FILE/);
    expect(put.stdout).toMatch(/--sse-c-secret ID/);
  });

  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['put', '--key', 'k', '--sse-c-key-file', keyFile], /--bucket is required/],
    [['put', ...where, '--no-such-flag'], /unknown option --no-such-flag \(see s3-crypto put --help\)/],
    [['get', ...where], /a key is required: --sse-c-key-file, --sse-c-secret, --aes-key-file, --rsa-private-key, --kms-key-id \(see/],
    [['get', ...where, '--sse-c-key-file', keyFile, '--sse-c-secret', 's'], /either --sse-c-key-file or --sse-c-secret/],
    [['get', ...where, '--sse-c-secret-stage', 'AWSPREVIOUS'], /--sse-c-secret-stage needs --sse-c-secret/],
    [['get', ...where, '--sse-c-key-file', join(dir, 'missing.bin')], /cannot read --sse-c-key-file .*ENOENT/],
  ])('%j is a one-line usage error with exit 2', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a key of the wrong length fails with a one-line reason naming the bit length (exit 1)', async () => {
    const r = await cli('get', ...where, '--sse-c-key-file', shortKeyFile, '--endpoint', 'https://127.0.0.1:1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^s3-crypto: SSE-C keys must be exactly 256 bits \(32 bytes\); key file .*short.bin gave 128 bits/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a plain-HTTP endpoint before sending anything (exit 2, naming --endpoint, not an API option), and never prints the key', async () => {
    const r = await cli('put', ...where, '--file', keyFile, '--sse-c-key-file', keyFile, '--endpoint', 'http://127.0.0.1:1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^s3-crypto: refusing --endpoint http:\/\/127\.0\.0\.1:1: plain HTTP would send encryption keys unencrypted; give an https:\/\/ URL/);
    expect(r.stderr).not.toMatch(/allowInsecureHttp/);
    for (const form of [keyBytes.toString('base64'), keyBytes.toString('hex')]) {
      expect(r.stderr).not.toContain(form);
      expect(r.stdout).not.toContain(form);
    }
  });
});
