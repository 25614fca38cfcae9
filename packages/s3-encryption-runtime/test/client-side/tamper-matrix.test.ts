/**
 * Tamper matrix: every byte class of a stored object (body, tag, IV or message id, commitment,
 * wrapped key, each metadata field), for both formats, all keyrings and both metadata locations.
 * Each modification must fail with the specific typed error, release no plaintext (buffered
 * mode), and never echo key bytes.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import {
  ClientSideEncryption, type Keyring, KmsKeyring, RawRsaKeyring,
  type ClientSideEncryptionError, CommitmentPolicy, ContentAuthenticationError, ContentFormat, DataKeyUnwrapError, decodeContentMetadata,
  type EncryptedObject, EncryptionContextMismatchError, KeyCommitmentError, KeyringMismatchError, LegacyModeDisabledError,
  MalformedMetadataError, MaterialDescriptionMismatchError, MetadataStrategy, MissingInstructionFileError, RawAesKeyring,
  UnknownWrappingAlgorithmError,
} from '../../src/client-side';
import { decryptObserved, Fixture, FORMATS, KEYRING_KINDS, type KeyringKind, STRATEGIES } from './support/harness';
import { testKmsClient } from './support/keyrings';

type ErrorClass = abstract new (...args: never[]) => ClientSideEncryptionError;

/** Reads and rewrites a metadata field wherever it lives (object metadata or instruction file). */
function editField(obj: EncryptedObject, key: string, edit: (value: string | undefined) => string | undefined): EncryptedObject {
  const metadata = { ...obj.metadata };
  const file: Record<string, string> | undefined = obj.instructionFile ? JSON.parse(obj.instructionFile) : undefined;
  const target = key in metadata || !file ? metadata : file;
  const next = edit(target[key]);
  if (next === undefined) delete target[key];
  else target[key] = next;
  return { body: obj.body, metadata, instructionFile: file ? JSON.stringify(file) : undefined };
}

/** Flips one bit of byte `index` of a base64 field (index < 0 counts from the end). */
function flipBase64(obj: EncryptedObject, key: string, index: number): EncryptedObject {
  return editField(obj, key, (v) => {
    const bytes = Buffer.from(v!, 'base64');
    bytes[index < 0 ? bytes.length + index : index] ^= 0x01;
    return bytes.toString('base64');
  });
}

function flipBody(obj: EncryptedObject, index: number): EncryptedObject {
  const body = Buffer.from(obj.body);
  body[index < 0 ? body.length + index : index] ^= 0x80;
  return { ...obj, body };
}

const OTHER_WRITABLE_WRAP: Record<KeyringKind, { v2: string; v3: string }> = {
  aes: { v2: 'RSA-OAEP-SHA1', v3: '22' },
  rsa: { v2: 'kms+context', v3: '12' },
  kms: { v2: 'AES/GCM', v3: '02' },
};
const LEGACY_WRAP: Record<KeyringKind, string> = { aes: 'AESWrap', rsa: 'RSA/ECB/OAEPWithSHA-256AndMGF1Padding', kms: 'kms' };

interface Case {
  readonly name: string;
  readonly tamper: (o: EncryptedObject) => EncryptedObject;
  readonly expected: ErrorClass;
  readonly legacy?: boolean;
}

function casesFor(kind: KeyringKind, format: ContentFormat, strategy: MetadataStrategy): Case[] {
  const v3 = format === ContentFormat.V3;
  const keyField = v3 ? 'x-amz-3' : 'x-amz-key-v2';
  const cases: Case[] = [
    { name: 'body: first byte', tamper: (o) => flipBody(o, 0), expected: ContentAuthenticationError },
    { name: 'body: last ciphertext byte', tamper: (o) => flipBody(o, -17), expected: ContentAuthenticationError },
    { name: 'tag: first byte', tamper: (o) => flipBody(o, -16), expected: ContentAuthenticationError },
    { name: 'tag: last byte', tamper: (o) => flipBody(o, -1), expected: ContentAuthenticationError },
    { name: 'body: truncated by one byte', tamper: (o) => ({ ...o, body: o.body.subarray(0, o.body.length - 1) }), expected: ContentAuthenticationError },
    { name: 'body: one byte appended', tamper: (o) => ({ ...o, body: Buffer.concat([o.body, Buffer.from([0])]) }), expected: ContentAuthenticationError },
    { name: 'body: only the tag left', tamper: (o) => ({ ...o, body: o.body.subarray(o.body.length - 16) }), expected: ContentAuthenticationError },
    { name: 'wrapped key: first byte', tamper: (o) => flipBase64(o, keyField, 0), expected: DataKeyUnwrapError },
    { name: 'wrapped key: middle byte', tamper: (o) => flipBase64(o, keyField, 30), expected: DataKeyUnwrapError },
    { name: 'wrapped key: last byte', tamper: (o) => flipBase64(o, keyField, -1), expected: DataKeyUnwrapError },
    { name: 'wrapped key: not base64', tamper: (o) => editField(o, keyField, (v) => `${v!.slice(0, 10)}*${v!.slice(11)}`), expected: MalformedMetadataError },
  ];
  if (v3) {
    cases.push(
      { name: 'message id (x-amz-i): first byte', tamper: (o) => flipBase64(o, 'x-amz-i', 0), expected: KeyCommitmentError },
      { name: 'message id (x-amz-i): last byte', tamper: (o) => flipBase64(o, 'x-amz-i', -1), expected: KeyCommitmentError },
      { name: 'commitment (x-amz-d): first byte', tamper: (o) => flipBase64(o, 'x-amz-d', 0), expected: KeyCommitmentError },
      { name: 'commitment (x-amz-d): last byte', tamper: (o) => flipBase64(o, 'x-amz-d', -1), expected: KeyCommitmentError },
      { name: 'commitment (x-amz-d): truncated', tamper: (o) => editField(o, 'x-amz-d', (v) => Buffer.from(v!, 'base64').subarray(1).toString('base64')), expected: MalformedMetadataError },
      { name: 'x-amz-c: 114', tamper: (o) => editField(o, 'x-amz-c', () => '114'), expected: MalformedMetadataError },
      { name: 'x-amz-w: unknown code', tamper: (o) => editField(o, 'x-amz-w', () => '99'), expected: UnknownWrappingAlgorithmError },
      // a KMS object keeps its x-amz-t, which a raw-key code may not carry: rejected while decoding
      { name: 'x-amz-w: another keyring kind', tamper: (o) => editField(o, 'x-amz-w', () => OTHER_WRITABLE_WRAP[kind].v3), expected: kind === 'kms' ? MalformedMetadataError : KeyringMismatchError },
      { name: 'a V2 key added (x-amz-tag-len)', tamper: (o) => ({ ...o, metadata: { ...o.metadata, 'x-amz-tag-len': '128' } }), expected: MalformedMetadataError },
      { name: 'x-amz-3 removed', tamper: (o) => editField(o, 'x-amz-3', () => undefined), expected: MalformedMetadataError },
      { name: 'x-amz-i removed', tamper: (o) => editField(o, 'x-amz-i', () => undefined), expected: MalformedMetadataError },
    );
    if (kind === 'kms') {
      cases.push(
        { name: 'x-amz-t: entry added', tamper: (o) => editField(o, 'x-amz-t', (v) => JSON.stringify({ ...JSON.parse(v!), extra: 'b' })), expected: EncryptionContextMismatchError },
        { name: 'x-amz-t: entry value changed', tamper: (o) => editField(o, 'x-amz-t', (v) => JSON.stringify({ ...JSON.parse(v!), tenant: 'b' })), expected: EncryptionContextMismatchError },
        { name: 'x-amz-t: aws:x-amz-cek-alg downgraded', tamper: (o) => editField(o, 'x-amz-t', (v) => JSON.stringify({ ...JSON.parse(v!), 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding' })), expected: EncryptionContextMismatchError },
        { name: 'x-amz-t: removed', tamper: (o) => editField(o, 'x-amz-t', () => undefined), expected: EncryptionContextMismatchError },
        { name: 'x-amz-t: not JSON', tamper: (o) => editField(o, 'x-amz-t', (v) => v!.slice(1)), expected: MalformedMetadataError },
      );
    } else {
      cases.push(
        { name: 'x-amz-m: material description added', tamper: (o) => editField(o, 'x-amz-m', () => '{"k":"v"}'), expected: MaterialDescriptionMismatchError },
        { name: 'x-amz-t: KMS context added to a raw-key object', tamper: (o) => editField(o, 'x-amz-t', () => '{"a":"b"}'), expected: MalformedMetadataError },
      );
    }
  } else {
    cases.push(
      { name: 'IV (x-amz-iv): first byte', tamper: (o) => flipBase64(o, 'x-amz-iv', 0), expected: ContentAuthenticationError },
      { name: 'IV (x-amz-iv): last byte', tamper: (o) => flipBase64(o, 'x-amz-iv', -1), expected: ContentAuthenticationError },
      { name: 'IV (x-amz-iv): wrong length', tamper: (o) => editField(o, 'x-amz-iv', () => Buffer.alloc(16, 1).toString('base64')), expected: MalformedMetadataError },
      { name: 'x-amz-cek-alg: misspelt', tamper: (o) => editField(o, 'x-amz-cek-alg', () => 'AES/GCM/NoPaddinX'), expected: MalformedMetadataError },
      { name: 'x-amz-cek-alg: committing 115 in V2', tamper: (o) => editField(o, 'x-amz-cek-alg', () => '115'), expected: MalformedMetadataError },
      {
        name: 'x-amz-cek-alg: downgraded to CBC (with a 16-byte IV), legacy off',
        tamper: (o) => editField(editField(o, 'x-amz-cek-alg', () => 'AES/CBC/PKCS5Padding'), 'x-amz-iv', () => Buffer.alloc(16, 1).toString('base64')),
        expected: LegacyModeDisabledError,
      },
      {
        name: 'x-amz-cek-alg: downgraded to CBC, legacy on: the wrap binding refuses it',
        tamper: (o) => editField(editField(o, 'x-amz-cek-alg', () => 'AES/CBC/PKCS5Padding'), 'x-amz-iv', () => Buffer.alloc(16, 1).toString('base64')),
        expected: kind === 'kms' ? EncryptionContextMismatchError : DataKeyUnwrapError,
        legacy: true,
      },
      { name: 'x-amz-wrap-alg: unknown', tamper: (o) => editField(o, 'x-amz-wrap-alg', () => 'AES/GCX'), expected: UnknownWrappingAlgorithmError },
      { name: 'x-amz-wrap-alg: another keyring kind', tamper: (o) => editField(o, 'x-amz-wrap-alg', () => OTHER_WRITABLE_WRAP[kind].v2), expected: KeyringMismatchError },
      { name: 'x-amz-wrap-alg: legacy wrap, legacy off', tamper: (o) => editField(o, 'x-amz-wrap-alg', () => LEGACY_WRAP[kind]), expected: LegacyModeDisabledError },
      { name: 'x-amz-tag-len: 96', tamper: (o) => editField(o, 'x-amz-tag-len', () => '96'), expected: MalformedMetadataError },
      { name: 'x-amz-matdesc: not JSON', tamper: (o) => editField(o, 'x-amz-matdesc', (v) => `${v}}`), expected: MalformedMetadataError },
      { name: 'x-amz-matdesc: an array', tamper: (o) => editField(o, 'x-amz-matdesc', () => '[]'), expected: MalformedMetadataError },
      { name: 'x-amz-key-v2 removed', tamper: (o) => editField(o, 'x-amz-key-v2', () => undefined), expected: MalformedMetadataError },
      { name: 'a V3 key added (x-amz-c)', tamper: (o) => ({ ...o, metadata: { ...o.metadata, 'x-amz-c': '115' } }), expected: MalformedMetadataError },
      { name: 'mixed markers (x-amz-3 added)', tamper: (o) => editField(o, 'x-amz-3', () => 'AAAA'), expected: MalformedMetadataError },
    );
    if (kind === 'kms') {
      cases.push(
        { name: 'x-amz-matdesc: context entry added', tamper: (o) => editField(o, 'x-amz-matdesc', (v) => JSON.stringify({ ...JSON.parse(v!), extra: 'b' })), expected: EncryptionContextMismatchError },
        { name: 'x-amz-matdesc: context entry value changed', tamper: (o) => editField(o, 'x-amz-matdesc', (v) => JSON.stringify({ ...JSON.parse(v!), tenant: 'b' })), expected: EncryptionContextMismatchError },
        { name: 'x-amz-matdesc: aws:x-amz-cek-alg changed', tamper: (o) => editField(o, 'x-amz-matdesc', (v) => JSON.stringify({ ...JSON.parse(v!), 'aws:x-amz-cek-alg': '115' })), expected: EncryptionContextMismatchError },
        { name: 'x-amz-matdesc: removed', tamper: (o) => editField(o, 'x-amz-matdesc', () => undefined), expected: EncryptionContextMismatchError },
      );
    } else {
      cases.push(
        { name: 'x-amz-matdesc: material description changed', tamper: (o) => editField(o, 'x-amz-matdesc', () => '{"k":"v"}'), expected: MaterialDescriptionMismatchError },
        {
          name: 'x-amz-wrap-alg: legacy wrap, legacy on: the legacy unwrap fails',
          tamper: (o) => editField(o, 'x-amz-wrap-alg', () => LEGACY_WRAP[kind]),
          expected: DataKeyUnwrapError,
          legacy: true,
        },
      );
    }
  }
  if (strategy === MetadataStrategy.INSTRUCTION_FILE) {
    cases.push(
      { name: 'instruction file: missing', tamper: (o) => ({ ...o, instructionFile: undefined }), expected: MissingInstructionFileError },
      { name: 'instruction file: not JSON', tamper: (o) => ({ ...o, instructionFile: o.instructionFile!.slice(0, -1) }), expected: MalformedMetadataError },
      { name: 'instruction file: a JSON array', tamper: (o) => ({ ...o, instructionFile: '[]' }), expected: MalformedMetadataError },
    );
    if (v3) {
      for (const key of ['x-amz-c', 'x-amz-d', 'x-amz-i']) {
        cases.push({
          name: `instruction file: carries ${key} (must stay on the object)`,
          tamper: (o) => ({ ...o, instructionFile: JSON.stringify({ ...JSON.parse(o.instructionFile!), [key]: o.metadata[key] }) }),
          expected: MalformedMetadataError,
        });
      }
    }
  }
  return cases;
}

const PLAINTEXT = Buffer.from('tamper-matrix plaintext: 48 bytes of content ..', 'utf8');

describe.each(KEYRING_KINDS)('tamper matrix, %s keyring', (kind) => {
  let fx: Fixture;
  beforeAll(() => {
    fx = new Fixture();
  });
  afterAll(() => fx.restore());

  describe.each(FORMATS)('%s', (format) => {
    describe.each(STRATEGIES)('%s', (strategy) => {
      let original: EncryptedObject;
      let secretStrings: string[];
      const ec = kind === 'kms' ? { tenant: 'a' } : undefined;
      beforeAll(async () => {
        original = await fx.encrypt(kind, format, strategy, PLAINTEXT, ec);
        secretStrings = [fx.aesKey.toString('hex'), fx.aesKey.toString('base64')];
        if (kind === 'aes') {
          const md = decodeContentMetadata(original);
          const dataKey = (await new RawAesKeyring({ wrappingKey: fx.aesKey }).unwrapDataKey({ ...md, expectedEncryptionContext: {} })).export();
          secretStrings.push(dataKey.toString('hex'), dataKey.toString('base64'));
        }
      });

      it('the untouched object decrypts', async () => {
        const out = await decryptObserved(fx.client(kind), { ...original }, 7, { encryptionContext: ec });
        expect(out.error).toBeUndefined();
        expect(out.plaintext).toEqual(PLAINTEXT);
      });

      it.each(casesFor(kind, format, strategy).map((c) => [c.name, c] as const))('%s', async (_name, c) => {
        const client = fx.client(kind, c.legacy ? { enableLegacyUnauthenticatedModes: true, enableLegacyWrappingAlgorithms: true } : {});
        const tampered = c.tamper(original);
        const out = await decryptObserved(client, tampered, 7, { encryptionContext: ec });
        expect(out.error).toBeInstanceOf(c.expected);
        expect(out.releasedBytes).toBe(0);
        const text = `${(out.error as Error).message}\n${inspect(out.error)}`;
        for (const s of secretStrings) expect(text).not.toContain(s);
        // the in-memory API agrees
        await expect(client.decrypt(tampered, { encryptionContext: ec })).rejects.toBeInstanceOf(c.expected);
      });
    });
  });
});

describe('exhaustive single-byte flips with the raw AES keyring', () => {
  let fx: Fixture;
  beforeAll(() => {
    fx = new Fixture();
  });
  afterAll(() => fx.restore());

  it.each(FORMATS)('%s: every body byte, every wrapped-key byte and every IV / message id / commitment byte fails with its error class', async (format) => {
    const original = await fx.encrypt('aes', format, MetadataStrategy.OBJECT_METADATA, Buffer.from('0123456789abcdef0123456789abcdef!'));
    const client = fx.client('aes');
    const expectFailure = async (tampered: EncryptedObject, expected: ErrorClass) => {
      const out = await decryptObserved(client, tampered, 5);
      expect(out.error).toBeInstanceOf(expected);
      expect(out.releasedBytes).toBe(0);
    };
    for (let i = 0; i < original.body.length; i++) await expectFailure(flipBody(original, i), ContentAuthenticationError);
    const keyField = format === ContentFormat.V3 ? 'x-amz-3' : 'x-amz-key-v2';
    for (let i = 0; i < 60; i++) await expectFailure(flipBase64(original, keyField, i), DataKeyUnwrapError);
    if (format === ContentFormat.V3) {
      for (let i = 0; i < 28; i++) await expectFailure(flipBase64(original, 'x-amz-i', i), KeyCommitmentError);
      for (let i = 0; i < 28; i++) await expectFailure(flipBase64(original, 'x-amz-d', i), KeyCommitmentError);
    } else {
      for (let i = 0; i < 12; i++) await expectFailure(flipBase64(original, 'x-amz-iv', i), ContentAuthenticationError);
    }
  });
});

describe('wrong keys', () => {
  let fx: Fixture;
  beforeAll(() => {
    fx = new Fixture();
  });
  afterAll(() => fx.restore());

  it.each(KEYRING_KINDS)('an object written with another %s key fails with DataKeyUnwrapError', async (kind) => {
    const readers: Record<KeyringKind, () => Keyring> = {
      aes: () => new RawAesKeyring({ wrappingKey: randomBytes(32) }),
      rsa: () => new RawRsaKeyring({ privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey }),
      kms: () => new KmsKeyring({ client: testKmsClient(), keyId: fx.kms.createKey() }),
    };
    const client = new ClientSideEncryption({ keyring: readers[kind]() });
    for (const format of FORMATS) {
      const obj = await fx.encrypt(kind, format, MetadataStrategy.OBJECT_METADATA, PLAINTEXT);
      const out = await decryptObserved(client, obj);
      expect(out.error).toBeInstanceOf(DataKeyUnwrapError);
      expect(out.releasedBytes).toBe(0);
    }
  });

  it('a REQUIRE_ENCRYPT_REQUIRE_DECRYPT reader refuses a V2 object before asking KMS', async () => {
    const obj = await fx.encrypt('kms', ContentFormat.V2, MetadataStrategy.OBJECT_METADATA, PLAINTEXT);
    const before = fx.kms.requests.length;
    const out = await decryptObserved(fx.client('kms', { commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT }), obj);
    expect((out.error as Error).name).toBe('CommitmentPolicyError');
    expect(fx.kms.requests.length).toBe(before);
  });
});
