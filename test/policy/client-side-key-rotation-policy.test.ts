import { randomBytes } from 'node:crypto';
import { CopyObjectCommand, type CopyObjectCommandInput, GetObjectTaggingCommand, HeadObjectCommand, PutObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { App, Stack } from 'aws-cdk-lib';
import { mockClient } from 'aws-sdk-client-mock';
import { BucketEncryptionMode, ClientSideKeyRotation, EncryptedBucket, KeyEncryptionKey, KmsKeyWithRotation } from '../../lib';
import {
  ClientSideEncryption, DataKeyRotation, keyringRotationKey, RawAesKeyring, S3ObjectKeyRotator,
} from '../../packages/s3-encryption-runtime/src';
import { evaluate, https, ResolvedTemplate, rolePrincipalContext, TEST_ENV } from '../support/iam-evaluation';

/**
 * The client-side key-rotation function rewrites an object-metadata object by copying it onto itself.
 * CopyObject is authorized as s3:PutObject on the destination with the request's headers as condition
 * keys, and as s3:GetObjectVersion on the (pinned) source ("CopyObject", Amazon S3 API Reference; "Actions,
 * resources, and condition keys for Amazon S3", Service Authorization Reference). The request here is the one
 * the runtime's S3ObjectKeyRotator really sends (captured from a mocked S3), evaluated by the IAM engine with
 * the function role's policies and the bucket policy of an SSE-KMS EncryptedBucket that holds an SSE-S3
 * object (a replica, say).
 */
const SECRET_KEY = randomBytes(32);

function synth(bucketKeyEnabled: boolean) {
  const app = new App();
  const stack = new Stack(app, 'Rotation', { env: TEST_ENV });
  const data = new EncryptedBucket(stack, 'Data', { encryption: BucketEncryptionMode.SSE_KMS, bucketKeyEnabled });
  const jobs = new EncryptedBucket(stack, 'Jobs');
  const reports = new EncryptedBucket(stack, 'Reports', { encryption: BucketEncryptionMode.SSE_S3 });
  const rotation = new ClientSideKeyRotation(stack, 'Rotation', {
    bucket: data.bucket,
    fromKeys: [KeyEncryptionKey.fromKmsKey(new KmsKeyWithRotation(stack, 'OldKek'))],
    toKey: KeyEncryptionKey.fromKmsKey(new KmsKeyWithRotation(stack, 'NewKek')),
    manifestBucket: jobs.bucket,
    reportBucket: reports.bucket,
  });
  const t = new ResolvedTemplate(stack);
  const id = (c: unknown) => t.logicalId(c);
  const bucketId = id(data.bucket.node.defaultChild);
  const keyId = id(data.encryptionKey!.node.defaultChild);
  const roleId = id(rotation.functionRole.node.defaultChild);
  return {
    roleArn: t.arnOf(roleId),
    rolePolicies: t.identityPoliciesOf(roleId),
    bucketArn: t.arnOf(bucketId),
    bucketPolicy: t.bucketPolicyFor(bucketId),
    keyArn: t.arnOf(keyId),
    keyPolicy: t.keyPolicyOf(keyId),
  };
}

/** The CopyObject request the rotator sends for an object-metadata object whose HEAD is `head`. */
async function copyRequestFor(bucket: string, key: string, head: Record<string, unknown>): Promise<CopyObjectCommandInput> {
  const client = new S3Client({ region: TEST_ENV.region, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const s3 = mockClient(client);
  try {
    const oldKeyring = new RawAesKeyring({ wrappingKey: SECRET_KEY });
    const written = await new ClientSideEncryption({ keyring: oldKeyring }).encrypt(Buffer.from('report'));
    s3.on(HeadObjectCommand).resolves({ ETag: '"e1"', VersionId: 'v1', ContentLength: 22, Metadata: written.metadata, ...head });
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    s3.on(CopyObjectCommand).resolves({ VersionId: 'v2' });
    s3.on(PutObjectTaggingCommand).resolves({});
    const rotation = new DataKeyRotation({ from: [keyringRotationKey(oldKeyring)], to: keyringRotationKey(new RawAesKeyring({ wrappingKey: randomBytes(32) })) });
    const result = await new S3ObjectKeyRotator({ client, rotation }).rotate({ bucket, key });
    expect(result).toMatchObject({ outcome: 'rotated', method: 'copy-object' });
    return s3.commandCalls(CopyObjectCommand)[0].args[0].input;
  } finally {
    s3.restore();
  }
}

/** The condition keys S3 derives from a CopyObject request, for the s3:PutObject check on the destination. */
function putObjectContext(input: CopyObjectCommandInput): Record<string, string> {
  const keys: Record<string, string | undefined> = {
    's3:x-amz-copy-source': input.CopySource,
    's3:x-amz-metadata-directive': input.MetadataDirective,
    's3:x-amz-server-side-encryption': input.ServerSideEncryption,
    's3:x-amz-server-side-encryption-aws-kms-key-id': input.SSEKMSKeyId,
    's3:x-amz-storage-class': input.StorageClass,
  };
  return Object.fromEntries(Object.entries(keys).filter((e): e is [string, string] => e[1] !== undefined));
}

describe.each([
  ['Bucket Keys on', true],
  ['Bucket Keys off', false],
])('ClientSideKeyRotation on an SSE-KMS EncryptedBucket holding an SSE-S3 object (%s)', (_label, bucketKeyEnabled) => {
  const f = synth(bucketKeyEnabled);
  const bucket = f.bucketArn.split(':::')[1];
  const key = 'replicas/2026.csv';
  const objectArn = `${f.bucketArn}/${key}`;
  // S3 requests carry the TLS keys; the KMS calls S3 makes for the caller carry kms:ViaService instead
  const decide = (action: string, resource: string, context: Record<string, string>, resourcePolicy: unknown) =>
    evaluate({
      principal: f.roleArn, action, resource, identityPolicies: f.rolePolicies, resourcePolicy,
      context: { ...rolePrincipalContext(f.roleArn), ...(action.startsWith('s3:') ? https() : {}), ...context },
    });

  test('the rotation copy the runtime sends is allowed: read of the pinned source version and the PutObject of the copy', async () => {
    const input = await copyRequestFor(bucket, key, { ServerSideEncryption: 'AES256', ContentType: 'text/csv' });
    expect(input).toMatchObject({ Bucket: bucket, Key: key, CopySource: `${bucket}/replicas/2026.csv?versionId=v1`, MetadataDirective: 'REPLACE' });
    expect(await decide('s3:GetObjectVersion', objectArn, { 's3:versionid': 'v1' }, f.bucketPolicy)).toEqual({ decision: 'Allowed', denyingStatements: [] });
    expect(await decide('s3:PutObject', objectArn, putObjectContext(input), f.bucketPolicy)).toEqual({ decision: 'Allowed', denyingStatements: [] });
    expect(input.ServerSideEncryption).toBeUndefined();
  });

  test('the request that re-sent the object\'s own AES256 was denied by the bucket policy', async () => {
    const input = await copyRequestFor(bucket, key, { ServerSideEncryption: 'AES256' });
    const before = { ...putObjectContext(input), 's3:x-amz-server-side-encryption': 'AES256' };
    const outcome = await decide('s3:PutObject', objectArn, before, f.bucketPolicy);
    expect(outcome.decision).toBe('ExplicitlyDenied');
    expect(outcome.denyingStatements).toContain('DenyOtherEncryptionAlgorithms');
  });

  test('an SSE-KMS object is copied with its algorithm and the bucket key, which the bucket policy allows', async () => {
    const input = await copyRequestFor(bucket, key, { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: f.keyArn, BucketKeyEnabled: bucketKeyEnabled });
    expect(input).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: f.keyArn });
    expect(await decide('s3:PutObject', objectArn, putObjectContext(input), f.bucketPolicy)).toEqual({ decision: 'Allowed', denyingStatements: [] });
  });

  test('S3 may encrypt the copy under the bucket key for the function role: GenerateDataKey through S3 with this bucket\'s context', async () => {
    // the copy has no encryption header, so S3 applies the bucket default (SSE-KMS) and asks KMS as the caller
    const encryptionContext = bucketKeyEnabled ? f.bucketArn : objectArn;
    const viaS3 = { 'kms:ViaService': `s3.${TEST_ENV.region}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': encryptionContext };
    expect(await decide('kms:GenerateDataKey', f.keyArn, viaS3, f.keyPolicy)).toEqual({ decision: 'Allowed', denyingStatements: [] });
    // and only through S3
    const { 'kms:ViaService': _via, ...direct } = viaS3;
    expect((await decide('kms:GenerateDataKey', f.keyArn, direct, f.keyPolicy)).decision).not.toBe('Allowed');
  });
});
