/**
 * Known-answer vectors from other S3 Encryption Client implementations, run through this
 * library's real code paths (keyrings, metadata decoding, policy, commitment, streams).
 *
 * - vectors/aes_gcm_kat.json: Go S3EC v4/internal/testdata/aes_gcm.json (= aws-sdk-ruby aes_gcm_kat.json).
 * - vectors/kdf_kat.json: aws-sdk-ruby gems/aws-sdk-s3/spec/fixtures/encryption/kdf_kat.json (suite 0x0073 HKDF + content).
 * - Objects A–D: inline constants of aws/amazon-s3-encryption-client-go
 *   v4/client/decryption_client_v4_test.go @ cb84cb0077593d8159a32b533f6aff27993d4598, where KMS Decrypt is
 *   mocked to return a known data key. Here the fake KMS really encrypts that data key under the
 *   object's encryption context, so the KMS keyring's context checks run too.
 * Provenance and licence: test/interop/vectors/README.md, NOTICE.txt, LICENSE-Apache-2.0.txt.
 */
import { createDecipheriv, createSecretKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  AlgorithmSuite, AuthenticationMode, ClientSideEncryption, CommitmentPolicy, ContentAuthenticationError, ContentFormat,
  DecryptStream, KeyCommitmentError, KmsKeyring, LegacyModeDisabledError, planRangedGet, RawAesKeyring, CommitmentPolicyError,
} from '../../src/client-side';
import { deriveCommitment, deriveContentKey } from '../../src/client-side/key-derivation';
import { createContentCipher } from '../../src/client-side/streams/content-cipher';
import { FakeKms } from '../client-side/support/fake-kms';
import { testKmsClient } from '../client-side/support/keyrings';

interface GcmKat { comment: string; key: string; pt: string; aad: string; iv: string; ct: string; tag: string }
interface KdfKat { comment: string; data_key: string; message_id: string; encryption_key: string; commitment_key: string; plaintext?: string; ciphertext?: string; auth_tag?: string }

const dir = join(__dirname, 'vectors');
const gcmKats: GcmKat[] = JSON.parse(readFileSync(join(dir, 'aes_gcm_kat.json'), 'utf8'));
const kdfKats: KdfKat[] = JSON.parse(readFileSync(join(dir, 'kdf_kat.json'), 'utf8'));
const hex = (s: string) => Buffer.from(s, 'hex');

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Feeds `data` in chunks of `size` bytes, to exercise the decryptor's tag hold-back at every boundary. */
function chunked(data: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
  return Readable.from(parts.length ? parts : [Buffer.alloc(0)], { objectMode: false });
}

describe('AES-GCM known answers (Go/Ruby aes_gcm_kat.json) through DecryptStream', () => {
  it('has the 6 published vectors', () => expect(gcmKats).toHaveLength(6));

  for (const [i, v] of gcmKats.entries()) {
    for (const chunkSize of [1, 7, 16, 64]) {
      it(`vector ${i} (${v.comment}, ${v.pt.length / 2} B, AAD ${v.aad ? 'yes' : 'no'}) decrypts in ${chunkSize}-byte chunks`, async () => {
        const decipher = createDecipheriv(`aes-${v.key.length * 4}-gcm` as 'aes-256-gcm', hex(v.key), hex(v.iv));
        if (v.aad) decipher.setAAD(hex(v.aad));
        const stream = new DecryptStream(decipher, { mode: AuthenticationMode.BUFFERED, bufferLimit: 1 << 20, tagLength: 16 });
        const out = await collect(chunked(Buffer.concat([hex(v.ct), hex(v.tag)]), chunkSize).pipe(stream));
        expect(out.toString('hex').toUpperCase()).toBe(v.pt);
      });
    }

    it(`vector ${i} with a flipped tag bit fails with ContentAuthenticationError and no plaintext`, async () => {
      const decipher = createDecipheriv(`aes-${v.key.length * 4}-gcm` as 'aes-256-gcm', hex(v.key), hex(v.iv));
      if (v.aad) decipher.setAAD(hex(v.aad));
      const body = Buffer.concat([hex(v.ct), hex(v.tag)]);
      body[body.length - 1] ^= 1;
      const stream = new DecryptStream(decipher, { mode: AuthenticationMode.BUFFERED, bufferLimit: 1 << 20, tagLength: 16 });
      const received: Buffer[] = [];
      stream.on('data', (c: Buffer) => received.push(c));
      await expect(collect(chunked(body, 5).pipe(stream))).rejects.toBeInstanceOf(ContentAuthenticationError);
      expect(received).toHaveLength(0);
    });
  }

  it('the AES-256 vector without AAD is exactly what the V2 content cipher produces', () => {
    const v = gcmKats.find((k) => k.key.length === 64 && k.aad === '' && k.pt !== '')!;
    const cipher = createContentCipher(AlgorithmSuite.AES_256_GCM_IV12_TAG16_NO_KDF, createSecretKey(hex(v.key)), hex(v.iv));
    const body = Buffer.concat([cipher.update(hex(v.pt)), cipher.final(), cipher.getAuthTag()]);
    expect(body.toString('hex').toUpperCase()).toBe(v.ct + v.tag);
  });
});

describe('HKDF-SHA512 known answers for suite 0x0073 (Ruby kdf_kat.json)', () => {
  it('has the 3 published vectors', () => expect(kdfKats).toHaveLength(3));

  for (const [i, v] of kdfKats.entries()) {
    it(`vector ${i}: derived content key and commitment match`, () => {
      const dataKey = createSecretKey(hex(v.data_key));
      expect(deriveCommitment(dataKey, hex(v.message_id)).toString('hex')).toBe(v.commitment_key);
      expect(deriveContentKey(dataKey, hex(v.message_id)).export().toString('hex')).toBe(v.encryption_key);
    });
  }

  const withContent = kdfKats.filter((v) => v.plaintext);
  it('one vector also covers content encryption', () => expect(withContent).toHaveLength(1));

  for (const v of withContent) {
    it('content: the V3 cipher (IV 0x01×12, AAD 00 73) produces the published ciphertext and tag', () => {
      const cipher = createContentCipher(AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY, deriveContentKey(createSecretKey(hex(v.data_key)), hex(v.message_id)), undefined);
      const body = Buffer.concat([cipher.update(hex(v.plaintext!)), cipher.final(), cipher.getAuthTag()]);
      expect(body.toString('hex')).toBe(v.ciphertext! + v.auth_tag!);
    });

    it('content: a complete V3 object built from the vector decrypts through ClientSideEncryption with a raw AES keyring', async () => {
      const keyring = new RawAesKeyring({ wrappingKey: Buffer.alloc(32, 7) });
      const wrapped = await keyring.wrapDataKey({ suite: AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY, encryptionContext: {}, plaintextDataKey: createSecretKey(hex(v.data_key)) });
      const metadata = {
        'x-amz-c': '115',
        'x-amz-3': wrapped.encryptedDataKey.toString('base64'),
        'x-amz-w': '02',
        'x-amz-d': hex(v.commitment_key).toString('base64'),
        'x-amz-i': hex(v.message_id).toString('base64'),
      };
      const client = new ClientSideEncryption({ keyring, commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT });
      const plaintext = await client.decrypt({ body: Buffer.concat([hex(v.ciphertext!), hex(v.auth_tag!)]), metadata });
      expect(plaintext.toString('utf8')).toBe('Hello, World!');
    });
  }
});

describe('Go S3EC mock objects A–D through the KMS keyring and the full decrypt path', () => {
  let kms: FakeKms;
  let keyId: string;
  beforeEach(() => {
    kms = new FakeKms();
    keyId = kms.createKey();
  });
  afterEach(() => kms.restore());

  const client = (extra: Partial<ConstructorParameters<typeof ClientSideEncryption>[0]> = {}) =>
    new ClientSideEncryption({ keyring: new KmsKeyring({ client: testKmsClient(), keyId }), ...extra });
  const b64 = (s: string) => Buffer.from(s, 'base64');

  // A. V2 + kms+context + GCM (TestDecryptionClientV4_GetMockV2Object); no x-amz-tag-len, as in Go.
  const A = {
    dataKey: 'hJUv7S6K2cHF64boS9ixHX0TZAjBZLT4ZpEO4XxkGnY=',
    ec: { 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding' },
    iv: 'dqqlq2dRVSQ5hFRb',
    body: '6b134eb7a353131de92faff64f594b2794e3544e31776cca26fe3bbeeffc68742d1007234f11c6670522602326868e29f37e9d2678f1614ec1a2418009b9772100929aadbed9a21a',
    plaintext: 'af150d7156bf5b3f5c461e5c6ac820acc5a33aab7085d920666c250ff251209d5a4029b3bd78250fab6e11aed52fae948d407056a9519b68',
  };
  const objectA = () => ({
    body: hex(A.body),
    metadata: {
      'x-amz-key-v2': kms.encryptBlob(keyId, b64(A.dataKey), A.ec).toString('base64'),
      'x-amz-iv': A.iv,
      'x-amz-matdesc': JSON.stringify(A.ec),
      'x-amz-wrap-alg': 'kms+context',
      'x-amz-cek-alg': 'AES/GCM/NoPadding',
    },
  });

  it('A: V2 kms+context GCM object decrypts to the published plaintext', async () => {
    expect((await client().decrypt(objectA())).toString('hex')).toBe(A.plaintext);
    expect(kms.requests.filter((r) => r.op === 'Decrypt')).toHaveLength(1);
  });

  it('A: the default policy reads it, REQUIRE_ENCRYPT_REQUIRE_DECRYPT refuses it before calling KMS', async () => {
    await expect(client({ commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT }).decrypt(objectA())).rejects.toBeInstanceOf(CommitmentPolicyError);
    expect(kms.requests).toHaveLength(0);
  });

  it('A: a ranged read of bytes 16..31 via AES-CTR gives plaintext bytes 16..31 (unauthenticated opt-in)', async () => {
    const plan = planRangedGet({ start: 16, end: 31 });
    expect(plan.rangeHeader).toBe('bytes=0-48'); // Java's widening: end' = b + (16 − b mod 16) + 16
    const obj = objectA();
    const fetched = obj.body.subarray(plan.fetchStart, Math.min(plan.fetchEnd! + 1, obj.body.length));
    const out = await client({ enableLegacyUnauthenticatedModes: true }).decryptRange(
      { ...obj, body: fetched, contentRange: `bytes ${plan.fetchStart}-${plan.fetchStart + fetched.length - 1}/${obj.body.length}` }, plan);
    expect(out.toString('hex')).toBe(A.plaintext.slice(32, 64));
  });

  // B. V3 + kms+context + 0x0073 (TestDecryptionClientV4_GetMockV3Object).
  const B = {
    dataKey: 'lP6AbIQTmptyb/+WQq+ubDw+w7na0T1LGSByZGuaono=',
    i: 'sE9zLb4tsEBJkvEhLMZFxMj9oZJBbQ6ZOgOqHA==',
    d: '6JOSx47RkdyfciJkNauuC4RpkMcWZY4a+i1RzQ==',
    body: '2d4ff4dafe27f69f628872d82b5a1002ed1a21b8485d532bd8159f6487945b3641af5865fc0a029a3650053600c6d213625b9a0cc9c239577c09f3423dedc5641e88b6835824417c',
    plaintext: '8f2c59c6dbfcacf356f3da40788cbde67ca38161a4702cbcf757af663e1c24a600001b2f500417dbf5a050f57db6737422b2ed6a44c75e0d',
  };
  const objectB = (i = B.i, d = B.d) => ({
    body: hex(B.body),
    metadata: {
      'x-amz-c': '115',
      'x-amz-3': kms.encryptBlob(keyId, b64(B.dataKey), { 'aws:x-amz-cek-alg': '115' }).toString('base64'),
      'x-amz-w': '12',
      'x-amz-t': '{"aws:x-amz-cek-alg":"115"}',
      'x-amz-i': i,
      'x-amz-d': d,
    },
  });

  it('B: V3 kms+context object decrypts to the published plaintext, also under REQUIRE_ENCRYPT_REQUIRE_DECRYPT', async () => {
    expect((await client().decrypt(objectB())).toString('hex')).toBe(B.plaintext);
    expect((await client({ commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT }).decrypt(objectB())).toString('hex')).toBe(B.plaintext);
  });

  it('B: streamed in 5-byte chunks with delayed authentication gives the same plaintext', async () => {
    const obj = objectB();
    const out = await client({ enableDelayedAuthentication: true }).decryptStream({ ...obj, body: chunked(obj.body, 5) });
    expect((await collect(out)).toString('hex')).toBe(B.plaintext);
  });

  // C. Legacy: V2 layout + `kms` + AES-CBC (TestDecryptionClientV4_GetMockV2Object_V1Interop_KMS_AESCBC).
  const C = {
    dataKey: '7ItX9CTGNWWegC62RlaNu6EJ3+J9yGO7yAqDNU4CdeA=',
    iv: 'adO9U7pcEHxUTaguIkho9g==',
    matdesc: { kms_cmk_id: 'test-key-id' },
    body: '6f4f413a357a3c3a12289442fb835c5e4ecc8db1d86d3d1eab906ce07e1ad772180b2e9ec49c3fc667d8aceea8c46da6bb9738251a8e36241a473ad820f99c701906bac1f48578d5392e928889bbb1d9',
    plaintext: 'a716e018ffecf4bb94d4352082af4662612d9c225efed6f389bf1f6f0447a9bce80cc712d7e66ee5e1c086af38e607ead351fd2c1a0247878e693ada73bd580b',
  };
  const objectC = () => ({
    body: hex(C.body),
    metadata: {
      'x-amz-key-v2': kms.encryptBlob(keyId, b64(C.dataKey), C.matdesc).toString('base64'),
      'x-amz-iv': C.iv,
      'x-amz-matdesc': JSON.stringify(C.matdesc),
      'x-amz-wrap-alg': 'kms',
      'x-amz-cek-alg': 'AES/CBC/PKCS5Padding',
    },
  });

  it('C: legacy kms + CBC object decrypts with both legacy opt-ins', async () => {
    const out = await client({ enableLegacyUnauthenticatedModes: true, enableLegacyWrappingAlgorithms: true }).decrypt(objectC());
    expect(out.toString('hex')).toBe(C.plaintext);
  });

  it('C: without the opt-ins it is refused, naming the option, before KMS is called', async () => {
    await expect(client().decrypt(objectC())).rejects.toThrow(LegacyModeDisabledError);
    await expect(client().decrypt(objectC())).rejects.toThrow(/enableLegacyUnauthenticatedModes/);
    await expect(client({ enableLegacyUnauthenticatedModes: true }).decrypt(objectC())).rejects.toThrow(/enableLegacyWrappingAlgorithms/);
    expect(kms.requests).toHaveLength(0);
  });

  // D. Negative V3 (…GetMockV3ObjectWithIncorrectKCValue): the commitment does not match.
  it('D: a V3 object whose commitment does not match fails with KeyCommitmentError before decrypting', async () => {
    const obj = objectB('cPwtbK08jrpe3x+QElyG+vGtkk9jDn6KmOta2Q==', 'FiQepGw+/O+3MuYrmQU5mAkotUnxB+W+EwYDHw==');
    await expect(client().decrypt(obj)).rejects.toBeInstanceOf(KeyCommitmentError);
  });

  it('our own V2 and V3 KMS objects use the same layout as A and B', async () => {
    for (const format of [ContentFormat.V2, ContentFormat.V3]) {
      const enc = await client({ format }).encrypt(Buffer.from('x'));
      const keys = Object.keys(enc.metadata).sort();
      expect(keys).toEqual(format === ContentFormat.V2
        ? ['x-amz-cek-alg', 'x-amz-iv', 'x-amz-key-v2', 'x-amz-matdesc', 'x-amz-tag-len', 'x-amz-wrap-alg']
        : ['x-amz-3', 'x-amz-c', 'x-amz-d', 'x-amz-i', 'x-amz-t', 'x-amz-w']);
      expect(JSON.parse(enc.metadata[format === ContentFormat.V2 ? 'x-amz-matdesc' : 'x-amz-t'])).toEqual({ 'aws:x-amz-cek-alg': format === ContentFormat.V2 ? 'AES/GCM/NoPadding' : '115' });
    }
  });
});
