/**
 * Interop with an AWS-written peer: the Ruby SDK's Aws::S3::EncryptionV2::Client (Debian's
 * ruby-aws-sdk-s3 + ruby-aws-sdk-kms, installed by scripts/install-test-packages.sh).
 *
 * The exchange goes through the same radosgw (test/integ/support): our S3EncryptionClient writes V2
 * objects that the Ruby client reads with its real S3 code path (metadata headers, the instruction-file
 * GET, the ranged GET of the tag, AES-GCM/RSA-OAEP/KMS unwrapping), and the Ruby client writes objects
 * that we read. Only KMS is stubbed on the Ruby side, with the SDK's own stub_responses, consistently
 * with our fake KMS (test/interop/ruby/s3ec_peer.rb explains how).
 *
 * Skipped, with the reason printed, when ruby or the gems (or the S3 server) are missing; under CI=true
 * it fails instead.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DecryptCommand } from '@aws-sdk/client-kms';
import {
  ClientSideEncryption,
  ContentFormat,
  type Keyring,
  KmsKeyring,
  MetadataStrategy,
  RawAesKeyring,
  RawRsaKeyring,
  S3EncryptionClient,
} from '../../src';
import { s3TestServer, s3UnavailableReason } from '../integ/support/s3-test-server';
import { MiB, patternBuffer, sha256 } from '../integ/support/test-data';
import { describeWhenAvailable } from '../support/environment-gate';
import { FakeKms } from '../client-side/support/fake-kms';
import { rsaKeyPair, testKmsClient } from '../client-side/support/keyrings';
import { exists, rawGet } from '../client-side/support/s3-fixtures';

const PEER = join(__dirname, 'ruby', 's3ec_peer.rb');
type Wrap = 'aes' | 'rsa' | 'kms';
type Location = 'metadata' | 'instruction_file';
const WRAPS: Wrap[] = ['aes', 'rsa', 'kms'];
const LOCATIONS: Location[] = ['metadata', 'instruction_file'];
const SIZES = [0, 1, 16, MiB + 7];
const USER_CONTEXT = { department: 'interop', 'région': 'eu-ouest-ü' }; // non-ASCII travels as \u escapes

interface PeerOutput {
  peer: { ruby: string; aws_sdk_s3: string; aws_sdk_kms: string; encryption_v2: boolean; encryption_v3: boolean };
  kms_requests: Array<{ op: string; key_id?: string; encryption_context: Record<string, string> }>;
  results: Array<{ key: string; ok: boolean; size?: number; sha256?: string; error?: string; message?: string }>;
}

/** Why the Ruby peer cannot run here, or undefined. */
function rubyUnavailableReason(): string | undefined {
  try {
    execFileSync('ruby', ['-e', 'require "aws-sdk-s3"; require "aws-sdk-kms"; exit(defined?(Aws::S3::EncryptionV2::Client) ? 0 : 3)'], { stdio: 'pipe', timeout: 60_000 });
    return undefined;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { status?: number; stderr?: Buffer };
    if (e.code === 'ENOENT') return 'ruby is not installed: run `sudo bash scripts/install-test-packages.sh` (Debian packages ruby, ruby-aws-sdk-s3, ruby-aws-sdk-kms)';
    if (e.status === 3) return 'the installed aws-sdk-s3 gem has no Aws::S3::EncryptionV2::Client';
    return `the Ruby gems aws-sdk-s3/aws-sdk-kms cannot be loaded (${(e.stderr?.toString() ?? e.message).split('\n')[0]}): run \`sudo bash scripts/install-test-packages.sh\``;
  }
}

const describePeer = (name: string, fn: () => void): void =>
  describeWhenAvailable(name, {
    needs: 'the Ruby peer and a real S3 server',
    unavailableReason: s3UnavailableReason() ?? rubyUnavailableReason(),
    timeoutMs: 300_000,
  }, fn);

describePeer('interop with the Ruby SDK Aws::S3::EncryptionV2::Client through radosgw', () => {
  const kms = new FakeKms();
  const kmsKeyId = kms.createKey();
  const aesKey = randomBytes(32);
  const { privateKey } = rsaKeyPair();
  const keyrings: Record<Wrap, () => Keyring> = {
    aes: () => new RawAesKeyring({ wrappingKey: aesKey }),
    rsa: () => new RawRsaKeyring({ privateKey }),
    kms: () => new KmsKeyring({ client: testKmsClient(), keyId: kmsKeyId }),
  };
  const ourKey = (wrap: Wrap, location: Location, size: number | string) => `ours/${wrap}/${location}/${size}`;
  const rubyKey = (wrap: Wrap, location: Location, size: number) => `ruby/${wrap}/${location}/${size}`;
  const contextFor = (wrap: Wrap) => (wrap === 'kms' ? USER_CONTEXT : undefined);
  let bucket: string;
  let dir: string;
  let output: PeerOutput;
  const byKey = (key: string) => output.results.find((r) => r.key === key)!; // the first result for the key

  beforeAll(async () => {
    const s3 = s3TestServer();
    bucket = await s3.createBucket('cse-ruby-interop');
    dir = mkdtempSync(join(tmpdir(), 'ruby-peer-'));
    const decryptEntries: Array<{ ciphertext: string; plaintext: string; encryption_context: Record<string, string>; key_id: string }> = [];
    const generateEntries: typeof decryptEntries = [];
    const operations: Array<Record<string, unknown>> = [];

    // our V2 objects, for Ruby to read
    const write = async (wrap: Wrap, location: Location, key: string, plaintext: Buffer, partSize?: number) => {
      const client = new S3EncryptionClient({
        client: s3.client,
        encryption: new ClientSideEncryption({
          keyring: keyrings[wrap](),
          format: ContentFormat.V2,
          metadataStrategy: location === 'metadata' ? MetadataStrategy.OBJECT_METADATA : MetadataStrategy.INSTRUCTION_FILE,
        }),
        ...(partSize ? { partSize } : {}),
      });
      await client.putObject({ bucket, key, body: plaintext, encryptionContext: contextFor(wrap) });
      if (wrap === 'kms') {
        // the data key, as the fake KMS decrypts it: Ruby's stubbed Decrypt accepts exactly this blob and context
        const envelope = location === 'metadata'
          ? (await rawGet(s3.client, bucket, key)).metadata
          : JSON.parse((await rawGet(s3.client, bucket, `${key}.instruction`)).body.toString('utf8'));
        const blob = Buffer.from(envelope['x-amz-key-v2'], 'base64');
        const context = JSON.parse(envelope['x-amz-matdesc']) as Record<string, string>;
        const out = await testKmsClient().send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context, KeyId: kmsKeyId }));
        decryptEntries.push({ ciphertext: blob.toString('base64'), plaintext: Buffer.from(out.Plaintext!).toString('base64'), encryption_context: context, key_id: kmsKeyId });
      }
      operations.push({ op: 'get', key, wrap, location, ...(wrap === 'kms' ? { kms_encryption_context: USER_CONTEXT, kms_key: 'any' } : {}) });
    };
    for (const wrap of WRAPS) {
      for (const location of LOCATIONS) {
        for (const size of SIZES) {
          await write(wrap, location, ourKey(wrap, location, size), patternBuffer(size, ourKey(wrap, location, size)));
          // Ruby's objects: a plaintext file to upload, and for KMS a data key the fake KMS wrapped for the expected context
          const file = join(dir, `ruby-${wrap}-${location}-${size}.bin`);
          writeFileSync(file, patternBuffer(size, rubyKey(wrap, location, size)));
          operations.push({ op: 'put', key: rubyKey(wrap, location, size), wrap, location, file, ...(wrap === 'kms' ? { kms_encryption_context: USER_CONTEXT } : {}) });
          if (wrap === 'kms') {
            const dataKey = randomBytes(32);
            const context = { 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding', ...USER_CONTEXT };
            generateEntries.push({ ciphertext: kms.encryptBlob(kmsKeyId, dataKey, context).toString('base64'), plaintext: dataKey.toString('base64'), encryption_context: context, key_id: kmsKeyId });
          }
        }
      }
    }
    // one multipart upload (3 parts of one GCM stream) and one V3 object, which a V2-only reader cannot read
    await write('aes', 'metadata', ourKey('aes', 'metadata', 'multipart'), patternBuffer(11 * MiB + 3, 'multipart'), 5 * MiB);
    await new S3EncryptionClient({ client: s3.client, encryption: new ClientSideEncryption({ keyring: keyrings.aes() }) })
      .putObject({ bucket, key: 'ours/v3', body: 'committed' });
    operations.push({ op: 'get', key: 'ours/v3', wrap: 'aes', location: 'metadata' });
    // the same KMS object read with the key id configured (see the Debian packaging test below)
    operations.push({ op: 'get', key: ourKey('kms', 'metadata', 1), wrap: 'kms', location: 'metadata', kms_encryption_context: USER_CONTEXT, kms_key: 'configured' });

    const plan = {
      s3: { endpoint: s3.endpoint, region: s3.region, access_key_id: s3.credentials.accessKeyId, secret_access_key: s3.credentials.secretAccessKey, ca_cert: s3.caCertPath },
      bucket,
      keys: { aes: aesKey.toString('base64'), rsa_private_pem: privateKey.export({ format: 'pem', type: 'pkcs1' }).toString(), kms_key_id: kmsKeyId },
      kms: { decrypt: decryptEntries, generate: generateEntries },
      operations,
    };
    const planPath = join(dir, 'plan.json');
    writeFileSync(planPath, JSON.stringify(plan), { mode: 0o600 });
    const { stdout } = await promisify(execFile)('ruby', [PEER, planPath], { maxBuffer: 16 * MiB, timeout: 240_000 });
    output = JSON.parse(stdout) as PeerOutput;
    process.stderr.write(`[interop] Ruby peer: ruby ${output.peer.ruby}, aws-sdk-s3 ${output.peer.aws_sdk_s3}, aws-sdk-kms ${output.peer.aws_sdk_kms}, EncryptionV3: ${output.peer.encryption_v3}\n`);
  });

  afterAll(async () => {
    kms.restore();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (bucket) await s3TestServer().deleteBucket(bucket);
  });

  it.each(WRAPS)('Ruby decrypts our V2 objects wrapped with %s: 0 B, 1 B, 16 B and 1 MiB + 7 B, in object metadata and instruction files', (wrap) => {
    for (const location of LOCATIONS) {
      for (const size of SIZES) {
        const key = ourKey(wrap, location, size);
        expect({ ...byKey(key), key }).toEqual({ key, ok: true, size, sha256: sha256(patternBuffer(size, key)) });
      }
    }
  });

  it('Ruby decrypts our multipart upload (one GCM stream across 3 parts)', () => {
    const key = ourKey('aes', 'metadata', 'multipart');
    expect(byKey(key)).toEqual({ key, ok: true, size: 11 * MiB + 3, sha256: sha256(patternBuffer(11 * MiB + 3, 'multipart')) });
  });

  it.each(WRAPS)('we decrypt the Ruby client\'s objects wrapped with %s, in object metadata and instruction files', async (wrap) => {
    const s3 = s3TestServer();
    const reader = new S3EncryptionClient({ client: s3.client, encryption: new ClientSideEncryption({ keyring: keyrings[wrap]() }) });
    for (const location of LOCATIONS) {
      for (const size of SIZES) {
        const key = rubyKey(wrap, location, size);
        expect({ ...byKey(key), key }).toEqual({ key, ok: true });
        // really written by Ruby: its informational length header, the V2 envelope where Ruby puts it
        const raw = await rawGet(s3.client, bucket, key);
        expect(raw.metadata['x-amz-unencrypted-content-length']).toBe(String(size));
        expect(raw.body.length).toBe(size + 16);
        expect('x-amz-key-v2' in raw.metadata).toBe(location === 'metadata');
        expect(await exists(s3.client, bucket, `${key}.instruction`)).toBe(location === 'instruction_file');

        const out = await reader.getObject({ bucket, key, encryptionContext: contextFor(wrap) });
        expect(out).toMatchObject({ formatVersion: 2, authentication: 'buffered', contentLength: size });
        const plaintext = await reader.getObjectBytes({ bucket, key, encryptionContext: contextFor(wrap) });
        out.body.destroy();
        expect(sha256(plaintext)).toBe(sha256(patternBuffer(size, key)));
      }
    }
  });

  it('the Ruby client asked KMS for the right key and the full encryption context, including aws:x-amz-cek-alg', () => {
    const expected = { 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding', ...USER_CONTEXT };
    const generate = output.kms_requests.filter((r) => r.op === 'GenerateDataKey');
    const decrypt = output.kms_requests.filter((r) => r.op === 'Decrypt');
    expect(generate).toHaveLength(SIZES.length * LOCATIONS.length);
    expect(decrypt).toHaveLength(SIZES.length * LOCATIONS.length);
    for (const r of generate) expect(r).toEqual({ op: r.op, key_id: kmsKeyId, encryption_context: expected });
    for (const r of decrypt) expect(r).toEqual({ op: r.op, encryption_context: expected }); // no KeyId: see below
  });

  it('Debian packaging: ruby-aws-sdk-kms 1.24 predates KMS Decrypt\'s KeyId, so the V2 client decrypts KMS objects only with :kms_allow_decrypt_with_any_cmk', () => {
    // aws-sdk-s3 1.117's EncryptionV2 sends key_id with Decrypt when a key id is configured; the older KMS gem's
    // parameter validation rejects it before any request. The reads above therefore use the any-key mode
    // (the stubbed KMS still checks the ciphertext blob and the encryption context).
    const configured = output.results.filter((r) => r.key === ourKey('kms', 'metadata', 1));
    expect(configured).toHaveLength(2);
    expect(configured[1]).toMatchObject({ ok: false, error: 'ArgumentError', message: 'unexpected value at params[:key_id]' });
  });

  it('Debian\'s Ruby SDK has no EncryptionV3 client, and its V2 client refuses our V3 (key-committing) objects', () => {
    expect(output.peer.encryption_v2).toBe(true);
    // If a newer gem brings Aws::S3::EncryptionV3::Client, extend this test with V3 round trips.
    expect(output.peer.encryption_v3).toBe(false);
    expect(byKey('ours/v3')).toMatchObject({ ok: false, error: 'Aws::S3::EncryptionV2::Errors::DecryptionError' });
  });
});
