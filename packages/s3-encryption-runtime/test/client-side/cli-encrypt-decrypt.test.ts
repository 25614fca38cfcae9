import { createCipheriv, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BufferLimitExceededError, ClientSideEncryption, ContentAuthenticationError, EncryptionContextMismatchError, KmsKeyring,
  LegacyModeDisabledError, RawAesKeyring,
} from '../../src';
import { commandHelp } from '../../src/cli/command';
import { decryptFromDirectory } from '../../src/cli/commands/decrypt';
import { commands } from '../../src/cli/main';
import { mergeGroups, parseOptions } from '../../src/cli/options';
import { runCliInProcess } from '../support/cli-runner';
import { FakeKms } from './support/fake-kms';
import { rsaKeyPair, testKmsClient } from './support/keyrings';
import { seededBytes } from './support/harness';

describe('s3-crypto encrypt / decrypt (offline)', () => {
  let tmp: string;
  let kms: FakeKms;
  /** Runs `s3-crypto` in-process through the real dispatch table; KMS calls reach the FakeKms. */
  const cli = (...argv: string[]) => runCliInProcess(argv);
  /** Like cli(), but expects success and returns the parsed JSON summary. */
  async function ok(...argv: string[]) {
    const r = await cli(...argv);
    if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }
  const p = (...parts: string[]) => path.join(tmp, ...parts);
  const input = () => p('plain.bin');
  const aesKey = randomBytes(32);

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 's3-crypto-cli-'));
    fs.writeFileSync(input(), seededBytes(3, 100_003));
    fs.writeFileSync(p('aes.key'), aesKey);
    fs.writeFileSync(p('aes.b64'), `${aesKey.toString('base64')}\n`);
    const { publicKey, privateKey } = rsaKeyPair();
    fs.writeFileSync(p('rsa.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    fs.writeFileSync(p('rsa.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    kms = new FakeKms();
  });
  afterEach(() => {
    kms.restore();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const leftovers = (dir: string) => fs.readdirSync(dir).filter((f) => f.startsWith('.'));
  const KMS = ['--kms-region', 'us-east-1'];

  it('both commands are in the dispatch table, and every command\'s help and parser agree option for option', async () => {
    const help = await cli('--help');
    expect(help.stdout).toMatch(/encrypt +encrypt a file offline/);
    expect(help.stdout).toMatch(/decrypt +decrypt an object/);
    for (const command of commands()) {
      const text = commandHelp(command);
      const documented = [...new Set(text.match(/(?<=^\s+)--[a-z-]+/gm))].sort();
      const accepted = Object.keys(mergeGroups(command.optionGroups)).map((o) => `--${o}`).sort();
      expect({ command: command.name, documented }).toEqual({ command: command.name, documented: accepted });
      for (const flag of documented) {
        const def = mergeGroups(command.optionGroups)[flag.slice(2)];
        expect(() => parseOptions(def.type === 'string' ? [flag, 'x'] : [flag], command.optionGroups)).not.toThrow();
      }
    }
  });

  it.each([
    ['v3, object metadata', [], ['body.bin', 'metadata.json'], 'x-amz-3'],
    ['v2, object metadata', ['--format', 'v2'], ['body.bin', 'metadata.json'], 'x-amz-key-v2'],
    ['v3, instruction file', ['--instruction-file'], ['body.bin', 'instruction.json', 'metadata.json'], 'x-amz-c'],
    ['v2 via the policy, instruction file', ['--commitment-policy', 'FORBID_ENCRYPT_ALLOW_DECRYPT', '--instruction-file'], ['body.bin', 'instruction.json', 'metadata.json'], undefined],
  ])('AES key (%s): writes the S3 representation and decrypts it back', async (_n, extra, files, marker) => {
    const summary = await ok('encrypt', '--in', input(), '--out-dir', p('obj'), '--aes-key-file', p('aes.key'), ...extra);
    expect(summary).toMatchObject({ bodyBytes: 100_003 + 16, format: marker === 'x-amz-key-v2' || !marker ? 'v2' : 'v3' });
    expect(fs.readdirSync(p('obj')).sort()).toEqual(files);
    expect(fs.statSync(p('obj', 'body.bin')).size).toBe(100_003 + 16);
    const metadata = JSON.parse(fs.readFileSync(p('obj', 'metadata.json'), 'utf8'));
    if (marker) expect(Object.keys(metadata)).toContain(marker);
    else expect(metadata).toEqual({});
    // the base64 form of the same key decrypts it
    expect(await ok('decrypt', '--in-dir', p('obj'), '--out', p('out.bin'), '--aes-key-file', p('aes.b64'))).toMatchObject({ size: 100_003 });
    expect(fs.readFileSync(p('out.bin')).equals(fs.readFileSync(input()))).toBe(true);
    // and so does the library, from the same files
    const lib = new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: aesKey }) });
    const instructionFile = files.includes('instruction.json') ? fs.readFileSync(p('obj', 'instruction.json'), 'utf8') : undefined;
    expect((await lib.decrypt({ body: fs.readFileSync(p('obj', 'body.bin')), metadata, instructionFile })).equals(fs.readFileSync(input()))).toBe(true);
    expect(leftovers(p('obj'))).toEqual([]);
  });

  it('RSA: public key encrypts, private key decrypts; decrypt takes no public key', async () => {
    await ok('encrypt', '--in', input(), '--out-dir', p('obj'), '--rsa-public-key', p('rsa.pub.pem'));
    const pubOnly = await cli('decrypt', '--in-dir', p('obj'), '--out', p('out.bin'), '--rsa-public-key', p('rsa.pub.pem'));
    expect(pubOnly.code).toBe(2);
    expect(pubOnly.stderr).toMatch(/unknown option --rsa-public-key/);
    await ok('decrypt', '--in-dir', p('obj'), '--out', p('out.bin'), '--rsa-private-key', p('rsa.pem'));
    expect(fs.readFileSync(p('out.bin')).equals(fs.readFileSync(input()))).toBe(true);
  });

  it('KMS with --context: the same context decrypts, another one fails before KMS Decrypt and writes nothing', async () => {
    const keyId = kms.createKey('alias/cli');
    await ok('encrypt', '--in', input(), '--out-dir', p('obj'), '--kms-key-id', 'alias/cli', ...KMS, '--context', 'team=data', '--context', 'note=a=b');
    expect(JSON.parse(JSON.parse(fs.readFileSync(p('obj', 'metadata.json'), 'utf8'))['x-amz-t'])).toEqual({ team: 'data', note: 'a=b', 'aws:x-amz-cek-alg': '115' });
    const wrong = await cli('decrypt', '--in-dir', p('obj'), '--out', p('out.bin'), '--kms-key-id', keyId, ...KMS, '--context', 'team=other');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/encryption context does not match/);
    expect(fs.existsSync(p('out.bin'))).toBe(false);
    expect(kms.requests.filter((r) => r.op === 'Decrypt')).toHaveLength(0);
    await ok('decrypt', '--in-dir', p('obj'), '--out', p('out.bin'), '--kms-key-id', keyId, ...KMS, '--context', 'note=a=b', '--context', 'team=data');
    expect(fs.readFileSync(p('out.bin')).equals(fs.readFileSync(input()))).toBe(true);
    // the library-level function reports the typed error
    const client = new ClientSideEncryption({ keyring: new KmsKeyring({ client: testKmsClient(), keyId }) });
    await expect(decryptFromDirectory(client, p('obj'), p('out2.bin'), { encryptionContext: {} })).rejects.toBeInstanceOf(EncryptionContextMismatchError);
  });

  it('a tampered body.bin fails with a typed error and leaves no output file nor temporary file', async () => {
    await ok('encrypt', '--in', input(), '--out-dir', p('obj'), '--aes-key-file', p('aes.key'));
    const body = fs.readFileSync(p('obj', 'body.bin'));
    body[500] ^= 1;
    fs.writeFileSync(p('obj', 'body.bin'), body);
    const r = await cli('decrypt', '--in-dir', p('obj'), '--out', p('out.bin'), '--aes-key-file', p('aes.key'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/GCM tag of the object body did not verify\..* --out \S+out\.bin was not written\./);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(p('out.bin'))).toBe(false);
    expect(leftovers(tmp)).toEqual([]);
    // the library function, with either authentication mode, reports the typed error and writes nothing
    for (const enableDelayedAuthentication of [false, true]) {
      const client = new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: aesKey }), enableDelayedAuthentication });
      await expect(decryptFromDirectory(client, p('obj'), p('out.bin'))).rejects.toBeInstanceOf(ContentAuthenticationError);
      expect(fs.existsSync(p('out.bin'))).toBe(false);
      expect(leftovers(tmp)).toEqual([]);
    }
  });

  it('decrypt to a file needs no buffer flags; the library function still honours a buffered client\'s limit before reading', async () => {
    await ok('encrypt', '--in', input(), '--out-dir', p('obj'), '--aes-key-file', p('aes.key'));
    const r = await cli('decrypt', '--in-dir', p('obj'), '--out', p('out.bin'), '--aes-key-file', p('aes.key'), '--buffer-size', '64KiB');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option --buffer-size/);
    const client = new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: aesKey }), bufferSize: 65536 });
    await expect(decryptFromDirectory(client, p('obj'), p('out.bin'))).rejects.toBeInstanceOf(BufferLimitExceededError);
    expect(fs.existsSync(p('out.bin'))).toBe(false);
    await ok('decrypt', '--in-dir', p('obj'), '--out', p('out.bin'), '--aes-key-file', p('aes.key'));
    expect(fs.statSync(p('out.bin')).size).toBe(100_003);
  });

  it('re-encrypting into the same directory without --instruction-file removes the stale instruction.json', async () => {
    await ok('encrypt', '--in', input(), '--out-dir', p('obj'), '--aes-key-file', p('aes.key'), '--instruction-file', '--format', 'v2');
    await ok('encrypt', '--in', input(), '--out-dir', p('obj'), '--aes-key-file', p('aes.key'));
    expect(fs.readdirSync(p('obj')).sort()).toEqual(['body.bin', 'metadata.json']);
  });

  it('--legacy reads a V1 (AES-ECB wrap, AES-CBC) object; without it the error names the fix', async () => {
    const dataKey = randomBytes(32);
    const iv = randomBytes(16);
    const ecb = createCipheriv('aes-256-ecb', aesKey, null);
    const cbc = createCipheriv('aes-256-cbc', dataKey, iv);
    fs.mkdirSync(p('v1'));
    fs.writeFileSync(p('v1', 'body.bin'), Buffer.concat([cbc.update('legacy!'), cbc.final()]));
    fs.writeFileSync(p('v1', 'metadata.json'), JSON.stringify({
      'x-amz-key': Buffer.concat([ecb.update(dataKey), ecb.final()]).toString('base64'), 'x-amz-iv': iv.toString('base64'), 'x-amz-matdesc': '{}',
    }));
    const refused = await cli('decrypt', '--in-dir', p('v1'), '--out', p('out.txt'), '--aes-key-file', p('aes.key'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/If you trust the writers of this bucket, pass --legacy to read it/);
    expect(refused.stderr).not.toMatch(/enableLegacy/);
    const client = new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: aesKey }) });
    await expect(decryptFromDirectory(client, p('v1'), p('out.txt'))).rejects.toBeInstanceOf(LegacyModeDisabledError);
    await ok('decrypt', '--in-dir', p('v1'), '--out', p('out.txt'), '--aes-key-file', p('aes.key'), '--legacy');
    expect(fs.readFileSync(p('out.txt'), 'utf8')).toBe('legacy!');
  });

  it.each([
    ['no key', ['--in', 'IN', '--out-dir', 'y'], /Give a key/],
    ['two keys', ['--in', 'IN', '--out-dir', 'y', '--aes-key-file', 'AESKEY', '--kms-key-id', 'k'], /exactly one kind of key/],
    ['--context without KMS', ['--in', 'IN', '--out-dir', 'y', '--aes-key-file', 'AESKEY', '--context', 'a=b'], /KMS keys only/],
    ['a bad --context', ['--in', 'IN', '--out-dir', 'y', '--kms-key-id', 'k', '--context', 'novalue'], /key=value/],
    ['an unknown format', ['--in', 'IN', '--out-dir', 'y', '--aes-key-file', 'AESKEY', '--format', 'v1'], /use v3/],
    ['format and policy disagree', ['--in', 'IN', '--out-dir', 'y', '--aes-key-file', 'AESKEY', '--format', 'v2', '--commitment-policy', 'REQUIRE_ENCRYPT_ALLOW_DECRYPT'], /conflicts/],
    ['an unknown option', ['--in', 'IN', '--out-dir', 'y', '--frobnicate'], /unknown option --frobnicate/],
    ['a missing --in', ['--out-dir', 'y', '--aes-key-file', 'AESKEY'], /--in is required/],
    ['a missing input file', ['--in', 'nope', '--out-dir', 'y', '--aes-key-file', 'AESKEY'], /cannot read --in .*ENOENT/],
    ['a key file of the wrong size', ['--in', 'IN', '--out-dir', 'y', '--aes-key-file', 'SHORTKEY'], /32 raw bytes/],
    ['a missing key file', ['--in', 'IN', '--out-dir', 'y', '--aes-key-file', 'nope'], /cannot read --aes-key-file .*nope: no such file or directory \(ENOENT\)/],
  ])('encrypt rejects %s as a one-line usage error (exit 2) and writes nothing', async (_n, argv, message) => {
    fs.writeFileSync(p('short.key'), randomBytes(16));
    const map: Record<string, string> = { IN: input(), AESKEY: p('aes.key'), SHORTKEY: p('short.key'), nope: p('nope'), y: p('y') };
    const r = await cli('encrypt', ...argv.map((a) => map[a] ?? a));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(p('y'))).toBe(false);
  });

  it('decrypt reports missing directory content and a malformed metadata.json', async () => {
    fs.mkdirSync(p('empty'));
    const missing = await cli('decrypt', '--in-dir', p('empty'), '--out', p('o'), '--aes-key-file', p('aes.key'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/body\.bin is missing/);
    fs.writeFileSync(p('empty', 'body.bin'), Buffer.alloc(20));
    fs.writeFileSync(p('empty', 'metadata.json'), '["not", "a map"]');
    expect((await cli('decrypt', '--in-dir', p('empty'), '--out', p('o'), '--aes-key-file', p('aes.key'))).stderr).toMatch(/JSON object of string values/);
    fs.writeFileSync(p('empty', 'metadata.json'), '{}');
    const noFile = await cli('decrypt', '--in-dir', p('empty'), '--out', p('o'), '--aes-key-file', p('aes.key'));
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toMatch(/instruction file \(".*instruction\.json"\) was not found/);
  });

  it('never prints the AES key, even when a message would quote the key file contents', async () => {
    const r = await cli('decrypt', '--in-dir', p('nowhere'), '--out', p('o'), '--aes-key-file', p('aes.b64'));
    expect(r.code).toBe(2);
    for (const enc of [aesKey.toString('base64'), aesKey.toString('hex')]) expect(r.stderr + r.stdout).not.toContain(enc);
  });
});
