import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EncryptedBucket } from '../../../lib';
import { S3BucketSseCBlocked } from '../../../lib/guardrails/rules';
import { check, newStack, packViolations } from '../support';

/** A hand-written (terraform-style) CfnBucket + CfnBucketPolicy pair. */
function bucketWithPolicy(statements: object[], blocked?: string[]) {
  const stack = newStack();
  const bucket = new s3.CfnBucket(stack, 'B', {
    bucketName: 'hand-written-bucket',
    bucketEncryption: blocked && { serverSideEncryptionConfiguration: [{ blockedEncryptionTypes: { encryptionType: blocked } }] },
  });
  new s3.CfnBucketPolicy(stack, 'P', { bucket: bucket.ref, policyDocument: { Version: '2012-10-17', Statement: statements } });
  return bucket;
}

/** The actions through which a request can send SSE-C (lib/private/encryption-setting-actions.ts). */
const SSE_C_ACTIONS = ['s3:PutObject', 's3:ReplicateObject', 's3:BypassGovernanceRetention'];
const denySseC = (extra: object = {}, actions: string | string[] = SSE_C_ACTIONS) => ({
  Sid: 'denySSECEncryptedObjectUploads',
  Effect: 'Deny',
  Principal: '*',
  Action: actions,
  Resource: 'arn:aws:s3:::hand-written-bucket/*',
  Condition: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' }, ...extra },
});

describe('S3BucketSseCBlocked', () => {
  test('passes a bucket that blocks SSE-C (EncryptedBucket default, s3.Bucket blockedEncryptionTypes)', () => {
    const stack = newStack();
    expect(check(S3BucketSseCBlocked, new EncryptedBucket(stack, 'E').bucket)).toEqual([]);
    expect(check(S3BucketSseCBlocked, new s3.Bucket(stack, 'B', { blockedEncryptionTypes: [s3.BlockedEncryptionType.SSE_C] }))).toEqual([]);
  });

  test('passes SSE-C allowed only to named roles (EncryptedBucket sseC opt-in)', () => {
    const stack = newStack();
    const custodian = new iam.Role(stack, 'Custodian', { assumedBy: new iam.AccountRootPrincipal() });
    expect(check(S3BucketSseCBlocked, new EncryptedBucket(stack, 'E', { sseC: { allowedRoles: [custodian] } }).bucket)).toEqual([]);
  });

  test('passes a hand-written deny with a named-role exemption, and one without exemption', () => {
    const exempt = { ArnNotEquals: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/custodian'] } };
    expect(check(S3BucketSseCBlocked, bucketWithPolicy([denySseC(exempt)], ['NONE']))).toEqual([]);
    expect(check(S3BucketSseCBlocked, bucketWithPolicy([denySseC()]))).toEqual([]);
  });

  test('fails an SSE-C deny on s3:PutObject only (SSE-C replicas would still be written)', () => {
    expect(check(S3BucketSseCBlocked, bucketWithPolicy([denySseC({}, 's3:PutObject')], ['NONE'])))
      .toEqual([expect.stringMatching(/no bucket-policy statement denies/)]);
  });

  test('fails a bucket that neither blocks nor denies SSE-C', () => {
    expect(check(S3BucketSseCBlocked, new s3.Bucket(newStack(), 'B')))
      .toEqual([expect.stringMatching(/SSE-C is not blocked \(no BlockedEncryptionTypes\) and no bucket-policy statement denies/)]);
  });

  test('fails SSE-C explicitly allowed (NONE) without a deny', () => {
    const bucket = new s3.Bucket(newStack(), 'B', { blockedEncryptionTypes: [s3.BlockedEncryptionType.NONE] });
    expect(check(S3BucketSseCBlocked, bucket)).toEqual([expect.stringMatching(/explicitly allowed \(BlockedEncryptionTypes NONE\)/)]);
  });

  test('fails an exemption by wildcard rather than by named roles', () => {
    const wildcard = { ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/*'] } };
    expect(check(S3BucketSseCBlocked, bucketWithPolicy([denySseC(wildcard)], ['NONE'])))
      .toEqual([expect.stringMatching(/exempts principals by wildcard \(arn:aws:iam::111111111111:role\/\*\)/)]);
  });

  test('fails a deny narrowed by another condition (it lets everyone else through)', () => {
    const narrowed = { StringEquals: { 'aws:SourceVpc': 'vpc-1234' } };
    expect(check(S3BucketSseCBlocked, bucketWithPolicy([denySseC(narrowed)], ['NONE']))).toEqual([expect.stringMatching(/no bucket-policy statement denies/)]);
  });

  test('fails a deny on another bucket\'s objects', () => {
    const elsewhere = { ...denySseC(), Resource: 'arn:aws:s3:::some-other-bucket/*' };
    expect(check(S3BucketSseCBlocked, bucketWithPolicy([elsewhere], ['NONE']))).toEqual([expect.stringMatching(/no bucket-policy statement denies/)]);
  });

  test('the pack reports it', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Open', { blockedEncryptionTypes: [s3.BlockedEncryptionType.NONE] });
    expect(packViolations(stack)['S3Encryption-S3BucketSseCBlocked']).toEqual(['Test/Open/Resource']);
  });
});
