import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Stack } from 'aws-cdk-lib';
import { BucketEncryptionMode, EncryptedBucket, KmsReplicaKey, ReplicationDestination, ServiceIntegration } from '../../../lib';
import { S3BucketEncryptionHeaders } from '../../../lib/guardrails/rules';
import { check, newStack, packViolations } from '../support';

/** A KMS-encrypted CfnBucket with a hand-written (terraform-module style) policy. */
function terraformStyle(sseAlgorithm: string, statementsFor: (keyArn: string, keyId: string) => object[]) {
  const stack = newStack();
  const key = new kms.CfnKey(stack, 'Key', { enableKeyRotation: true });
  const bucket = new s3.CfnBucket(stack, 'B', {
    bucketName: 'tf-bucket',
    bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm, kmsMasterKeyId: key.attrArn } }] },
  });
  new s3.CfnBucketPolicy(stack, 'P', { bucket: bucket.ref, policyDocument: { Statement: statementsFor(key.attrArn, key.ref) } });
  return bucket;
}

/** Every action through which a request can choose an object's encryption (lib/private/encryption-setting-actions.ts). */
const ENCRYPTION_SETTING_ACTIONS = ['s3:PutObject', 's3:ReplicateObject', 's3:UpdateObjectEncryption', 's3:BypassGovernanceRetention'];
const deny = (condition: object, actions: string | string[] = ENCRYPTION_SETTING_ACTIONS) =>
  ({ Effect: 'Deny', Principal: '*', Action: actions, Resource: 'arn:aws:s3:::tf-bucket/*', Condition: condition });
const incorrectEncryptionHeaders = (algorithms: string[]) => deny({ StringNotEquals: { 's3:x-amz-server-side-encryption': algorithms } });
const incorrectKmsKey = (keyId: string) => deny({ StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': keyId } });

describe('S3BucketEncryptionHeaders', () => {
  test.each([
    ['SSE_S3', BucketEncryptionMode.SSE_S3],
    ['SSE_KMS', BucketEncryptionMode.SSE_KMS],
    ['DSSE_KMS', BucketEncryptionMode.DSSE_KMS],
  ])('passes EncryptedBucket %s', (_name, encryption) => {
    expect(check(S3BucketEncryptionHeaders, new EncryptedBucket(newStack(), 'E', { encryption }).bucket)).toEqual([]);
  });

  test('passes a CloudTrail bucket: the digest-file exemption is confined to CloudTrail by its own denies', () => {
    const bucket = new EncryptedBucket(newStack(), 'Trail');
    bucket.addServiceIntegration(ServiceIntegration.cloudTrail({ trailName: 'audit' }));
    expect(check(S3BucketEncryptionHeaders, bucket.bucket)).toEqual([]);
  });

  test('fails a service exemption without the deny that confines that service', () => {
    const bucket = terraformStyle('aws:kms', (keyArn) => [
      deny({ StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' }, StringNotEqualsIfExists: { 'aws:PrincipalServiceName': 'cloudtrail.amazonaws.com' } }),
      incorrectKmsKey(keyArn),
    ]);
    expect(check(S3BucketEncryptionHeaders, bucket)).toEqual([expect.stringMatching(/header asks for another algorithm than aws:kms/)]);
  });

  test('passes a replication destination under a multi-Region replica key named by ARN and alias', () => {
    const stack = new Stack(newStack().node.root, 'Replica', { env: { account: '111111111111', region: 'eu-central-1' } });
    const key = new KmsReplicaKey(stack, 'ReplicaKey', { primaryKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab' });
    const destination = new ReplicationDestination(stack, 'Destination', { bucketName: 'replica-bucket', encryptionKey: key, source: { account: '111111111111', replicationRoleName: 'r' } });
    expect(check(S3BucketEncryptionHeaders, destination.bucket.bucket)).toEqual([]);
  });

  test('passes terraform\'s denyIncorrectEncryptionHeaders + denyIncorrectKmsKeySse (no Null guards: stricter)', () => {
    const bucket = terraformStyle('aws:kms', (keyArn) => [incorrectEncryptionHeaders(['aws:kms']), incorrectKmsKey(keyArn)]);
    expect(check(S3BucketEncryptionHeaders, bucket)).toEqual([]);
  });

  test('compares keys by identity: a policy naming the key by id matches a bucket naming it by ARN', () => {
    const bucket = terraformStyle('aws:kms', (_arn, keyId) => [incorrectEncryptionHeaders(['aws:kms']), incorrectKmsKey(keyId)]);
    expect(check(S3BucketEncryptionHeaders, bucket)).toEqual([]);
  });

  test('fails terraform\'s DSSE pitfall: a DSSE-KMS bucket whose header policy demands another algorithm', () => {
    const bucket = terraformStyle('aws:kms:dsse', (keyArn) => [incorrectEncryptionHeaders(['AES256']), incorrectKmsKey(keyArn)]);
    expect(check(S3BucketEncryptionHeaders, bucket)).toEqual([expect.stringMatching(/another algorithm than aws:kms:dsse/)]);
  });

  test('fails a header policy that also accepts another algorithm', () => {
    const bucket = terraformStyle('aws:kms', (keyArn) => [incorrectEncryptionHeaders(['aws:kms', 'AES256']), incorrectKmsKey(keyArn)]);
    expect(check(S3BucketEncryptionHeaders, bucket)).toEqual([expect.stringMatching(/another algorithm than aws:kms\./)]);
  });

  test('fails a key pin to another key, and a Null-guarded key pin without the aws/s3 fallback deny', () => {
    const wrongKey = terraformStyle('aws:kms', () => [incorrectEncryptionHeaders(['aws:kms']), incorrectKmsKey('arn:aws:kms:us-east-1:111111111111:key/another')]);
    // Without a Null guard the wrong pin still denies key-less uploads, so only the key itself is reported.
    expect(check(S3BucketEncryptionHeaders, wrongKey)).toEqual([expect.stringMatching(/names another key than the bucket's/)]);
    const guarded = terraformStyle('aws:kms', (keyArn) => [incorrectEncryptionHeaders(['aws:kms']),
      deny({ StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn }, Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' } })]);
    expect(check(S3BucketEncryptionHeaders, guarded)).toEqual([expect.stringMatching(/aws:kms uploads that name no key, which S3 encrypts under the AWS-managed aws\/s3 key/)]);
  });

  test('fails header denies on s3:PutObject only: replicas and in-place encryption updates could still choose another algorithm or key', () => {
    const bucket = terraformStyle('aws:kms', (keyArn) => [
      deny({ StringNotEquals: { 's3:x-amz-server-side-encryption': ['aws:kms'] } }, 's3:PutObject'),
      deny({ StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn } }, 's3:PutObject'),
    ]);
    expect(check(S3BucketEncryptionHeaders, bucket)).toEqual([
      expect.stringMatching(/another algorithm than aws:kms\./),
      expect.stringMatching(/names another key than the bucket's/),
      expect.stringMatching(/aws:kms uploads that name no key/),
    ]);
  });

  test('fails a plain KMS bucket: all three statements are missing', () => {
    const bucket = new s3.Bucket(newStack(), 'B', { encryption: s3.BucketEncryption.KMS, enforceSSL: true });
    expect(check(S3BucketEncryptionHeaders, bucket)).toHaveLength(3);
  });

  test('needs only the algorithm statement for aws/s3 and for unencrypted buckets (S3 applies AES256)', () => {
    const stack = newStack();
    expect(check(S3BucketEncryptionHeaders, new s3.Bucket(stack, 'Managed', { encryption: s3.BucketEncryption.KMS_MANAGED })))
      .toEqual([expect.stringMatching(/another algorithm than aws:kms\./)]);
    expect(check(S3BucketEncryptionHeaders, new s3.Bucket(stack, 'None'))).toEqual([expect.stringMatching(/another algorithm than AES256/)]);
  });

  test('the pack reports it', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Kms', { encryption: s3.BucketEncryption.KMS_MANAGED, enforceSSL: true });
    expect(packViolations(stack)['S3Encryption-S3BucketEncryptionHeaders']).toEqual(['Test/Kms/Resource']);
  });
});
