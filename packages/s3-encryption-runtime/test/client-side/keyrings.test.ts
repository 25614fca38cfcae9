import {
  constants, createCipheriv, createDecipheriv, createSecretKey, generateKeyPairSync, type KeyObject, privateDecrypt, publicEncrypt, randomBytes,
} from 'node:crypto';
import { inspect } from 'node:util';
import {
  AlgorithmSuite, ClientSideConfigurationError, ClientSideEncryption, DataKeyUnwrapError, type DataKeyUnwrapRequest,
  type DataKeyWrapRequest, type Keyring, KeyringMismatchError, MaterialDescriptionMismatchError, MetadataStrategy, RawAesKeyring,
  RawRsaKeyring, type WrappedDataKey, WrappingAlgorithm,
} from '../../src/client-side';
import { rsaKeyPair, unwrapRequest } from './support/keyrings';

const V2 = AlgorithmSuite.AES_256_GCM_IV12_TAG16_NO_KDF;
const V3 = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;

describe('RawAesKeyring (AES/GCM)', () => {
  const key = randomBytes(32);
  const keyring = new RawAesKeyring({ wrappingKey: key, materialDescription: { purpose: 'test' } });

  it('stores IV(12) ‖ AES-GCM(data key, AAD = content algorithm) ‖ tag(16), decryptable with the key alone', async () => {
    for (const suite of [V2, V3]) {
      const w = await keyring.wrapDataKey({ suite, encryptionContext: {} });
      expect(w.encryptedDataKey).toHaveLength(60);
      const d = createDecipheriv('aes-256-gcm', key, w.encryptedDataKey.subarray(0, 12));
      d.setAAD(Buffer.from(suite.cekAlgorithm));
      d.setAuthTag(w.encryptedDataKey.subarray(44));
      expect(Buffer.concat([d.update(w.encryptedDataKey.subarray(12, 44)), d.final()])).toEqual(w.plaintextDataKey.export());
      expect(w.materialDescription).toEqual({ purpose: 'test' });
    }
  });

  it('binds the content algorithm: a V2 wrap does not unwrap as V3', async () => {
    const w = await keyring.wrapDataKey({ suite: V2, encryptionContext: {} });
    expect((await keyring.unwrapDataKey(unwrapRequest(w, V2))).export()).toEqual(w.plaintextDataKey.export());
    await expect(keyring.unwrapDataKey(unwrapRequest(w, V3))).rejects.toBeInstanceOf(DataKeyUnwrapError);
  });

  it('requires the stored material description to match exactly', async () => {
    const w = await keyring.wrapDataKey({ suite: V3, encryptionContext: {} });
    await expect(keyring.unwrapDataKey(unwrapRequest(w, V3, { materialDescription: {} }))).rejects.toBeInstanceOf(MaterialDescriptionMismatchError);
    await expect(keyring.unwrapDataKey(unwrapRequest(w, V3, { materialDescription: { purpose: 'other' } }))).rejects.toThrow(/"purpose"/);
  });

  it.each([16, 24])('a %i-byte key decrypts what another client wrapped with it (as Java\'s AesKeyring does), but refuses to wrap', async (len) => {
    const small = randomBytes(len);
    const dataKey = randomBytes(32);
    for (const suite of [V2, V3]) {
      // the Java client's AES/GCM wrap under an AES-128/192 key: IV(12) ‖ AES-GCM(data key, AAD = content algorithm) ‖ tag
      const iv = randomBytes(12);
      const c = createCipheriv(`aes-${len * 8}-gcm` as 'aes-128-gcm', small, iv);
      c.setAAD(Buffer.from(suite.cekAlgorithm));
      const edk = Buffer.concat([iv, c.update(dataKey), c.final(), c.getAuthTag()]);
      const readOnly = new RawAesKeyring({ wrappingKey: small });
      const unwrapped = await readOnly.unwrapDataKey({ suite, wrappingAlgorithm: WrappingAlgorithm.AES_GCM, encryptedDataKey: edk, encryptionContext: {}, materialDescription: {}, expectedEncryptionContext: {} });
      expect(unwrapped.export()).toEqual(dataKey);
      const err = await readOnly.wrapDataKey({ suite, encryptionContext: {} }).then(() => new Error('no error'), (e: unknown) => e as Error);
      expect(err).toBeInstanceOf(ClientSideConfigurationError);
      expect(err.message).toBe(`RawAesKeyring(AES-${len * 8}) can only decrypt: new data keys are wrapped only under 32-byte (AES-256) keys, and this key has ${len * 8} bits. ` +
        'Encrypt with an AES-256 key; to move existing objects to one, rotate them with DataKeyRotation (or the key-rotation handler).');
      // also when re-wrapping a given data key (rotation to it)
      await expect(readOnly.wrapDataKey({ suite, encryptionContext: {}, plaintextDataKey: createSecretKey(dataKey) })).rejects.toBeInstanceOf(ClientSideConfigurationError);
    }
    await expect(new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: small }) }).encrypt(Buffer.from('x'))).rejects.toThrow(/can only decrypt/);
  });

  it('accepts only 16-, 24- and 32-byte keys', () => {
    for (const len of [0, 8, 20, 31, 33, 64]) {
      expect(() => new RawAesKeyring({ wrappingKey: randomBytes(len) })).toThrow(/needs a 32-byte \(AES-256\) wrapping key \(16- and 24-byte keys are accepted for decrypting only/);
    }
    expect(() => new RawAesKeyring({ wrappingKey: 'x' as unknown as Buffer })).toThrow(ClientSideConfigurationError);
  });

  it('refuses an encryption context (a KMS feature) instead of silently ignoring it', async () => {
    await expect(keyring.wrapDataKey({ suite: V3, encryptionContext: { a: 'b' } })).rejects.toThrow(/materialDescription/);
  });

  it('rejects the wrapping algorithms of other keyrings', async () => {
    const w = await keyring.wrapDataKey({ suite: V3, encryptionContext: {} });
    await expect(keyring.unwrapDataKey(unwrapRequest(w, V3, { wrappingAlgorithm: WrappingAlgorithm.RSA_OAEP_SHA1 }))).rejects.toBeInstanceOf(KeyringMismatchError);
  });

  it('wraps a given data key (re-wrapping for key rotation)', async () => {
    const dataKey = createSecretKey(randomBytes(32));
    const w = await keyring.wrapDataKey({ suite: V3, encryptionContext: {}, plaintextDataKey: dataKey });
    expect((await keyring.unwrapDataKey(unwrapRequest(w, V3))).equals(dataKey)).toBe(true);
  });

  it('never shows key bytes in inspect, JSON or errors', async () => {
    const text = `${inspect(keyring, { depth: 5, showHidden: true })} ${JSON.stringify(keyring)}`;
    expect(text).not.toContain(key.toString('hex'));
    expect(text).not.toContain(key.toString('base64'));
    const w = await keyring.wrapDataKey({ suite: V3, encryptionContext: {} });
    const wrong = new RawAesKeyring({ wrappingKey: randomBytes(32), materialDescription: { purpose: 'test' } });
    const err = await wrong.unwrapDataKey(unwrapRequest(w, V3)).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(DataKeyUnwrapError);
    const errText = `${(err as Error).message} ${inspect(err)}`;
    expect(errText).not.toContain(w.plaintextDataKey.export().toString('hex'));
    expect(errText).not.toContain(key.toString('hex'));
  });
});

describe('RawRsaKeyring (RSA-OAEP-SHA1)', () => {
  const { publicKey, privateKey } = rsaKeyPair();
  const keyring = new RawRsaKeyring({ privateKey });

  it.each([[V2, 50], [V3, 36]])('encrypts the pseudo data key 0x20 ‖ key ‖ algorithm (%s: %i bytes) with OAEP-SHA1', async (suite, length) => {
    const w = await new RawRsaKeyring({ publicKey }).wrapDataKey({ suite, encryptionContext: {} });
    expect(w.encryptedDataKey).toHaveLength(256);
    const pseudo = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, w.encryptedDataKey);
    expect(pseudo).toHaveLength(length);
    expect(pseudo[0]).toBe(32);
    expect(pseudo.subarray(1, 33)).toEqual(w.plaintextDataKey.export());
    expect(pseudo.subarray(33).toString()).toBe(suite.cekAlgorithm);
    expect((await keyring.unwrapDataKey(unwrapRequest(w, suite))).export()).toEqual(w.plaintextDataKey.export());
  });

  it('refuses a wrap bound to another content algorithm (constant-time suffix check)', async () => {
    const w = await keyring.wrapDataKey({ suite: V2, encryptionContext: {} });
    await expect(keyring.unwrapDataKey(unwrapRequest(w, V3))).rejects.toThrow(/not bound to the content algorithm "115"/);
  });

  it('a public-key-only keyring encrypts but cannot decrypt; PEM text works; non-RSA keys and small moduli are refused', async () => {
    const pub = new RawRsaKeyring({ publicKey: publicKey.export({ type: 'spki', format: 'pem' }) });
    const w = await pub.wrapDataKey({ suite: V3, encryptionContext: {} });
    await expect(pub.unwrapDataKey(unwrapRequest(w, V3))).rejects.toThrow(/no private key/);
    const pemPrivate = new RawRsaKeyring({ privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) });
    expect((await pemPrivate.unwrapDataKey(unwrapRequest(w, V3))).equals(w.plaintextDataKey)).toBe(true);
    expect(() => new RawRsaKeyring({ privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey })).toThrow(ClientSideConfigurationError);
    expect(() => new RawRsaKeyring({ publicKey: 'not a pem' })).toThrow(ClientSideConfigurationError);
    const small = new RawRsaKeyring({ privateKey: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey });
    await expect(small.wrapDataKey({ suite: V3, encryptionContext: {} })).rejects.toThrow(/at least 2048/);
  });

  it('never shows the private key in inspect or JSON', () => {
    const der = privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    const text = `${inspect(keyring, { depth: 5, showHidden: true })} ${JSON.stringify(keyring)}`;
    expect(text).not.toContain(der.slice(100, 160));
  });
});

describe('a user-written keyring behind the public Keyring interface', () => {
  /** Example: an AES/GCM keyring whose key lives elsewhere (here: a closure), written only against the public API. */
  class VaultKeyring implements Keyring {
    public readonly name = 'VaultKeyring';
    private readonly inner: RawAesKeyring;
    public calls = 0;
    constructor(key: Buffer) {
      this.inner = new RawAesKeyring({ wrappingKey: key });
    }
    public async wrapDataKey(r: DataKeyWrapRequest): Promise<WrappedDataKey> {
      this.calls++;
      return this.inner.wrapDataKey(r);
    }
    public async unwrapDataKey(r: DataKeyUnwrapRequest): Promise<KeyObject> {
      this.calls++;
      return this.inner.unwrapDataKey(r);
    }
  }

  it('round-trips and produces objects the built-in keyring reads', async () => {
    const key = randomBytes(32);
    const custom = new VaultKeyring(key);
    const client = new ClientSideEncryption({ keyring: custom, metadataStrategy: MetadataStrategy.INSTRUCTION_FILE });
    const obj = await client.encrypt(Buffer.from('custom'));
    expect((await client.decrypt(obj)).toString()).toBe('custom');
    expect((await new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: key }) }).decrypt(obj)).toString()).toBe('custom');
    expect(custom.calls).toBe(2);
  });

  it('a keyring that throws a plain Error surfaces as DataKeyUnwrapError, and a bad wrap result is refused', async () => {
    const obj = await new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: randomBytes(32) }) }).encrypt(Buffer.from('x'));
    const broken: Keyring = {
      name: 'Broken',
      wrapDataKey: async () => ({ plaintextDataKey: createSecretKey(randomBytes(16)), encryptedDataKey: Buffer.alloc(1), wrappingAlgorithm: WrappingAlgorithm.AES_GCM, encryptionContext: {}, materialDescription: {} }),
      unwrapDataKey: async () => {
        throw new Error('vault offline');
      },
    };
    const client = new ClientSideEncryption({ keyring: broken });
    await expect(client.decrypt(obj)).rejects.toBeInstanceOf(DataKeyUnwrapError);
    await expect(client.decrypt(obj)).rejects.toThrow(/the keyring Broken failed \(Error: vault offline\)/);
    await expect(client.encrypt(Buffer.from('x'))).rejects.toThrow(/invalid wrapped data key/);
  });
});

// KmsKeyring, and re-wrapping to it, run against the moto KMS server: test/integ/kms-keyring.test.ts

describe('legacy wraps (behind enableLegacyWrappingAlgorithms)', () => {
  const key = randomBytes(32);
  const keyring = new RawAesKeyring({ wrappingKey: key });
  const dataKey = randomBytes(32);

  it('AESWrap (RFC 3394, id-aes256-wrap) unwraps', async () => {
    const c = createCipheriv('id-aes256-wrap', key, Buffer.from('A6A6A6A6A6A6A6A6', 'hex'));
    const edk = Buffer.concat([c.update(dataKey), c.final()]);
    const dk = await keyring.unwrapDataKey({ suite: V2, wrappingAlgorithm: WrappingAlgorithm.LEGACY_AES_WRAP, encryptedDataKey: edk, encryptionContext: {}, materialDescription: {}, expectedEncryptionContext: {} });
    expect(dk.export()).toEqual(dataKey);
    edk[5] ^= 1;
    await expect(keyring.unwrapDataKey({ suite: V2, wrappingAlgorithm: WrappingAlgorithm.LEGACY_AES_WRAP, encryptedDataKey: edk, encryptionContext: {}, materialDescription: {}, expectedEncryptionContext: {} }))
      .rejects.toBeInstanceOf(DataKeyUnwrapError);
  });

  it('RSA/ECB/OAEPWithSHA-256AndMGF1Padding (SHA-256 for OAEP and MGF1) unwraps', async () => {
    const { publicKey, privateKey } = rsaKeyPair();
    const edk = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, dataKey);
    const dk = await new RawRsaKeyring({ privateKey }).unwrapDataKey({ suite: V2, wrappingAlgorithm: WrappingAlgorithm.LEGACY_RSA_OAEP_SHA256, encryptedDataKey: edk, encryptionContext: {}, materialDescription: {}, expectedEncryptionContext: {} });
    expect(dk.export()).toEqual(dataKey);
  });
});
