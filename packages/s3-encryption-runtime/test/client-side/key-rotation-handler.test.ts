/**
 * The KEK-rotation Batch Operations handler: configuration from the environment, result-code
 * classification, and the S3 paths radosgw Pacific cannot run (copying SSE-KMS sources, objects over
 * CopyObject's 5 GiB limit, AWS's 412 on a conditional copy), against a mocked S3. KMS is the fake
 * (with ReEncrypt), Secrets Manager is mocked. The same handler runs against radosgw in
 * test/integ/client-side-key-rotation.test.ts.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  S3ServiceException,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ClientSideConfigurationError,
  ClientSideEncryption,
  ContentFormat,
  createClientSideKeyRotationHandler,
  DataKeyRotation,
  DataKeyUnwrapError,
  keyringRotationKey,
  KmsKeyring,
  KmsRequestError,
  kmsRotationKey,
  ObjectChangedError,
  RawRsaKeyring,
  rotationKeysFromEnvironment,
  S3ObjectKeyRotator,
  SseCKeySourceError,
} from '../../src';
import { classifyRotationError } from '../../src/handlers/client-side-key-rotation';
import { FakeKms } from './support/fake-kms';
import { addReEncrypt } from './support/fake-kms-reencrypt';
import { testKmsClient } from './support/keyrings';

const GiB = 1024 ** 3;
const s3 = mockClient(S3Client);
const secrets = mockClient(SecretsManagerClient);
const kms = new FakeKms();
addReEncrypt(kms);
const oldKey = kms.createKey();
const newKey = kms.createKey();
afterAll(() => {
  kms.restore();
  s3.restore();
  secrets.restore();
});
beforeEach(() => {
  s3.reset();
  secrets.reset();
});

function s3Error(status: number, code: string, message = '') {
  return Object.assign(new S3ServiceException({ name: code, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message }), { Code: code });
}

/** A V3 KMS object's metadata under `keyId`, as S3 would return it. */
async function kmsObjectMetadata(keyId: string, context: Record<string, string> = { app: 'billing' }): Promise<Record<string, string>> {
  const obj = await new ClientSideEncryption({ keyring: new KmsKeyring({ client: testKmsClient(), keyId }), format: ContentFormat.V3 }).encrypt(Buffer.from('x'), { encryptionContext: context });
  return obj.metadata;
}

const event = (keys: string[]) => ({
  invocationSchemaVersion: '2.0',
  invocationId: 'inv',
  job: { id: 'job', userArguments: {} },
  tasks: keys.map((key, i) => ({ taskId: `t${i}`, s3Bucket: 'data', s3Key: encodeURIComponent(key), s3VersionId: null })),
});

function handler(options: { maxCopyObjectBytes?: number } = {}) {
  const rotation = new DataKeyRotation({ from: [kmsRotationKey({ client: testKmsClient(), keyId: oldKey })], to: kmsRotationKey({ client: testKmsClient(), keyId: newKey }) });
  const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  return createClientSideKeyRotationHandler({
    keys: { rotation: async () => rotation },
    rotatorFor: (r) => new S3ObjectKeyRotator({ client, rotation: r, ...options }),
  });
}

describe('metadata rewrite with CopyObject (AWS semantics)', () => {
  it('copies the exact version read onto itself, keeping SSE-KMS, the standard headers and the other user metadata', async () => {
    const metadata: Record<string, string> = { ...(await kmsObjectMetadata(oldKey)), owner: 'team-a' };
    const head = {
      ETag: '"e1"', VersionId: 'v1', ContentLength: 100, Metadata: metadata,
      ContentType: 'text/csv', CacheControl: 'no-cache', ContentDisposition: 'inline', ContentEncoding: 'gzip', ContentLanguage: 'de',
      Expires: new Date('2030-01-01T00:00:00Z'), WebsiteRedirectLocation: '/other', StorageClass: 'STANDARD_IA',
      ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'arn:aws:kms:us-east-1:111122223333:key/bucket-key', BucketKeyEnabled: true,
    } as const;
    s3.on(HeadObjectCommand).resolves(head);
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: [{ Key: 'class', Value: 'pii' }] });
    s3.on(CopyObjectCommand).resolves({ VersionId: 'v2' });
    s3.on(PutObjectTaggingCommand).resolves({});

    const response = await handler()(event(['reports/2026 Q1.csv']));
    expect(response.results[0]).toMatchObject({ resultCode: 'Succeeded', resultString: expect.stringMatching(/^rotated from KMS key .* \(V3, metadata rewritten with CopyObject, KMS ReEncrypt\); new version v2$/) });
    const input = s3.commandCalls(CopyObjectCommand)[0].args[0].input;
    expect(input).toMatchObject({
      Bucket: 'data', Key: 'reports/2026 Q1.csv', CopySource: 'data/reports/2026%20Q1.csv?versionId=v1', CopySourceIfMatch: '"e1"',
      MetadataDirective: 'REPLACE', TaggingDirective: 'COPY',
      ContentType: 'text/csv', CacheControl: 'no-cache', ContentDisposition: 'inline', ContentEncoding: 'gzip', ContentLanguage: 'de',
      Expires: head.Expires, WebsiteRedirectLocation: '/other', StorageClass: 'STANDARD_IA',
      ServerSideEncryption: 'aws:kms', SSEKMSKeyId: head.SSEKMSKeyId, BucketKeyEnabled: true,
    });
    expect(Object.keys(input.Metadata!).sort()).toEqual(Object.keys(metadata).sort());
    expect(input.Metadata!.owner).toBe('team-a');
    expect(input.Metadata!['x-amz-3']).not.toBe(metadata['x-amz-3']);
    for (const k of ['x-amz-c', 'x-amz-d', 'x-amz-i', 'x-amz-w', 'x-amz-t']) expect(input.Metadata![k]).toBe(metadata[k]);
    // the new wrap opens with the new key and the same context
    const rotated = { metadata: input.Metadata!, body: Buffer.alloc(0) };
    await new ClientSideEncryption({ keyring: new KmsKeyring({ client: testKmsClient(), keyId: newKey }) }).createDecryptor(rotated, { encryptionContext: { app: 'billing' } });
    expect(s3.commandCalls(PutObjectTaggingCommand)[0].args[0].input).toEqual({ Bucket: 'data', Key: 'reports/2026 Q1.csv', VersionId: 'v2', Tagging: { TagSet: [{ Key: 'class', Value: 'pii' }] } });
  });

  it('an SSE-S3 object is copied without x-amz-server-side-encryption, so the bucket default applies (an SSE-KMS bucket denies AES256)', async () => {
    const head = { ETag: '"e1"', VersionId: 'v1', ContentLength: 100, Metadata: await kmsObjectMetadata(oldKey), ServerSideEncryption: 'AES256', ContentType: 'text/csv' } as const;
    s3.on(HeadObjectCommand).resolves(head);
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    s3.on(CopyObjectCommand).resolves({ VersionId: 'v2' });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
    s3.on(UploadPartCopyCommand).resolves({ CopyPartResult: { ETag: '"p"' } });
    s3.on(CompleteMultipartUploadCommand).resolves({ VersionId: 'v3' });

    expect((await handler()(event(['replica.csv']))).results[0]).toMatchObject({ resultCode: 'Succeeded' });
    const copy = s3.commandCalls(CopyObjectCommand)[0].args[0].input;
    expect(copy).toMatchObject({ MetadataDirective: 'REPLACE', ContentType: 'text/csv' });
    expect(Object.keys(copy).filter((k) => /ServerSideEncryption|SSEKMS|BucketKey/.test(k))).toEqual([]);

    // the same for the UploadPartCopy path (objects over CopyObject's limit): CreateMultipartUpload names no algorithm
    expect((await handler({ maxCopyObjectBytes: 50 })(event(['replica.csv']))).results[0]).toMatchObject({ resultCode: 'Succeeded' });
    const create = s3.commandCalls(CreateMultipartUploadCommand)[0].args[0].input;
    expect(create).toMatchObject({ ContentType: 'text/csv' });
    expect(Object.keys(create).filter((k) => /ServerSideEncryption|SSEKMS|BucketKey/.test(k))).toEqual([]);
  });

  it('an AWS 412 on the conditional copy is a TemporaryFailure (Batch Operations retries with a fresh read)', async () => {
    s3.on(HeadObjectCommand).resolves({ ETag: '"e1"', ContentLength: 10, Metadata: await kmsObjectMetadata(oldKey) });
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    s3.on(CopyObjectCommand).rejects(s3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold'));
    const response = await handler()(event(['k']));
    expect(response.results[0]).toMatchObject({ resultCode: 'TemporaryFailure', resultString: expect.stringMatching(/^ObjectChanged: /) });
  });

  it('objects over 5 GiB are rewritten with UploadPartCopy of the version read, and the upload is aborted if a part fails', async () => {
    const size = 6 * GiB + 5;
    s3.on(HeadObjectCommand).resolves({ ETag: '"big-3"', VersionId: 'v7', ContentLength: size, ContentType: 'application/x-big', Metadata: await kmsObjectMetadata(oldKey) });
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: [{ Key: 't', Value: '1' }] });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
    s3.on(UploadPartCopyCommand).resolves({ CopyPartResult: { ETag: '"p"' } });
    s3.on(CompleteMultipartUploadCommand).resolves({ VersionId: 'v8' });
    const ok = await handler()(event(['big']));
    expect(ok.results[0]).toMatchObject({ resultCode: 'Succeeded', resultString: expect.stringMatching(/metadata rewritten with UploadPartCopy.*new version v8$/) });
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    const parts = s3.commandCalls(UploadPartCopyCommand).map((c) => c.args[0].input);
    expect(parts).toHaveLength(13); // 512 MiB parts
    expect(parts[0]).toMatchObject({ CopySource: 'data/big?versionId=v7', CopySourceIfMatch: '"big-3"', CopySourceRange: `bytes=0-${512 * 1024 * 1024 - 1}`, PartNumber: 1 });
    expect(parts[12]).toMatchObject({ CopySourceRange: `bytes=${12 * 512 * 1024 * 1024}-${size - 1}`, PartNumber: 13 });
    expect(s3.commandCalls(CreateMultipartUploadCommand)[0].args[0].input).toMatchObject({ ContentType: 'application/x-big', Metadata: expect.objectContaining({ 'x-amz-c': '115' }) });
    expect(s3.commandCalls(PutObjectTaggingCommand)[0].args[0].input).toMatchObject({ VersionId: 'v8', Tagging: { TagSet: [{ Key: 't', Value: '1' }] } });

    s3.reset();
    s3.on(HeadObjectCommand).resolves({ ETag: '"big-3"', VersionId: 'v7', ContentLength: size, Metadata: await kmsObjectMetadata(oldKey) });
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-2' });
    s3.on(UploadPartCopyCommand).resolvesOnce({ CopyPartResult: { ETag: '"p"' } }).rejects(s3Error(500, 'InternalError'));
    s3.on(AbortMultipartUploadCommand).resolves({});
    const failed = await handler()(event(['big']));
    expect(failed.results[0].resultCode).toBe('TemporaryFailure');
    expect(s3.commandCalls(AbortMultipartUploadCommand)[0].args[0].input).toEqual({ Bucket: 'data', Key: 'big', UploadId: 'up-2' });
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  it('an SSE-C object cannot be read without its key: PermanentFailure naming the reason', async () => {
    s3.on(HeadObjectCommand).rejects(Object.assign(s3Error(400, 'Unknown'), { Code: undefined }));
    const response = await handler()(event(['ssec']));
    expect(response.results[0]).toMatchObject({ resultCode: 'PermanentFailure', resultString: expect.stringMatching(/^SseCKeyRequired: /) });
  });

  it('objects whose metadata would outgrow the 2 KB limit after re-wrapping are left alone', async () => {
    // KMS (a ~140-byte wrapped key) to RSA-4096 (512 bytes): with other user metadata close to the limit it no longer fits
    const metadata: Record<string, string> = { ...(await kmsObjectMetadata(oldKey, {})), filler: 'f'.repeat(1500) };
    s3.on(HeadObjectCommand).resolves({ ETag: '"e"', ContentLength: 1, Metadata: metadata });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 4096 });
    const rotation = new DataKeyRotation({
      from: [kmsRotationKey({ client: testKmsClient(), keyId: oldKey })],
      to: keyringRotationKey(new RawRsaKeyring({ privateKey })),
    });
    const rotator = new S3ObjectKeyRotator({ client: new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }), rotation });
    await expect(rotator.rotate({ bucket: 'data', key: 'full' })).rejects.toThrow(/over S3's 2048-byte user-metadata limit; the object was left as it was/);
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
  });
});

describe('result codes', () => {
  it.each<[string, string, unknown]>([
    ['KMS throttling', 'TemporaryFailure', new KmsRequestError('ReEncrypt', 'k', { cause: Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }) })],
    ['KMS unreachable (wrapped network error)', 'TemporaryFailure', new KmsRequestError('ReEncrypt', 'k', { cause: Object.assign(new Error('wrapper'), { cause: Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' }) }) })],
    ['KMS access denied', 'PermanentFailure', new KmsRequestError('ReEncrypt', 'k', { cause: Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }) })],
    ['Secrets Manager throttling', 'TemporaryFailure', new SseCKeySourceError('cannot read', Object.assign(new Error('slow down'), { name: 'ThrottlingException' }))],
    ['an object that changed', 'TemporaryFailure', new ObjectChangedError({ bucket: 'b', key: 'k' })],
    ['S3 5xx', 'TemporaryFailure', s3Error(503, 'SlowDown')],
    ['a wrong key', 'PermanentFailure', new DataKeyUnwrapError('neither key')],
    ['radosgw refusing to copy an SSE-KMS source', 'PermanentFailure', s3Error(501, 'NotImplemented')],
  ])('%s → %s', (_label, code, err) => {
    expect(classifyRotationError(err).resultCode).toBe(code);
  });
});

describe('configuration from the environment', () => {
  it.each<[string, Record<string, string>, RegExp]>([
    ['no old key', { CSE_ROTATION_TO_KMS_KEY_ID: 'k' }, /CSE_ROTATION_FROM_KMS_KEY_IDS and\/or CSE_ROTATION_FROM_AES_SECRET_ID/],
    ['no new key', { CSE_ROTATION_FROM_KMS_KEY_IDS: 'k' }, /exactly one of CSE_ROTATION_TO_KMS_KEY_ID and CSE_ROTATION_TO_AES_SECRET_ID/],
    ['two new keys', { CSE_ROTATION_FROM_KMS_KEY_IDS: 'k', CSE_ROTATION_TO_KMS_KEY_ID: 'n', CSE_ROTATION_TO_AES_SECRET_ID: 's' }, /exactly one of/],
  ])('%s is a configuration error', (_label, env, message) => {
    expect(() => rotationKeysFromEnvironment(env)).toThrow(message);
  });

  it('reads raw AES keys by staging label, reuses the rotation while the versions stay, and names keys by secret and version', async () => {
    const [k1, k2] = [randomBytes(32), randomBytes(32)];
    secrets.on(GetSecretValueCommand, { SecretId: 'kek', VersionStage: 'AWSPREVIOUS' }).resolves({ SecretBinary: new Uint8Array(k1), VersionId: 'v1' });
    secrets.on(GetSecretValueCommand, { SecretId: 'kek', VersionStage: 'AWSCURRENT' }).resolves({ SecretString: JSON.stringify({ key: k2.toString('base64') }), VersionId: 'v2' });
    const keys = rotationKeysFromEnvironment(
      { CSE_ROTATION_FROM_AES_SECRET_ID: 'kek', CSE_ROTATION_TO_AES_SECRET_ID: 'kek', CSE_ROTATION_TO_MATERIAL_DESCRIPTION: '{"v":"2"}' },
      { secretsManager: new SecretsManagerClient({ region: 'us-east-1' }) },
    );
    const first = await keys.rotation();
    expect(first.from.map((k) => k.description)).toEqual(['raw AES key from secret kek AWSPREVIOUS (version v1)']);
    expect(first.to.description).toBe('raw AES key from secret kek AWSCURRENT (version v2)');
    expect(await keys.rotation()).toBe(first);
    expect(keys.secrets!().map((b) => b.toString('hex')).sort()).toEqual([k1, k2].map((b) => b.toString('hex')).sort());
    expect(JSON.stringify(first)).not.toContain(k1.toString('base64'));
  });

  it('a missing AWSPREVIOUS (secret never rotated) and a malformed key are explained', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: 'kek', VersionStage: 'AWSPREVIOUS' }).rejects(Object.assign(new Error('no such stage'), { name: 'ResourceNotFoundException' }));
    secrets.on(GetSecretValueCommand, { SecretId: 'kek', VersionStage: 'AWSCURRENT' }).resolves({ SecretString: randomBytes(32).toString('base64'), VersionId: 'v2' });
    const env = { CSE_ROTATION_FROM_AES_SECRET_ID: 'kek', CSE_ROTATION_TO_AES_SECRET_ID: 'kek' };
    const sm = new SecretsManagerClient({ region: 'us-east-1' });
    await expect(rotationKeysFromEnvironment(env, { secretsManager: sm }).rotation()).rejects.toThrow(/has no AWSPREVIOUS version: rotate the secret first/);

    secrets.on(GetSecretValueCommand, { SecretId: 'short', VersionStage: 'AWSCURRENT' }).resolves({ SecretString: randomBytes(16).toString('base64') });
    const err = await rotationKeysFromEnvironment({ CSE_ROTATION_FROM_KMS_KEY_IDS: 'k', CSE_ROTATION_TO_AES_SECRET_ID: 'short' }, { secretsManager: sm, kms: testKmsClient() }).rotation().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientSideConfigurationError);
    expect((err as Error).message).toMatch(/must hold a 256-bit AES wrapping key/);
    expect(() => rotationKeysFromEnvironment({ CSE_ROTATION_FROM_KMS_KEY_IDS: 'k', CSE_ROTATION_TO_AES_SECRET_ID: 's', CSE_ROTATION_TO_MATERIAL_DESCRIPTION: '[1]' }))
      .toThrow(/material description variable must be a JSON object of strings/);
  });
});
