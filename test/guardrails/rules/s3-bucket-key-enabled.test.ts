import * as s3 from 'aws-cdk-lib/aws-s3';
import { BucketEncryptionMode, EncryptedBucket } from '../../../lib';
import { S3BucketKeyEnabled } from '../../../lib/guardrails/rules';
import { check, newStack, packViolations } from '../support';

describe('S3BucketKeyEnabled', () => {
  test('passes SSE-KMS with Bucket Keys (plain s3.Bucket and EncryptedBucket)', () => {
    const stack = newStack();
    expect(check(S3BucketKeyEnabled, new s3.Bucket(stack, 'B', { encryption: s3.BucketEncryption.KMS, bucketKeyEnabled: true }))).toEqual([]);
    expect(check(S3BucketKeyEnabled, new EncryptedBucket(stack, 'E').bucket)).toEqual([]);
  });

  test('fails SSE-KMS without Bucket Keys, whether unset or off', () => {
    const stack = newStack();
    expect(check(S3BucketKeyEnabled, new s3.Bucket(stack, 'Unset', { encryption: s3.BucketEncryption.KMS_MANAGED })))
      .toEqual(['BucketKeyEnabled is not set on an SSE-KMS bucket.']);
    expect(check(S3BucketKeyEnabled, new s3.Bucket(stack, 'Off', { encryption: s3.BucketEncryption.KMS, bucketKeyEnabled: false })))
      .toEqual(['BucketKeyEnabled is false on an SSE-KMS bucket.']);
  });

  test('does not apply to DSSE-KMS (unsupported there), SSE-S3 or unencrypted buckets', () => {
    const stack = newStack();
    expect(check(S3BucketKeyEnabled, new EncryptedBucket(stack, 'Dsse', { encryption: BucketEncryptionMode.DSSE_KMS }).bucket)).toBeUndefined();
    expect(check(S3BucketKeyEnabled, new s3.Bucket(stack, 'S3', { encryption: s3.BucketEncryption.S3_MANAGED }))).toBeUndefined();
    expect(check(S3BucketKeyEnabled, new s3.Bucket(stack, 'None'))).toBeUndefined();
  });

  test('the pack reports it', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Off', { encryption: s3.BucketEncryption.KMS });
    expect(packViolations(stack)['S3Encryption-S3BucketKeyEnabled']).toEqual(['Test/Off/Resource']);
  });
});
