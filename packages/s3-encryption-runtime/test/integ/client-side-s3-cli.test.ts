/**
 * `s3-crypto put` / `get` with client-side encryption against radosgw. Raw AES and RSA keys run the CLI as
 * a separate process, as a user would; KMS runs it in-process so the fake KMS (nothing real runs here)
 * can stand in for AWS KMS.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliInProcess, runCliProcess } from '../support/cli-runner';
import { ClientSideEncryption, KmsKeyring, RawAesKeyring, S3EncryptionClient } from '../../src';
import { FakeKms } from '../client-side/support/fake-kms';
import { testKmsClient } from '../client-side/support/keyrings';
import { exists, rawGet, rawPut } from '../client-side/support/s3-fixtures';
import { describeWithS3, s3TestServer } from './support/s3-test-server';
import { MiB, patternBuffer, sha256 } from './support/test-data';


describeWithS3('s3-crypto put/get with client-side encryption against radosgw', () => {
  const s3 = s3TestServer();
  const dir = mkdtempSync(join(tmpdir(), 's3-crypto-cse-'));
  const aesKey = randomBytes(32);
  const aesFile = join(dir, 'wrapping.key');
  const aesB64File = join(dir, 'wrapping.b64');
  const wrongAesFile = join(dir, 'wrong.key');
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pubFile = join(dir, 'pub.pem');
  const privFile = join(dir, 'priv.pem');
  writeFileSync(aesFile, aesKey);
  writeFileSync(aesB64File, `${aesKey.toString('base64')}\n`);
  writeFileSync(wrongAesFile, randomBytes(32));
  writeFileSync(pubFile, publicKey.export({ format: 'pem', type: 'spki' }));
  writeFileSync(privFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
  let bucket: string;
  let where: string[];

  /** The CLI as a separate process (through tsx). */
  const cli = (args: string[], stdin?: Buffer) => runCliProcess(args, s3.credentials, stdin);

  /** The CLI in this process (for the fake KMS). */
  const inProcess = (argv: string[]) => runCliInProcess(argv);

  beforeAll(async () => {
    bucket = await s3.createBucket('cse-cli');
    where = ['--bucket', bucket, '--endpoint', s3.endpoint, '--ca-cert', s3.caCertPath, '--path-style'];
  });
  afterAll(() => s3.deleteBucket(bucket));

  it('raw AES (V3 by default): puts a file as a multipart upload and gets it back byte for byte; the library reads it too', async () => {
    const data = patternBuffer(20 * MiB + 3, 'cli-aes');
    writeFileSync(join(dir, 'in.bin'), data);
    const put = await cli(['put', ...where, '--key', 'aes/in.bin', '--file', join(dir, 'in.bin'), '--aes-key-file', aesFile, '--content-type', 'application/x-test']);
    expect({ code: put.code, stderr: put.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(put.stdout.toString())).toMatchObject({ key: 'aes/in.bin', size: data.length, encryption: 'client-side V3 (RawAesKeyring(AES-256), object metadata)' });
    const raw = await rawGet(s3.client, bucket, 'aes/in.bin');
    expect(raw.body.length).toBe(data.length + 16);
    expect(raw.contentType).toBe('application/x-test');
    expect(Object.keys(raw.metadata).sort()).toEqual(['x-amz-3', 'x-amz-c', 'x-amz-d', 'x-amz-i', 'x-amz-w']);

    const get = await cli(['get', ...where, '--key', 'aes/in.bin', '--file', join(dir, 'out.bin'), '--aes-key-file', aesB64File]);
    expect({ code: get.code, stderr: get.stderr }).toEqual({ code: 0, stderr: '' });
    expect(sha256(readFileSync(join(dir, 'out.bin')))).toBe(sha256(data));

    const library = new S3EncryptionClient({ client: s3.client, encryption: new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: aesKey }) }) });
    expect(sha256(await library.getObjectBytes({ bucket, key: 'aes/in.bin' }))).toBe(sha256(data));
  });

  it('RSA, V2 with an instruction file: stdin to S3 with the public key, S3 to stdout with the private key', async () => {
    const data = patternBuffer(3 * MiB + 7, 'cli-rsa');
    const put = await cli(['put', ...where, '--key', 'rsa/piped', '--rsa-public-key', pubFile, '--format', 'v2', '--instruction-file'], data);
    expect({ code: put.code, stderr: put.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(put.stdout.toString()).encryption).toBe('client-side V2 (RawRsaKeyring(RSA-2048), instruction file)');
    expect(await exists(s3.client, bucket, 'rsa/piped.instruction')).toBe(true);
    expect((await rawGet(s3.client, bucket, 'rsa/piped')).metadata).toEqual({});

    const get = await cli(['get', ...where, '--key', 'rsa/piped', '--rsa-private-key', privFile]);
    expect(get.code).toBe(0);
    expect(sha256(get.stdout)).toBe(sha256(data));

    const strict = await cli(['get', ...where, '--key', 'rsa/piped', '--rsa-private-key', privFile, '--commitment-policy', 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT']);
    expect(strict.code).toBe(1);
    expect(strict.stdout.length).toBe(0);
    expect(strict.stderr).toMatch(/^s3-crypto: The object uses ALG_AES_256_GCM_IV12_TAG16_NO_KDF .*REQUIRE_ENCRYPT_ALLOW_DECRYPT.*\n$/);
  });

  it('a wrong key or a tampered object exits 1 with a one-line reason, writes no file and prints no plaintext or key', async () => {
    const data = patternBuffer(4096, 'cli-secret');
    await cli(['put', ...where, '--key', 'secret.txt', '--aes-key-file', aesFile], data);

    const wrong = await cli(['get', ...where, '--key', 'secret.txt', '--file', join(dir, 'wrong.out'), '--aes-key-file', wrongAesFile]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^s3-crypto: Could not unwrap the object's data key: .*\n$/);
    expect(existsSync(join(dir, 'wrong.out'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('wrong.out'))).toEqual([]);
    for (const form of [aesKey.toString('base64'), aesKey.toString('hex')]) expect(wrong.stderr).not.toContain(form);

    const stored = await rawGet(s3.client, bucket, 'secret.txt');
    stored.body[100] ^= 0x01;
    await rawPut(s3.client, bucket, 'secret.txt', stored.body, stored.metadata);
    const tampered = await cli(['get', ...where, '--key', 'secret.txt', '--aes-key-file', aesFile]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout.length).toBe(0); // buffered authentication: nothing reached stdout
    expect(tampered.stderr).toMatch(/^s3-crypto: The AES-GCM tag of the object body did not verify\. .*No plaintext was released\./);
    const toFile = await cli(['get', ...where, '--key', 'secret.txt', '--file', join(dir, 'tampered.out'), '--aes-key-file', aesFile]);
    expect(toFile.code).toBe(1);
    expect(toFile.stderr).toMatch(/did not verify\..* --file \S+tampered\.out was not written\./);
    expect(readdirSync(dir).filter((f) => f.includes('tampered'))).toEqual([]); // streamed to a private temporary file, removed
  });

  it('objects above the 64 MiB buffer: --file needs no flag; stdout needs --delayed-authentication or a larger --buffer-size', async () => {
    const data = patternBuffer(65 * MiB, 'cli-large');
    writeFileSync(join(dir, 'large.bin'), data);
    expect((await cli(['put', ...where, '--key', 'large', '--file', join(dir, 'large.bin'), '--aes-key-file', aesFile])).code).toBe(0);
    const toFile = await cli(['get', ...where, '--key', 'large', '--file', join(dir, 'large.out'), '--aes-key-file', aesFile]);
    expect(toFile.code).toBe(0);
    expect(sha256(readFileSync(join(dir, 'large.out')))).toBe(sha256(data));
    const refused = await cli(['get', ...where, '--key', 'large', '--aes-key-file', aesFile]);
    expect(refused.code).toBe(1);
    expect(refused.stdout.length).toBe(0);
    expect(refused.stderr).toMatch(/more than 67108864 bytes of plaintext, the --buffer-size limit for output to stdout.*--delayed-authentication/);
    const delayed = await cli(['get', ...where, '--key', 'large', '--aes-key-file', aesFile, '--delayed-authentication']);
    expect(delayed.code).toBe(0);
    expect(sha256(delayed.stdout)).toBe(sha256(data));
    const larger = await cli(['get', ...where, '--key', 'large', '--aes-key-file', aesFile, '--buffer-size', '80MiB']);
    expect(larger.code).toBe(0);
    expect(sha256(larger.stdout)).toBe(sha256(data));
  });

  it('command-line mistakes exit 2', async () => {
    const both = await cli(['put', ...where, '--key', 'x', '--aes-key-file', aesFile, '--sse-c-key-file', aesFile], Buffer.from('x'));
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/choose one kind of key; got SSE-C and client-side encryption/);
    const noKey = await cli(['get', ...where, '--key', 'x', '--commitment-policy', 'REQUIRE_ENCRYPT_ALLOW_DECRYPT']);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/Give a key: --aes-key-file FILE, --rsa-private-key FILE, or --kms-key-id ID/);
    const twoKeys = await cli(['get', ...where, '--key', 'x', '--aes-key-file', aesFile, '--rsa-private-key', privFile]);
    expect(twoKeys.code).toBe(2);
    const badContext = await cli(['put', ...where, '--key', 'x', '--aes-key-file', aesFile, '--context', 'a=b'], Buffer.from('x'));
    expect(badContext.code).toBe(2);
    expect(badContext.stderr).toMatch(/--context applies to KMS keys only/);
  });

  describe('KMS (in-process, with the fake KMS)', () => {
    let kms: FakeKms;
    let keyId: string;
    const saved = { ...process.env };
    beforeAll(() => {
      kms = new FakeKms();
      keyId = kms.createKey('alias/cli');
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey, AWS_REGION: 'us-east-1' });
    });
    afterAll(() => {
      kms.restore();
      process.env = saved;
    });

    it('--kms-key-id with --context: the context must match on get', async () => {
      writeFileSync(join(dir, 'kms.in'), patternBuffer(1234, 'cli-kms'));
      const put = await inProcess(['put', ...where, '--key', 'kms/obj', '--file', join(dir, 'kms.in'), '--kms-key-id', 'alias/cli', '--context', 'tenant=acme', '--context', 'env=prod', '--quiet']);
      expect({ code: put.code, stderr: put.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(put.stdout).encryption).toBe('client-side V3 (KmsKeyring(alias/cli), object metadata)');
      expect(JSON.parse((await rawGet(s3.client, bucket, 'kms/obj')).metadata['x-amz-t'])).toEqual({ tenant: 'acme', env: 'prod', 'aws:x-amz-cek-alg': '115' });

      const get = await inProcess(['get', ...where, '--key', 'kms/obj', '--file', join(dir, 'kms.out'), '--kms-key-id', keyId, '--context', 'env=prod', '--context', 'tenant=acme', '--quiet']);
      expect({ code: get.code, stderr: get.stderr }).toEqual({ code: 0, stderr: '' });
      expect(sha256(readFileSync(join(dir, 'kms.out')))).toBe(sha256(patternBuffer(1234, 'cli-kms')));

      const wrongContext = await inProcess(['get', ...where, '--key', 'kms/obj', '--file', join(dir, 'kms.bad'), '--kms-key-id', keyId, '--context', 'tenant=other', '--quiet']);
      expect(wrongContext.code).toBe(1);
      expect(wrongContext.stderr).toMatch(/^s3-crypto: The object's KMS encryption context does not match: these keys differ between the stored and the expected context: "env", "tenant"/);
      expect(existsSync(join(dir, 'kms.bad'))).toBe(false);

      // and what the library writes, the CLI reads
      await new S3EncryptionClient({ client: s3.client, encryption: new ClientSideEncryption({ keyring: new KmsKeyring({ client: testKmsClient(), keyId }) }) })
        .putObject({ bucket, key: 'kms/from-library', body: 'written by the library' });
      const back = await inProcess(['get', ...where, '--key', 'kms/from-library', '--kms-key-id', keyId, '--quiet']);
      expect(back).toEqual({ code: 0, stdout: 'written by the library', stderr: '' });
    });
  });
});
