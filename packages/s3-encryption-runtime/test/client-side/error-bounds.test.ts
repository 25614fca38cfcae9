/**
 * Error messages that echo stored (attacker-controlled) content stay small: a crafted instruction file
 * must not turn into a megabyte of error text in logs, Batch Operations reports or a terminal.
 */
import { randomBytes } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import {
  AlgorithmSuite, ClientSideEncryption, ContentFormat, EncryptionContextMismatchError, KmsKeyring, MalformedMetadataError, MaterialDescriptionMismatchError,
  MetadataStrategy, RawAesKeyring, WrappingAlgorithm,
} from '../../src/client-side';
import { S3EncryptionError } from '../../src/errors';
import { MAX_ERROR_MESSAGE_CHARS } from '../../src/bounded-text';

/** A KMS client that must never be used: every request it would send is recorded and refused. */
function unusedKmsClient(): { client: KMSClient; sent: string[] } {
  const client = new KMSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' }, maxAttempts: 1 });
  const sent: string[] = [];
  client.middlewareStack.add((_next, context) => async () => {
    sent.push(context.commandName ?? 'unknown');
    throw new Error('this test expects no KMS request');
  }, { step: 'initialize', name: 'refuseEverything' });
  return { client, sent };
}

/** `count` context keys of 16 characters each. */
function manyKeys(count: number, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < count; i++) out[`${prefix}${String(i).padStart(16 - prefix.length, '0')}`] = 'v';
  return out;
}

describe('error messages have a size bound', () => {
  it('an 860 KB instruction file whose KMS context lists 32,000 keys gives a short EncryptionContextMismatchError, before KMS is called', async () => {
    const { client, sent } = unusedKmsClient();
    const keyring = new KmsKeyring({ client, keyId: 'alias/any' });
    const context = { ...manyKeys(32_000, 'k'), 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding' };
    const instructionFile = JSON.stringify({
      'x-amz-key-v2': randomBytes(150).toString('base64'), 'x-amz-iv': randomBytes(12).toString('base64'), 'x-amz-cek-alg': 'AES/GCM/NoPadding',
      'x-amz-wrap-alg': 'kms+context', 'x-amz-tag-len': '128', 'x-amz-matdesc': JSON.stringify(context),
    });
    expect(Buffer.byteLength(instructionFile)).toBeGreaterThan(844 * 1024);
    const err = await new ClientSideEncryption({ keyring }).decrypt({ body: randomBytes(64), metadata: {}, instructionFile }, { encryptionContext: { tenant: 'acme' } })
      .then(() => new Error('no error'), (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(EncryptionContextMismatchError);
    expect(err.message.length).toBeLessThan(1000);
    expect(err.message).toMatch(/^The object's KMS encryption context does not match: these keys differ between the stored and the expected context: "k000000000000000", .* … and 31993 more\. Pass the encryption context/);
    expect(sent).toEqual([]);
  });

  it('a material description with 27,000 keys gives a short MaterialDescriptionMismatchError', async () => {
    const key = randomBytes(32);
    const obj = await new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: key }), format: ContentFormat.V2, metadataStrategy: MetadataStrategy.INSTRUCTION_FILE })
      .encrypt(Buffer.from('x'));
    const file = JSON.parse(obj.instructionFile!) as Record<string, string>;
    file['x-amz-matdesc'] = JSON.stringify(manyKeys(27_000, 'm'));
    const err = await new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: key }) }).decrypt({ ...obj, instructionFile: JSON.stringify(file) })
      .then(() => new Error('no error'), (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(MaterialDescriptionMismatchError);
    expect(err.message.length).toBeLessThan(800);
    expect(err.message).toMatch(/these keys differ: "m000000000000000", .* … and 26992 more\./);
  });

  it('long key names are cut too, with a marker', async () => {
    const { client } = unusedKmsClient();
    const keyring = new KmsKeyring({ client, keyId: 'alias/any' });
    const name = 'x'.repeat(100_000);
    const err = await keyring.unwrapDataKey({
      suite: AlgorithmSuite.AES_256_GCM_IV12_TAG16_NO_KDF,
      wrappingAlgorithm: WrappingAlgorithm.KMS_CONTEXT,
      encryptedDataKey: randomBytes(100),
      encryptionContext: { [name]: 'v', 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding' },
      materialDescription: {},
      expectedEncryptionContext: {},
    }).then(() => new Error('no error'), (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(EncryptionContextMismatchError);
    expect(err.message).toContain(`"${'x'.repeat(40)}…"`);
    expect(err.message.length).toBeLessThan(500);
  });

  it(`every runtime error is cut to ${MAX_ERROR_MESSAGE_CHARS} characters in the middle, keeping what failed and what to do`, () => {
    const err = new MalformedMetadataError(undefined, `the value ${'A'.repeat(1_000_000)} is bad.`);
    expect(err.message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_CHARS);
    expect(err.message).toMatch(/^Client-side encryption metadata is invalid: the value AAAA/);
    expect(err.message).toMatch(/ …\[\d+ characters omitted\]… /);
    expect(err.message).toMatch(/Nothing was decrypted\.$/);
    expect(err).toBeInstanceOf(S3EncryptionError);
    const short = new S3EncryptionError('X', 'short message');
    expect(short.message).toBe('short message');
  });
});
