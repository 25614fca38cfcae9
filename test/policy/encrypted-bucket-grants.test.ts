import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BucketEncryptionMode, EncryptedBucket, type EncryptedBucketProps } from '../../lib';
import { evaluate, https, ResolvedTemplate, rolePrincipalContext, TEST_ENV } from '../support/iam-evaluation';

/**
 * What the grants let a role do, evaluated by a real IAM engine on the role's identity policies:
 * exactly the S3 actions of the access level, and KMS only through S3 in the bucket's Region for
 * this bucket's encryption context.
 */
type Level = 'read' | 'write' | 'readWrite' | 'delete';

function synth(level: Level, props: EncryptedBucketProps = {}, pattern?: string) {
  const app = new App();
  const stack = new Stack(app, 'Grants', { env: TEST_ENV });
  const bucket = new EncryptedBucket(stack, 'Data', props);
  const other = new EncryptedBucket(stack, 'Other');
  const role = new iam.Role(stack, 'App', { assumedBy: new iam.AccountRootPrincipal() });
  ({
    read: () => bucket.grantRead(role, pattern),
    write: () => bucket.grantWrite(role, pattern),
    readWrite: () => bucket.grantReadWrite(role, pattern),
    delete: () => bucket.grantDelete(role, pattern),
  })[level]();
  const t = new ResolvedTemplate(stack);
  const id = (c: unknown) => t.logicalId(c);
  return {
    roleArn: t.arnOf(id(role.node.defaultChild)),
    policies: t.identityPoliciesOf(id(role.node.defaultChild)),
    bucketArn: t.arnOf(id(bucket.bucket.node.defaultChild)),
    keyArn: t.arnOf(id(bucket.encryptionKey!.node.defaultChild)),
    keyPolicy: t.keyPolicyOf(id(bucket.encryptionKey!.node.defaultChild)),
    otherBucketArn: t.arnOf(id(other.bucket.node.defaultChild)),
    otherKeyArn: t.arnOf(id(other.encryptionKey!.node.defaultChild)),
    otherKeyPolicy: t.keyPolicyOf(id(other.encryptionKey!.node.defaultChild)),
  };
}

type Fixture = ReturnType<typeof synth>;

/** Decide with the role's identity policies, plus the key policy when the resource is a key (KMS needs both). */
async function decide(f: Fixture, action: string, resource: string, context: Record<string, string> = {}) {
  const resourcePolicy = resource === f.keyArn ? f.keyPolicy : resource === f.otherKeyArn ? f.otherKeyPolicy : undefined;
  const { decision } = await evaluate({
    principal: f.roleArn, action, resource,
    resourceAccount: TEST_ENV.account,
    context: { ...rolePrincipalContext(f.roleArn), ...context },
    identityPolicies: f.policies,
    resourcePolicy,
  });
  return decision;
}

const viaS3 = (region = TEST_ENV.region) => ({ 'kms:ViaService': `s3.${region}.amazonaws.com` });
const context = (arn: string) => ({ 'kms:EncryptionContext:aws:s3:arn': arn });

const S3_ACTIONS: Record<Level, string[]> = {
  read: ['s3:GetObject', 's3:GetObjectVersion'],
  write: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
  readWrite: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
  delete: ['s3:DeleteObject'],
};
const ALL_OBJECT_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectAcl'];
const BUCKET_ACTIONS: Record<Level, string[]> = {
  read: ['s3:ListBucket', 's3:GetBucketLocation'],
  write: ['s3:ListBucketMultipartUploads'],
  readWrite: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
  delete: [],
};
const ALL_BUCKET_ACTIONS = ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads', 's3:ListBucketVersions', 's3:PutBucketPolicy', 's3:DeleteBucket'];
const KMS_ACTIONS: Record<Level, string[]> = {
  read: ['kms:Decrypt'],
  write: ['kms:GenerateDataKey', 'kms:Decrypt'],
  readWrite: ['kms:GenerateDataKey', 'kms:Decrypt'],
  delete: [],
};
const ALL_KMS_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt', 'kms:ReEncryptFrom', 'kms:CreateGrant'];

describe.each<Level>(['read', 'write', 'readWrite', 'delete'])('grant %s (Bucket Keys on)', (level) => {
  const f = synth(level);

  test('exactly the object actions of the level, on this bucket only', async () => {
    for (const action of ALL_OBJECT_ACTIONS) {
      const expected = S3_ACTIONS[level].includes(action) ? 'Allowed' : 'ImplicitlyDenied';
      expect([action, await decide(f, action, `${f.bucketArn}/a/b.txt`, https())]).toEqual([action, expected]);
      expect([action, await decide(f, action, `${f.otherBucketArn}/a/b.txt`, https())]).toEqual([action, 'ImplicitlyDenied']);
    }
  });

  test('exactly the bucket actions of the level, on this bucket only', async () => {
    for (const action of ALL_BUCKET_ACTIONS) {
      const expected = BUCKET_ACTIONS[level].includes(action) ? 'Allowed' : 'ImplicitlyDenied';
      expect([action, await decide(f, action, f.bucketArn, https())]).toEqual([action, expected]);
      expect([action, await decide(f, action, f.otherBucketArn, https())]).toEqual([action, 'ImplicitlyDenied']);
    }
  });

  test('KMS only through S3 in the bucket Region, for this bucket\'s contexts', async () => {
    for (const action of ALL_KMS_ACTIONS) {
      // The key policy denies CreateGrant outright unless an AWS service asks for an AWS resource.
      const refused = action === 'kms:CreateGrant' ? 'ExplicitlyDenied' : 'ImplicitlyDenied';
      const expected = KMS_ACTIONS[level].includes(action) ? 'Allowed' : refused;
      expect([action, await decide(f, action, f.keyArn, { ...viaS3(), ...context(f.bucketArn) })]).toEqual([action, expected]);
      // Called directly, through S3 in another Region, for another bucket, or on another key: never.
      expect([action, await decide(f, action, f.keyArn, context(f.bucketArn))]).toEqual([action, refused]);
      expect([action, await decide(f, action, f.keyArn, { ...viaS3('us-east-1'), ...context(f.bucketArn) })]).toEqual([action, refused]);
      expect([action, await decide(f, action, f.keyArn, { ...viaS3(), ...context(f.otherBucketArn) })]).toEqual([action, refused]);
      expect([action, await decide(f, action, f.otherKeyArn, { ...viaS3(), ...context(f.bucketArn) })]).toEqual([action, refused]);
    }
  });
});

/**
 * The Bucket Key of each object is chosen per upload: the bucket's setting is only the default, and
 * an uploader may send x-amz-server-side-encryption-bucket-key-enabled: false (or true). There is no
 * condition key for that header in the Service Authorization Reference, so it cannot be denied; the
 * grants must let grantees read objects of both forms. S3 asks KMS with the bucket ARN as context
 * for objects under a Bucket Key and with the object ARN for the others.
 */
describe('a grantee reads objects whatever Bucket Key they were written with', () => {
  const read = async (f: Fixture, objectKey: string, encryptionContext: string) => [
    await decide(f, 's3:GetObject', `${f.bucketArn}/${objectKey}`, https()),
    await decide(f, 'kms:Decrypt', f.keyArn, { ...viaS3(), ...context(encryptionContext) }),
  ];

  test('Bucket Keys on: an object written with x-amz-server-side-encryption-bucket-key-enabled: false (object-ARN context)', async () => {
    const f = synth('read');
    expect(await read(f, 'a/b.txt', `${f.bucketArn}/a/b.txt`)).toEqual(['Allowed', 'Allowed']);
    expect(await read(f, 'a/b.txt', f.bucketArn)).toEqual(['Allowed', 'Allowed']);
    // still only this bucket's objects
    expect(await decide(f, 'kms:Decrypt', f.keyArn, { ...viaS3(), ...context(`${f.otherBucketArn}/a/b.txt`) })).toBe('ImplicitlyDenied');
  });

  test('Bucket Keys off: an object written with x-amz-server-side-encryption-bucket-key-enabled: true (bucket-ARN context)', async () => {
    const f = synth('read', { bucketKeyEnabled: false });
    expect(await read(f, 'a/b.txt', f.bucketArn)).toEqual(['Allowed', 'Allowed']);
    expect(await read(f, 'a/b.txt', `${f.bucketArn}/a/b.txt`)).toEqual(['Allowed', 'Allowed']);
  });

  test('DSSE-KMS has no Bucket Keys: object ARNs only', async () => {
    const f = synth('read', { encryption: BucketEncryptionMode.DSSE_KMS });
    expect(await read(f, 'a/b.txt', `${f.bucketArn}/a/b.txt`)).toEqual(['Allowed', 'Allowed']);
    expect(await decide(f, 'kms:Decrypt', f.keyArn, { ...viaS3(), ...context(f.bucketArn) })).toBe('ImplicitlyDenied');
  });
});

describe('grant with Bucket Keys off and a key pattern', () => {
  const f = synth('readWrite', { bucketKeyEnabled: false }, 'tenant-a/*');

  test('KMS context: object ARNs under the pattern, or the bucket ARN (objects under a Bucket Key carry no object ARN)', async () => {
    const allowed = await decide(f, 'kms:Decrypt', f.keyArn, { ...viaS3(), ...context(`${f.bucketArn}/tenant-a/x.bin`) });
    const otherPrefix = await decide(f, 'kms:Decrypt', f.keyArn, { ...viaS3(), ...context(`${f.bucketArn}/tenant-b/x.bin`) });
    const bucketContext = await decide(f, 'kms:Decrypt', f.keyArn, { ...viaS3(), ...context(f.bucketArn) });
    expect([allowed, otherPrefix, bucketContext]).toEqual(['Allowed', 'ImplicitlyDenied', 'Allowed']);
  });

  test('objects outside the pattern are not granted', async () => {
    expect(await decide(f, 's3:GetObject', `${f.bucketArn}/tenant-a/x.bin`, https())).toBe('Allowed');
    expect(await decide(f, 's3:GetObject', `${f.bucketArn}/tenant-b/x.bin`, https())).toBe('ImplicitlyDenied');
  });
});
