/**
 * Legacy V1 objects (built here from the published layout with node:crypto, independently of the
 * library's writers, which never write V1), the two legacy opt-ins, and the commitment policies.
 */
import { constants, createCipheriv, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';
import {
  ClientSideConfigurationError, ClientSideEncryption, CommitmentPolicy, CommitmentPolicyError, ContentAuthenticationError, ContentFormat,
  DEFAULT_BUFFER_SIZE, LegacyModeDisabledError, parseCommitmentPolicy, parseContentFormat, RawAesKeyring, RawRsaKeyring,
  resolveFormatAndPolicy, UnsupportedLegacyAlgorithmError,
} from '../../src/client-side';
import { decryptObserved } from './support/harness';

const wrappingKey = randomBytes(32);
const LEGACY = { enableLegacyWrappingAlgorithms: true, enableLegacyUnauthenticatedModes: true };

/** A V1 "EncryptionOnly" object: x-amz-key = AES-ECB/PKCS5(wrapping key, data key), AES-256-CBC body. */
function v1AesObject(plaintext: Buffer) {
  const dataKey = randomBytes(32);
  const iv = randomBytes(16);
  const ecb = createCipheriv('aes-256-ecb', wrappingKey, null);
  const edk = Buffer.concat([ecb.update(dataKey), ecb.final()]);
  const cbc = createCipheriv('aes-256-cbc', dataKey, iv);
  return {
    body: Buffer.concat([cbc.update(plaintext), cbc.final()]),
    metadata: { 'x-amz-key': edk.toString('base64'), 'x-amz-iv': iv.toString('base64'), 'x-amz-matdesc': '{}', 'x-amz-unencrypted-content-length': String(plaintext.length) },
  };
}

/** A V2 object with the legacy AESWrap key wrap and GCM content (Java SDK v1 "AuthenticatedEncryption"). */
function aesWrapGcmObject(plaintext: Buffer) {
  const dataKey = randomBytes(32);
  const iv = randomBytes(12);
  const kw = createCipheriv('id-aes256-wrap', wrappingKey, Buffer.from('A6A6A6A6A6A6A6A6', 'hex'));
  const gcm = createCipheriv('aes-256-gcm', dataKey, iv);
  return {
    body: Buffer.concat([gcm.update(plaintext), gcm.final(), gcm.getAuthTag()]),
    metadata: {
      'x-amz-key-v2': Buffer.concat([kw.update(dataKey), kw.final()]).toString('base64'), 'x-amz-iv': iv.toString('base64'),
      'x-amz-cek-alg': 'AES/GCM/NoPadding', 'x-amz-wrap-alg': 'AESWrap', 'x-amz-tag-len': '128', 'x-amz-matdesc': '{}',
    },
  };
}

describe('legacy V1 objects', () => {
  const plaintext = Buffer.from('legacy V1 content, 37 bytes long....');
  const aes = (extra = {}) => new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey }), ...extra });

  it('decrypt with both opt-ins (AES-ECB wrap, AES-CBC body)', async () => {
    expect(await aes(LEGACY).decrypt(v1AesObject(plaintext))).toEqual(plaintext);
    const empty = v1AesObject(Buffer.alloc(0));
    expect(await aes(LEGACY).decrypt(empty)).toEqual(Buffer.alloc(0));
  });

  it('are refused without the opt-ins, naming the option to set', async () => {
    const obj = v1AesObject(plaintext);
    await expect(aes().decrypt(obj)).rejects.toThrow(/set enableLegacyUnauthenticatedModes: true/);
    await expect(aes({ enableLegacyUnauthenticatedModes: true }).decrypt(obj)).rejects.toThrow(/set enableLegacyWrappingAlgorithms: true/);
    await expect(aes({ enableLegacyWrappingAlgorithms: true }).decrypt(obj)).rejects.toBeInstanceOf(LegacyModeDisabledError);
  });

  it('are refused by REQUIRE_ENCRYPT_REQUIRE_DECRYPT even with the opt-ins', async () => {
    await expect(aes({ ...LEGACY, commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT }).decrypt(v1AesObject(plaintext)))
      .rejects.toBeInstanceOf(CommitmentPolicyError);
  });

  it('a CBC body with broken padding fails with a typed error and, buffered, releases nothing', async () => {
    const obj = v1AesObject(plaintext);
    obj.body[obj.body.length - 1] ^= 0x55;
    const out = await decryptObserved(aes(LEGACY), obj, 5);
    expect(out.error).toBeInstanceOf(ContentAuthenticationError);
    expect(out.releasedBytes).toBe(0);
  });

  it('an AESWrap + GCM object needs only the legacy wrapping opt-in', async () => {
    const obj = aesWrapGcmObject(plaintext);
    await expect(aes().decrypt(obj)).rejects.toThrow(/enableLegacyWrappingAlgorithms/);
    expect(await aes({ enableLegacyWrappingAlgorithms: true }).decrypt(obj)).toEqual(plaintext);
  });

  // Node 20 refuses PKCS#1 v1.5 decryption (CVE-2023-46809) unless started with --security-revert; probe which.
  const nodeDecryptsPkcs1v15 = (() => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    try {
      privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.alloc(32)));
      return true;
    } catch {
      return false;
    }
  })();

  it(`a V1 RSA PKCS#1 v1.5 object: ${nodeDecryptsPkcs1v15 ? 'read, as this Node.js allows PKCS#1 v1.5' : 'this Node.js refuses PKCS#1 v1.5, reported as UnsupportedLegacyAlgorithmError with a way out'}`, async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dataKey = randomBytes(32);
    const iv = randomBytes(16);
    const cbc = createCipheriv('aes-256-cbc', dataKey, iv);
    const stored = {
      body: Buffer.concat([cbc.update(plaintext), cbc.final()]),
      metadata: {
        'x-amz-key': publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, dataKey).toString('base64'),
        'x-amz-iv': iv.toString('base64'), 'x-amz-matdesc': '{}', 'x-amz-unencrypted-content-length': String(plaintext.length),
      },
    };
    const client = new ClientSideEncryption({ keyring: new RawRsaKeyring({ privateKey }), ...LEGACY });
    if (nodeDecryptsPkcs1v15) {
      expect(await client.decrypt(stored)).toEqual(plaintext);
      return;
    }
    await expect(client.decrypt(stored)).rejects.toThrow(UnsupportedLegacyAlgorithmError);
    await expect(client.decrypt(stored)).rejects.toThrow(/CVE-2023-46809/);
  });

  it('V1 is never written: there is no V1 format to ask for', () => {
    expect(() => parseContentFormat('v1')).toThrow(ClientSideConfigurationError);
  });
});

describe('commitment policies and format selection', () => {
  it('resolves format and policy together', () => {
    expect(resolveFormatAndPolicy()).toEqual({ format: ContentFormat.V3, policy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT });
    expect(resolveFormatAndPolicy(ContentFormat.V2)).toEqual({ format: ContentFormat.V2, policy: CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT });
    expect(resolveFormatAndPolicy(undefined, CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT).format).toBe(ContentFormat.V2);
    expect(resolveFormatAndPolicy(undefined, CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT).format).toBe(ContentFormat.V3);
    expect(() => resolveFormatAndPolicy(ContentFormat.V2, CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)).toThrow(/FORBID_ENCRYPT_ALLOW_DECRYPT/);
    expect(() => resolveFormatAndPolicy(ContentFormat.V3, CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)).toThrow(ClientSideConfigurationError);
    expect(parseCommitmentPolicy('REQUIRE_ENCRYPT_REQUIRE_DECRYPT')).toBe(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    expect(() => parseCommitmentPolicy('require')).toThrow(/FORBID_ENCRYPT_ALLOW_DECRYPT, REQUIRE_ENCRYPT_ALLOW_DECRYPT/);
  });

  it('each policy writes its format and reads what it allows', async () => {
    const keyring = new RawAesKeyring({ wrappingKey });
    const clients = Object.values(CommitmentPolicy).map((commitmentPolicy) => new ClientSideEncryption({ keyring, commitmentPolicy }));
    const written = await Promise.all(clients.map((c) => c.encrypt(Buffer.from('p'))));
    expect(written.map((o) => ('x-amz-3' in o.metadata ? 'v3' : 'v2'))).toEqual(['v2', 'v3', 'v3']);
    for (const reader of clients) {
      for (const obj of written) {
        const isV2 = 'x-amz-key-v2' in obj.metadata;
        if (isV2 && reader.commitmentPolicy === CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT) {
          await expect(reader.decrypt(obj)).rejects.toThrow(/REQUIRE_ENCRYPT_ALLOW_DECRYPT/);
        } else {
          expect((await reader.decrypt(obj)).toString()).toBe('p');
        }
      }
    }
  });

  it('validates the client configuration', () => {
    const keyring = new RawAesKeyring({ wrappingKey });
    expect(() => new ClientSideEncryption({ keyring, enableDelayedAuthentication: true, bufferSize: 1024 })).toThrow(/bufferSize applies to buffered/);
    expect(() => new ClientSideEncryption({ keyring, bufferSize: 8 })).toThrow(ClientSideConfigurationError);
    expect(() => new ClientSideEncryption({ keyring: undefined as never })).toThrow(/needs a keyring/);
    expect(new ClientSideEncryption({ keyring }).bufferSize).toBe(DEFAULT_BUFFER_SIZE);
    expect(DEFAULT_BUFFER_SIZE).toBe(64 * 1024 * 1024);
  });
});
