/**
 * DataKeyRotation: re-wrapping an object's data key from old key-encryption keys to a new one, without
 * touching the body. KMS is the in-process fake (with ReEncrypt); raw keys are real.
 */
import { randomBytes } from 'node:crypto';
import { ReEncryptCommand } from '@aws-sdk/client-kms';
import {
  ClientSideEncryption,
  ClientSideUsageError,
  ContentFormat,
  DataKeyRotation,
  DataKeyUnwrapError,
  EncryptionContextMismatchError,
  type EncryptedObject,
  KeyCommitmentError,
  type Keyring,
  keyringRotationKey,
  KmsKeyring,
  KmsRequestError,
  kmsRotationKey,
  MaterialDescriptionMismatchError,
  MetadataStrategy,
  RawAesKeyring,
  RawRsaKeyring,
  type RotationKey,
} from '../../src';
import { decodeContentMetadata } from '../../src/client-side/metadata/decode-metadata';
import { encodeContentMetadata } from '../../src/client-side/metadata/encode-metadata';
import { FakeKms } from './support/fake-kms';
import { addReEncrypt } from './support/fake-kms-reencrypt';
import { rsaKeyPair, testKmsClient } from './support/keyrings';
import { seededBytes } from './support/harness';

describe('DataKeyRotation', () => {
  let kms: FakeKms;
  let oldKms: string;
  let newKms: string;
  let otherKms: string;
  const oldAes = randomBytes(32);
  const newAes = randomBytes(32);
  const plaintext = seededBytes(7, 70_001);
  const ec = { tenant: 'acme', 'ünïcode': 'välue' };

  beforeAll(() => {
    kms = new FakeKms();
    addReEncrypt(kms);
    oldKms = kms.createKey('alias/old');
    newKms = kms.createKey('alias/new');
    otherKms = kms.createKey();
  });
  afterAll(() => kms.restore());
  beforeEach(() => kms.requests.splice(0));

  const kmsKeyring = (keyId: string) => new KmsKeyring({ client: testKmsClient(), keyId });
  const kmsKey = (keyId: string): RotationKey => kmsRotationKey({ client: testKmsClient(), keyId });
  const aesKeyring = (key: Buffer, materialDescription: Record<string, string> = {}) => new RawAesKeyring({ wrappingKey: key, materialDescription });
  const encrypt = (keyring: Keyring, format: ContentFormat, strategy: MetadataStrategy, context?: Record<string, string>) =>
    new ClientSideEncryption({ keyring, format, metadataStrategy: strategy }).encrypt(plaintext, context ? { encryptionContext: context } : {});

  /** Applies the rotation to a stored object: the same body with the new metadata. */
  async function rotate(rotation: DataKeyRotation, obj: EncryptedObject) {
    const stored = { metadata: obj.metadata, instructionFile: obj.instructionFile };
    const md = decodeContentMetadata(stored);
    const out = await rotation.rewrap(stored, md);
    if (out.outcome === 'already-current') return { out, obj };
    const encoded = encodeContentMetadata(out.contentMetadata, md.strategy);
    return { out, obj: { body: obj.body, metadata: encoded.metadata, instructionFile: encoded.instructionFile } };
  }
  const decryptWith = (keyring: Keyring, obj: EncryptedObject, context?: Record<string, string>) =>
    new ClientSideEncryption({ keyring }).decrypt(obj, context ? { encryptionContext: context } : {});

  describe.each([ContentFormat.V3, ContentFormat.V2])('%s', (format) => {
    it.each([MetadataStrategy.OBJECT_METADATA, MetadataStrategy.INSTRUCTION_FILE])('KMS to KMS (%s) moves the data key with ReEncrypt only, keeping the encryption context', async (strategy) => {
      const obj = await encrypt(kmsKeyring(oldKms), format, strategy, ec);
      kms.requests.splice(0);
      const { out, obj: rotated } = await rotate(new DataKeyRotation({ from: [kmsKey(oldKms)], to: kmsKey(newKms) }), obj);
      expect(out).toMatchObject({ outcome: 'rewrapped', method: 'kms-reencrypt' });
      expect(kms.requests.map((r) => r.op)).toEqual(['ReEncrypt']); // no Decrypt: the data key never left KMS
      expect(kms.requests[0].input).toMatchObject({ SourceKeyId: oldKms, DestinationKeyId: newKms, SourceEncryptionContext: { ...ec, 'aws:x-amz-cek-alg': format === ContentFormat.V3 ? '115' : 'AES/GCM/NoPadding' } });
      // V3: commitment and message id stay; the instruction file is all that changes in instruction-file mode
      if (format === ContentFormat.V3) for (const k of ['x-amz-c', 'x-amz-d', 'x-amz-i']) expect(rotated.metadata[k]).toBe(obj.metadata[k]);
      if (strategy === MetadataStrategy.INSTRUCTION_FILE) expect(rotated.metadata).toEqual(obj.metadata);

      expect((await decryptWith(kmsKeyring(newKms), rotated, ec)).equals(plaintext)).toBe(true);
      await expect(decryptWith(kmsKeyring(oldKms), rotated, ec)).rejects.toBeInstanceOf(DataKeyUnwrapError);
    });

    it('raw AES to raw AES (new material description): unwrap and wrap; the old key no longer opens it', async () => {
      const obj = await encrypt(aesKeyring(oldAes, { v: '1' }), format, MetadataStrategy.OBJECT_METADATA);
      const rotation = new DataKeyRotation({ from: [keyringRotationKey(aesKeyring(oldAes, { v: '1' }))], to: keyringRotationKey(aesKeyring(newAes, { v: '2' })) });
      const { out, obj: rotated } = await rotate(rotation, obj);
      expect(out).toMatchObject({ outcome: 'rewrapped', method: 'unwrap-and-wrap' });
      expect((await decryptWith(aesKeyring(newAes, { v: '2' }), rotated)).equals(plaintext)).toBe(true);
      await expect(decryptWith(aesKeyring(oldAes, { v: '1' }), rotated)).rejects.toBeInstanceOf(MaterialDescriptionMismatchError);
      await expect(decryptWith(aesKeyring(oldAes, { v: '2' }), rotated)).rejects.toBeInstanceOf(DataKeyUnwrapError); // the old key itself no longer opens it
    });

    it('raw AES to KMS and KMS to RSA', async () => {
      const obj = await encrypt(aesKeyring(oldAes), format, MetadataStrategy.INSTRUCTION_FILE);
      const toKms = await rotate(new DataKeyRotation({ from: [keyringRotationKey(aesKeyring(oldAes))], to: kmsKey(newKms) }), obj);
      expect(kms.requests.map((r) => r.op)).toEqual(['Encrypt']);
      expect((await decryptWith(kmsKeyring(newKms), toKms.obj)).equals(plaintext)).toBe(true);

      const rsa = new RawRsaKeyring({ privateKey: rsaKeyPair().privateKey });
      const toRsa = await rotate(new DataKeyRotation({ from: [kmsKey(oldKms), kmsKey(newKms)], to: keyringRotationKey(rsa) }), toKms.obj);
      expect(toRsa.out).toMatchObject({ outcome: 'rewrapped', from: { description: `KMS key ${newKms}` } });
      expect((await decryptWith(rsa, toRsa.obj)).equals(plaintext)).toBe(true);
    });
  });

  it('is idempotent: an object already under the new key is reported as such, checked without kms:Decrypt', async () => {
    const obj = await encrypt(kmsKeyring(oldKms), ContentFormat.V3, MetadataStrategy.OBJECT_METADATA, ec);
    const rotation = new DataKeyRotation({ from: [kmsKey(oldKms)], to: kmsKey(newKms) });
    const once = await rotate(rotation, obj);
    kms.requests.splice(0);
    const twice = await rotate(rotation, once.obj);
    expect(twice.out).toEqual({ outcome: 'already-current' });
    expect(kms.requests.map((r) => [r.op, (r.input as { SourceKeyId?: string }).SourceKeyId])).toEqual([['ReEncrypt', oldKms], ['ReEncrypt', newKms]]);

    const raw = await encrypt(aesKeyring(newAes), ContentFormat.V2, MetadataStrategy.OBJECT_METADATA);
    const rawRotation = new DataKeyRotation({ from: [keyringRotationKey(aesKeyring(oldAes))], to: keyringRotationKey(aesKeyring(newAes)) });
    expect((await rotate(rawRotation, raw)).out).toEqual({ outcome: 'already-current' });
  });

  it('tries every old key in order', async () => {
    const obj = await encrypt(kmsKeyring(otherKms), ContentFormat.V2, MetadataStrategy.OBJECT_METADATA);
    const { out, obj: rotated } = await rotate(new DataKeyRotation({ from: [kmsKey(oldKms), kmsKey(otherKms)], to: kmsKey(newKms) }), obj);
    expect(out).toMatchObject({ outcome: 'rewrapped', from: { description: `KMS key ${otherKms}` } });
    expect((await decryptWith(kmsKeyring(newKms), rotated)).equals(plaintext)).toBe(true);
  });

  it('an object under neither key fails with DataKeyUnwrapError naming both', async () => {
    const obj = await encrypt(kmsKeyring(otherKms), ContentFormat.V3, MetadataStrategy.OBJECT_METADATA);
    const err = await rotate(new DataKeyRotation({ from: [kmsKey(oldKms)], to: kmsKey(newKms) }), obj).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataKeyUnwrapError);
    expect((err as Error).message).toContain(`none of the old keys (KMS key ${oldKms}) and not under the new key (KMS key ${newKms})`);
    const raw = await encrypt(aesKeyring(randomBytes(32)), ContentFormat.V3, MetadataStrategy.OBJECT_METADATA);
    await expect(rotate(new DataKeyRotation({ from: [keyringRotationKey(aesKeyring(oldAes))], to: keyringRotationKey(aesKeyring(newAes)) }), raw)).rejects.toBeInstanceOf(DataKeyUnwrapError);
  });

  it('refuses to drop a KMS encryption context into a raw-key wrap, and legacy objects', async () => {
    const obj = await encrypt(kmsKeyring(oldKms), ContentFormat.V3, MetadataStrategy.OBJECT_METADATA, ec);
    kms.requests.splice(0);
    const err = await rotate(new DataKeyRotation({ from: [kmsKey(oldKms)], to: keyringRotationKey(aesKeyring(newAes)) }), obj).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientSideUsageError);
    expect((err as Error).message).toMatch(/encryption context \("tenant", "ünïcode"\)/);
    expect(kms.requests).toEqual([]);

    const v1 = { metadata: { 'x-amz-key': randomBytes(48).toString('base64'), 'x-amz-iv': randomBytes(16).toString('base64'), 'x-amz-matdesc': '{}' } };
    await expect(new DataKeyRotation({ from: [keyringRotationKey(aesKeyring(oldAes))], to: keyringRotationKey(aesKeyring(newAes)) }).rewrap(v1, decodeContentMetadata(v1)))
      .rejects.toThrow(/Legacy objects .* cannot be re-wrapped/);
  });

  it('tampered metadata is a typed error, not "not this key"', async () => {
    const obj = await encrypt(kmsKeyring(oldKms), ContentFormat.V3, MetadataStrategy.OBJECT_METADATA, ec);
    const downgraded = { ...obj, metadata: { ...obj.metadata, 'x-amz-t': obj.metadata['x-amz-t'].replace('"115"', '"AES/GCM/NoPadding"') } };
    await expect(rotate(new DataKeyRotation({ from: [kmsKey(oldKms)], to: kmsKey(newKms) }), downgraded)).rejects.toBeInstanceOf(EncryptionContextMismatchError);

    const aes = await encrypt(aesKeyring(oldAes), ContentFormat.V3, MetadataStrategy.OBJECT_METADATA);
    const d = Buffer.from(aes.metadata['x-amz-d'], 'base64');
    d[0] ^= 1;
    const badCommitment = { ...aes, metadata: { ...aes.metadata, 'x-amz-d': d.toString('base64') } };
    await expect(rotate(new DataKeyRotation({ from: [keyringRotationKey(aesKeyring(oldAes))], to: kmsKey(newKms) }), badCommitment)).rejects.toBeInstanceOf(KeyCommitmentError);
  });

  it('KMS throttling is a KmsRequestError (Batch Operations retries it), not a wrong key', async () => {
    const obj = await encrypt(kmsKeyring(oldKms), ContentFormat.V2, MetadataStrategy.OBJECT_METADATA);
    kms.mock.on(ReEncryptCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    try {
      const err = await rotate(new DataKeyRotation({ from: [kmsKey(oldKms)], to: kmsKey(newKms) }), obj).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KmsRequestError);
      expect((err as Error).message).toMatch(/ReEncrypt .*ThrottlingException/);
    } finally {
      addReEncrypt(kms);
    }
  });
});
