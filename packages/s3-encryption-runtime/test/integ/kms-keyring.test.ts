/**
 * KmsKeyring and the client-side materials code through the real @aws-sdk/client-kms against the moto
 * server's KMS: GenerateDataKey, Encrypt and Decrypt with the encryption context bound by KMS itself.
 * Two moto departures from AWS KMS are brought back to the documented behaviour by ./support/kms-as-documented.ts;
 * the faults moto cannot produce (throttling, access denied) come from a fault-injecting HTTP handler placed
 * in front of moto, so the SDK's real retry strategy runs.
 */
import { createCipheriv, createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  AlgorithmSuite, ClientSideConfigurationError, ClientSideEncryption, ContentFormat, DataKeyUnwrapError,
  decodeContentMetadata, EncryptionContextMismatchError, KmsKeyring, KmsRequestError, LegacyModeDisabledError, MetadataStrategy,
  RawAesKeyring, ReservedEncryptionContextKeyError, WrappingAlgorithm,
} from '../../src/client-side';
import { unwrapRequest } from '../client-side/support/keyrings';
import { kmsAsDocumented, type KmsAsDocumented } from './support/kms-as-documented';
import { describeWithKms, motoTestServer, uniqueName } from './support/moto-server';

const V2 = AlgorithmSuite.AES_256_GCM_IV12_TAG16_NO_KDF;
const V3 = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;

/**
 * An HTTP handler in front of moto that answers the first requests with the given KMS error responses (HTTP 400,
 * JSON 1.1 `__type`, as KMS sends them), then passes requests to moto. Everything above the HTTP layer (the SDK's
 * retry strategy, error parsing) is real.
 */
class FaultInjectingHandler extends NodeHttpHandler {
  public requests = 0;
  constructor(private readonly faults: string[]) {
    super();
  }

  public override async handle(...args: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    this.requests++;
    const fault = this.faults.shift();
    if (!fault) return super.handle(...args);
    const message = fault === 'ThrottlingException' ? 'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.' : 'User is not authorized to perform kms:GenerateDataKey';
    const body = Readable.from([Buffer.from(JSON.stringify({ __type: fault, message }))]);
    return { response: { statusCode: 400, reason: 'Bad Request', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': fault }, body } };
  }
}

describeWithKms('KmsKeyring against the moto KMS server', () => {
  const moto = motoTestServer();
  let kms: KmsAsDocumented;
  let keyId: string;
  let alias: string;
  let keyring: KmsKeyring;
  const ops = () => kms.calls.map((c) => c.op);

  beforeAll(async () => {
    kms = kmsAsDocumented(moto);
    alias = `alias/${uniqueName('keyring')}`;
    keyId = await moto.createKmsKey(alias);
    keyring = new KmsKeyring({ client: moto.kmsClient(), keyId });
  });
  afterAll(() => kms.restore());
  beforeEach(() => {
    kms.calls.length = 0;
  });

  it('GenerateDataKey with the caller context plus aws:x-amz-cek-alg; KMS Decrypt gives the same data key back', async () => {
    const w = await keyring.wrapDataKey({ suite: V3, encryptionContext: { tenant: 'a' } });
    expect(kms.calls[0]).toEqual({ op: 'GenerateDataKey', input: expect.objectContaining({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: { tenant: 'a', 'aws:x-amz-cek-alg': '115' } }) });
    expect(w.encryptionContext).toEqual({ tenant: 'a', 'aws:x-amz-cek-alg': '115' });
    expect(w.plaintextDataKey.symmetricKeySize).toBe(32);
    const dk = await keyring.unwrapDataKey(unwrapRequest(w, V3, { expectedEncryptionContext: { tenant: 'a' } }));
    expect(dk.equals(w.plaintextDataKey)).toBe(true);
    expect(kms.calls[1]).toEqual({ op: 'Decrypt', input: expect.objectContaining({ KeyId: keyId, EncryptionContext: w.encryptionContext }) });
  });

  it('wraps an existing data key with KMS Encrypt (re-wrapping for rotation)', async () => {
    const dataKey = createSecretKey(randomBytes(32));
    const w = await keyring.wrapDataKey({ suite: V2, encryptionContext: {}, plaintextDataKey: dataKey });
    expect(ops()).toEqual(['Encrypt']);
    expect((await keyring.unwrapDataKey(unwrapRequest(w, V2))).equals(dataKey)).toBe(true);
  });

  it.each(['aws:x-amz-cek-alg', 'kms_cmk_id'])('refuses the reserved key %s in the caller context on write, before calling KMS', async (reserved) => {
    const err = await keyring.wrapDataKey({ suite: V3, encryptionContext: { tenant: 'a', [reserved]: 'x' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReservedEncryptionContextKeyError);
    expect(err).toBeInstanceOf(ClientSideConfigurationError);
    expect(err).toMatchObject({ key: reserved, code: 'ClientSideConfigurationInvalid' });
    expect((err as Error).message).toContain(JSON.stringify(reserved));
    // and through the client, so nothing is written with a context entry that no reader would check
    const client = new ClientSideEncryption({ keyring });
    await expect(client.encrypt(Buffer.from('x'), { encryptionContext: { [reserved]: 'x' } })).rejects.toBeInstanceOf(ReservedEncryptionContextKeyError);
    expect(ops()).toEqual([]);
  });

  it('compares the stored context with the expected one before calling KMS (ignoring the reserved keys)', async () => {
    const w = await keyring.wrapDataKey({ suite: V3, encryptionContext: { tenant: 'a' } });
    kms.calls.length = 0;
    for (const expected of [{}, { tenant: 'b' }, { tenant: 'a', extra: '1' }] as Record<string, string>[]) {
      await expect(keyring.unwrapDataKey(unwrapRequest(w, V3, { expectedEncryptionContext: expected }))).rejects.toBeInstanceOf(EncryptionContextMismatchError);
    }
    expect(ops()).toEqual([]);
    // the reserved keys are left out of the comparison on both sides
    const ignoringReserved = await new KmsKeyring({ client: moto.kmsClient(), keyId })
      .unwrapDataKey(unwrapRequest(w, V3, { expectedEncryptionContext: { tenant: 'a', 'aws:x-amz-cek-alg': 'whatever' } }));
    expect(ignoringReserved).toBeInstanceOf(KeyObject);
  });

  it('KMS itself refuses a context that was changed on both sides, and a changed wrapped key: DataKeyUnwrapError', async () => {
    const w = await keyring.wrapDataKey({ suite: V3, encryptionContext: { tenant: 'a' } });
    // an attacker rewrites the stored context and the caller is tricked into expecting it: only KMS can tell
    const forged = { tenant: 'b', 'aws:x-amz-cek-alg': '115' };
    const err = await keyring.unwrapDataKey(unwrapRequest(w, V3, { encryptionContext: forged, expectedEncryptionContext: { tenant: 'b' } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataKeyUnwrapError);
    expect((err as Error).message).toMatch(/InvalidCiphertextException/);
    expect(kms.calls.at(-1)).toEqual({ op: 'Decrypt', input: expect.objectContaining({ EncryptionContext: forged }) });
    const changed = Buffer.from(w.encryptedDataKey);
    changed[changed.length - 3] ^= 1;
    await expect(keyring.unwrapDataKey(unwrapRequest(w, V3, { encryptedDataKey: changed, expectedEncryptionContext: { tenant: 'a' } }))).rejects.toThrow(/InvalidCiphertextException/);
  });

  it('checks aws:x-amz-cek-alg against the content algorithm (downgrade protection) before calling KMS', async () => {
    const w = await keyring.wrapDataKey({ suite: V3, encryptionContext: {} });
    kms.calls.length = 0;
    await expect(keyring.unwrapDataKey(unwrapRequest(w, V2))).rejects.toThrow(/downgrade/);
    await expect(keyring.unwrapDataKey(unwrapRequest(w, V3, { encryptionContext: {} }))).rejects.toBeInstanceOf(EncryptionContextMismatchError);
    expect(ops()).toEqual([]);
  });

  it('another key → DataKeyUnwrapError (IncorrectKeyException); an unknown alias → KmsRequestError (NotFoundException)', async () => {
    const w = await keyring.wrapDataKey({ suite: V3, encryptionContext: {} });
    const other = new KmsKeyring({ client: moto.kmsClient(), keyId: await moto.createKmsKey() });
    const wrongKey = await other.unwrapDataKey(unwrapRequest(w, V3)).catch((e: unknown) => e);
    expect(wrongKey).toBeInstanceOf(DataKeyUnwrapError);
    expect((wrongKey as Error).message).toMatch(/IncorrectKeyException/);
    const missing = new KmsKeyring({ client: moto.kmsClient(), keyId: `alias/${uniqueName('missing')}` });
    const notFound = await missing.wrapDataKey({ suite: V3, encryptionContext: {} }).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(KmsRequestError);
    expect(notFound).toMatchObject({ operation: 'GenerateDataKey', throttled: false });
    expect((notFound as Error).message).toMatch(/NotFoundException/);
  });

  it('an alias encrypts; a discovery keyring decrypts without naming the key and cannot encrypt', async () => {
    const byAlias = new KmsKeyring({ client: moto.kmsClient(), keyId: alias });
    const w = await byAlias.wrapDataKey({ suite: V3, encryptionContext: {} });
    const discovery = new KmsKeyring({ client: moto.kmsClient(), allowDecryptWithAnyKey: true });
    expect((await discovery.unwrapDataKey(unwrapRequest(w, V3))).equals(w.plaintextDataKey)).toBe(true);
    expect(kms.calls.at(-1)).toEqual({ op: 'Decrypt', input: expect.objectContaining({ KeyId: undefined }) });
    await expect(discovery.wrapDataKey({ suite: V3, encryptionContext: {} })).rejects.toBeInstanceOf(ClientSideConfigurationError);
  });

  it.each([ContentFormat.V3, ContentFormat.V2])('%s objects round-trip through ClientSideEncryption in both metadata locations', async (format) => {
    for (const metadataStrategy of [MetadataStrategy.OBJECT_METADATA, MetadataStrategy.INSTRUCTION_FILE]) {
      const client = new ClientSideEncryption({ keyring, format, metadataStrategy });
      const plaintext = randomBytes(100_003);
      const obj = await client.encrypt(plaintext, { encryptionContext: { tenant: 'acme', 'app name': 'ü' } });
      expect((await client.decrypt(obj, { encryptionContext: { 'app name': 'ü', tenant: 'acme' } })).equals(plaintext)).toBe(true);
      await expect(client.decrypt(obj, { encryptionContext: { tenant: 'acme' } })).rejects.toBeInstanceOf(EncryptionContextMismatchError);
    }
  });

  it('rewrap moves a data key from a raw AES key to KMS without touching the body', async () => {
    const oldKeyring = new RawAesKeyring({ wrappingKey: randomBytes(32) });
    for (const format of [ContentFormat.V3, ContentFormat.V2]) {
      for (const strategy of [MetadataStrategy.OBJECT_METADATA, MetadataStrategy.INSTRUCTION_FILE]) {
        const obj = await new ClientSideEncryption({ keyring: oldKeyring, format, metadataStrategy: strategy }).encrypt(Buffer.from('rotate me'));
        const { encoded, contentMetadata } = await new ClientSideEncryption({ keyring: oldKeyring }).rewrap(obj, keyring, { newEncryptionContext: { app: 'x' } });
        expect(contentMetadata.wrappingAlgorithm).toBe(WrappingAlgorithm.KMS_CONTEXT);
        if (format === ContentFormat.V3 && strategy === MetadataStrategy.INSTRUCTION_FILE) expect(encoded.metadata).toEqual(obj.metadata);
        const out = await new ClientSideEncryption({ keyring }).decrypt({ body: obj.body, metadata: encoded.metadata, instructionFile: encoded.instructionFile }, { encryptionContext: { app: 'x' } });
        expect(out.toString()).toBe('rotate me');
        expect(decodeContentMetadata({ metadata: encoded.metadata, instructionFile: encoded.instructionFile }).strategy).toBe(strategy);
      }
    }
  });

  describe('legacy "kms" wraps (enableLegacyWrappingAlgorithms)', () => {
    const LEGACY = { enableLegacyWrappingAlgorithms: true, enableLegacyUnauthenticatedModes: true };

    /** A V2 object as the AWS SDK for Java v1 wrote it in "kms" mode: the material description is the KMS context, AES-CBC body. */
    async function legacyKmsCbcObject(plaintext: Buffer, materialDescription: Record<string, string>) {
      const gdk = await moto.kmsClient().send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: materialDescription }));
      const iv = randomBytes(16);
      const cbc = createCipheriv('aes-256-cbc', gdk.Plaintext!, iv);
      return {
        body: Buffer.concat([cbc.update(plaintext), cbc.final()]),
        metadata: {
          'x-amz-key-v2': Buffer.from(gdk.CiphertextBlob!).toString('base64'), 'x-amz-iv': iv.toString('base64'), 'x-amz-cek-alg': 'AES/CBC/PKCS5Padding',
          'x-amz-wrap-alg': 'kms', 'x-amz-matdesc': JSON.stringify(materialDescription),
        },
      };
    }

    it('a genuine legacy kms + CBC object is read with both opt-ins (its kms_cmk_id entry ignored)', async () => {
      const obj = await legacyKmsCbcObject(Buffer.from('written by the Java v1 client'), { kms_cmk_id: keyId, app: 'old' });
      const reader = new ClientSideEncryption({ keyring, ...LEGACY });
      expect((await reader.decrypt(obj, { encryptionContext: { app: 'old' } })).toString()).toBe('written by the Java v1 client');
      await expect(new ClientSideEncryption({ keyring }).decrypt(obj, { encryptionContext: { app: 'old' } })).rejects.toBeInstanceOf(LegacyModeDisabledError);
    });

    it('a kms+context GCM object relabelled as legacy kms + CBC is refused before KMS unwraps its key (no CBC padding oracle)', async () => {
      const writer = new ClientSideEncryption({ keyring, format: ContentFormat.V2 });
      const obj = await writer.encrypt(Buffer.from('GCM content'), { encryptionContext: { app: 'new' } });
      // the attacker keeps the wrapped key and its context (so KMS would still unwrap it), relabels the wrap and the
      // content algorithm, and supplies a CBC body of their choosing to probe padding
      const relabelled = {
        body: randomBytes(32),
        metadata: { ...obj.metadata, 'x-amz-wrap-alg': 'kms', 'x-amz-cek-alg': 'AES/CBC/PKCS5Padding', 'x-amz-iv': randomBytes(16).toString('base64') },
      };
      delete (relabelled.metadata as Record<string, string>)['x-amz-tag-len'];
      kms.calls.length = 0;
      const err = await new ClientSideEncryption({ keyring, ...LEGACY }).decrypt(relabelled, { encryptionContext: { app: 'new' } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EncryptionContextMismatchError);
      expect((err as Error).message).toMatch(/labelled as a legacy "kms" wrap, yet its context holds aws:x-amz-cek-alg/);
      expect(ops()).toEqual([]); // KMS never unwrapped the data key
    });
  });

  describe('faults moto cannot produce (injected at the HTTP layer, real SDK retries)', () => {
    it('throttling is retried by the SDK and then succeeds', async () => {
      const handler = new FaultInjectingHandler(['ThrottlingException', 'ThrottlingException']);
      const throttled = new KmsKeyring({ client: moto.kmsClient({ requestHandler: handler }), keyId });
      const w = await throttled.wrapDataKey({ suite: V3, encryptionContext: {} });
      expect(handler.requests).toBe(3); // two throttled attempts, then moto answered
      expect((await keyring.unwrapDataKey(unwrapRequest(w, V3))).equals(w.plaintextDataKey)).toBe(true);
    });

    it('throttling on every attempt ends in a readable KmsRequestError (throttled, attempts) after the SDK gives up', async () => {
      const handler = new FaultInjectingHandler(Array(10).fill('ThrottlingException'));
      const throttled = new KmsKeyring({ client: moto.kmsClient({ requestHandler: handler, maxAttempts: 3 }), keyId });
      const err = await throttled.wrapDataKey({ suite: V3, encryptionContext: {} }).catch((e: unknown) => e);
      expect(handler.requests).toBe(3);
      expect(err).toBeInstanceOf(KmsRequestError);
      expect(err).toMatchObject({ code: 'KmsRequestFailed', operation: 'GenerateDataKey', keyId, throttled: true, attempts: 3 });
      expect((err as Error).message).toMatch(/^AWS KMS GenerateDataKey with key \S+ was throttled after 3 attempts \(ThrottlingException: You have exceeded the rate/);
      expect((err as Error).message).toMatch(/lower the concurrency, give the KMS client more attempts \(maxAttempts\), or request a quota increase/);
    });

    it('AccessDeniedException is not retried and names the permissions to check', async () => {
      const handler = new FaultInjectingHandler(['AccessDeniedException']);
      const denied = new KmsKeyring({ client: moto.kmsClient({ requestHandler: handler }), keyId });
      const err = await denied.wrapDataKey({ suite: V3, encryptionContext: {} }).catch((e: unknown) => e);
      expect(handler.requests).toBe(1);
      expect(err).toMatchObject({ throttled: false, attempts: 1 });
      expect((err as Error).message).toMatch(/failed after 1 attempt \(AccessDeniedException: User is not authorized .*key policy \(kms:GenerateDataKey/);
    });
  });
});
