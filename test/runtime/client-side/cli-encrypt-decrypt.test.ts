import { createCipheriv, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BufferLimitExceededError, ClientSideConfigurationError, ClientSideEncryption, ContentAuthenticationError, EncryptionContextMismatchError,
  LegacyModeDisabledError, RawAesKeyring, S3EncryptionError,
} from '../../../lib/runtime';
import { decryptCommand } from '../../../lib/runtime/cli/commands/decrypt';
import { encryptCommand } from '../../../lib/runtime/cli/commands/encrypt';
import { FakeKms } from './support/fake-kms';
import { rsaKeyPair, testKmsClient } from './support/keyrings';
import { seededBytes } from './support/harness';

describe('s3-crypto encrypt / decrypt (offline)', () => {
  let tmp: string;
  let kms: FakeKms;
  const lines: string[] = [];
  const deps = () => ({ kmsClient: testKmsClient(), log: (l: string) => lines.push(l) });
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
    lines.length = 0;
  });
  afterEach(() => {
    kms.restore();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const leftovers = (dir: string) => fs.readdirSync(dir).filter((f) => f.includes('.tmp-'));

  it.each([
    ['v3, object metadata', [], ['body.bin', 'metadata.json'], 'x-amz-3'],
    ['v2, object metadata', ['--format', 'v2'], ['body.bin', 'metadata.json'], 'x-amz-key-v2'],
    ['v3, instruction file', ['--instruction-file'], ['body.bin', 'instruction.json', 'metadata.json'], 'x-amz-c'],
    ['v2 via the policy, instruction file', ['--commitment-policy', 'FORBID_ENCRYPT_ALLOW_DECRYPT', '--instruction-file'], ['body.bin', 'instruction.json', 'metadata.json'], undefined],
  ])('AES key (%s): writes the S3 representation and decrypts it back', async (_n, extra, files, marker) => {
    await encryptCommand(['--in', input(), '--out-dir', p('obj'), '--aes-key-file', p('aes.key'), ...extra], deps());
    expect(fs.readdirSync(p('obj')).sort()).toEqual(files);
    expect(fs.statSync(p('obj', 'body.bin')).size).toBe(100_003 + 16);
    const metadata = JSON.parse(fs.readFileSync(p('obj', 'metadata.json'), 'utf8'));
    if (marker) expect(Object.keys(metadata)).toContain(marker);
    else expect(metadata).toEqual({});
    // the base64 form of the same key decrypts it
    await decryptCommand(['--in-dir', p('obj'), '--out', p('out.bin'), '--aes-key-file', p('aes.b64')], deps());
    expect(fs.readFileSync(p('out.bin')).equals(fs.readFileSync(input()))).toBe(true);
    // and so does the library, from the same files
    const lib = new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: aesKey }) });
    const instructionFile = files.includes('instruction.json') ? fs.readFileSync(p('obj', 'instruction.json'), 'utf8') : undefined;
    expect((await lib.decrypt({ body: fs.readFileSync(p('obj', 'body.bin')), metadata, instructionFile })).equals(fs.readFileSync(input()))).toBe(true);
    expect(lines.join('\n')).toMatch(/encrypted .* -> /);
    expect(leftovers(p('obj'))).toEqual([]);
  });

  it('RSA: public key encrypts, private key decrypts; a public key alone cannot decrypt', async () => {
    await encryptCommand(['--in', input(), '--out-dir', p('obj'), '--rsa-public-key', p('rsa.pub.pem')], deps());
    await expect(decryptCommand(['--in-dir', p('obj'), '--out', p('out.bin'), '--rsa-public-key', p('rsa.pub.pem')], deps())).rejects.toThrow(/no private key/);
    await decryptCommand(['--in-dir', p('obj'), '--out', p('out.bin'), '--rsa-private-key', p('rsa.pem')], deps());
    expect(fs.readFileSync(p('out.bin')).equals(fs.readFileSync(input()))).toBe(true);
  });

  it('KMS with --context: the same context decrypts, another one fails before KMS Decrypt and writes nothing', async () => {
    const keyId = kms.createKey('alias/cli');
    await encryptCommand(['--in', input(), '--out-dir', p('obj'), '--kms-key-id', 'alias/cli', '--context', 'team=data', '--context', 'note=a=b'], deps());
    expect(JSON.parse(JSON.parse(fs.readFileSync(p('obj', 'metadata.json'), 'utf8'))['x-amz-t'])).toEqual({ team: 'data', note: 'a=b', 'aws:x-amz-cek-alg': '115' });
    await expect(decryptCommand(['--in-dir', p('obj'), '--out', p('out.bin'), '--kms-key-id', keyId, '--context', 'team=other'], deps())).rejects.toBeInstanceOf(EncryptionContextMismatchError);
    expect(fs.existsSync(p('out.bin'))).toBe(false);
    expect(kms.requests.filter((r) => r.op === 'Decrypt')).toHaveLength(0);
    await decryptCommand(['--in-dir', p('obj'), '--out', p('out.bin'), '--kms-key-id', keyId, '--context', 'note=a=b', '--context', 'team=data'], deps());
    expect(fs.readFileSync(p('out.bin')).equals(fs.readFileSync(input()))).toBe(true);
  });

  it('a tampered body.bin fails with a typed error and leaves no output file, in both authentication modes', async () => {
    await encryptCommand(['--in', input(), '--out-dir', p('obj'), '--aes-key-file', p('aes.key')], deps());
    const body = fs.readFileSync(p('obj', 'body.bin'));
    body[500] ^= 1;
    fs.writeFileSync(p('obj', 'body.bin'), body);
    for (const extra of [[], ['--delayed-authentication']]) {
      await expect(decryptCommand(['--in-dir', p('obj'), '--out', p('out.bin'), '--aes-key-file', p('aes.key'), ...extra], deps())).rejects.toBeInstanceOf(ContentAuthenticationError);
      expect(fs.existsSync(p('out.bin'))).toBe(false);
      expect(leftovers(tmp)).toEqual([]);
    }
  });

  it('--buffer-size is enforced before reading; --delayed-authentication streams past it', async () => {
    await encryptCommand(['--in', input(), '--out-dir', p('obj'), '--aes-key-file', p('aes.key')], deps());
    await expect(decryptCommand(['--in-dir', p('obj'), '--out', p('out.bin'), '--aes-key-file', p('aes.key'), '--buffer-size', '64KiB'], deps())).rejects.toBeInstanceOf(BufferLimitExceededError);
    expect(fs.existsSync(p('out.bin'))).toBe(false);
    await decryptCommand(['--in-dir', p('obj'), '--out', p('out.bin'), '--aes-key-file', p('aes.key'), '--delayed-authentication'], deps());
    expect(fs.statSync(p('out.bin')).size).toBe(100_003);
  });

  it('re-encrypting into the same directory without --instruction-file removes the stale instruction.json', async () => {
    await encryptCommand(['--in', input(), '--out-dir', p('obj'), '--aes-key-file', p('aes.key'), '--instruction-file', '--format', 'v2'], deps());
    await encryptCommand(['--in', input(), '--out-dir', p('obj'), '--aes-key-file', p('aes.key')], deps());
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
    await expect(decryptCommand(['--in-dir', p('v1'), '--out', p('out.txt'), '--aes-key-file', p('aes.key')], deps())).rejects.toThrow(LegacyModeDisabledError);
    await expect(decryptCommand(['--in-dir', p('v1'), '--out', p('out.txt'), '--aes-key-file', p('aes.key')], deps())).rejects.toThrow(/--legacy/);
    await decryptCommand(['--in-dir', p('v1'), '--out', p('out.txt'), '--aes-key-file', p('aes.key'), '--legacy'], deps());
    expect(fs.readFileSync(p('out.txt'), 'utf8')).toBe('legacy!');
  });

  it.each([
    ['no key', ['--in', 'x', '--out-dir', 'y'], /Give a key/],
    ['two keys', ['--in', 'x', '--out-dir', 'y', '--aes-key-file', 'k', '--kms-key-id', 'k'], /exactly one kind of key/],
    ['--context without KMS', ['--in', 'x', '--out-dir', 'y', '--aes-key-file', 'k', '--context', 'a=b'], /KMS keys only/],
    ['a bad --context', ['--in', 'x', '--out-dir', 'y', '--kms-key-id', 'k', '--context', 'novalue'], /key=value/],
    ['an unknown format', ['--in', 'x', '--out-dir', 'y', '--aes-key-file', 'k', '--format', 'v1'], /use v3/],
    ['format and policy disagree', ['--in', 'x', '--out-dir', 'y', '--aes-key-file', 'AESKEY', '--format', 'v2', '--commitment-policy', 'REQUIRE_ENCRYPT_ALLOW_DECRYPT'], /conflicts/],
    ['an unknown option', ['--in', 'x', '--out-dir', 'y', '--frobnicate'], /Usage: s3-crypto encrypt/],
    ['a missing --in', ['--out-dir', 'y', '--aes-key-file', 'k'], /needs --in FILE/],
    ['a key file of the wrong size', ['--in', 'x', '--out-dir', 'y', '--aes-key-file', 'SHORTKEY'], /32 raw bytes/],
    ['a missing key file', ['--in', 'x', '--out-dir', 'y', '--aes-key-file', 'nope'], /Cannot read the AES key file/],
  ])('encrypt rejects %s with a typed error', async (_n, argv, message) => {
    fs.writeFileSync(p('short.key'), randomBytes(16));
    const args = argv.map((a) => (a === 'AESKEY' ? p('aes.key') : a === 'SHORTKEY' ? p('short.key') : a === 'nope' ? p('nope') : a));
    const err = await encryptCommand(args, deps()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3EncryptionError);
    expect(err).toBeInstanceOf(ClientSideConfigurationError);
    expect((err as Error).message).toMatch(message);
  });

  it('decrypt reports a missing directory content and a malformed metadata.json with typed errors', async () => {
    fs.mkdirSync(p('empty'));
    await expect(decryptCommand(['--in-dir', p('empty'), '--out', p('o'), '--aes-key-file', p('aes.key')], deps())).rejects.toThrow(/body\.bin is missing/);
    fs.writeFileSync(p('empty', 'body.bin'), Buffer.alloc(20));
    fs.writeFileSync(p('empty', 'metadata.json'), '["not", "a map"]');
    await expect(decryptCommand(['--in-dir', p('empty'), '--out', p('o'), '--aes-key-file', p('aes.key')], deps())).rejects.toThrow(/JSON object of string values/);
    fs.writeFileSync(p('empty', 'metadata.json'), '{}');
    await expect(decryptCommand(['--in-dir', p('empty'), '--out', p('o'), '--aes-key-file', p('aes.key')], deps())).rejects.toThrow(/instruction file \(".*instruction\.json"\) was not found/);
  });

  it('--help prints the usage with every key option', async () => {
    await encryptCommand(['--help'], deps());
    await decryptCommand(['--help'], deps());
    for (const opt of ['--aes-key-file', '--rsa-public-key', '--rsa-private-key', '--kms-key-id', '--context', '--format', '--commitment-policy', '--legacy', '--instruction-file']) {
      expect(lines[0]).toContain(opt);
      expect(lines[1]).toContain(opt);
    }
  });
});
