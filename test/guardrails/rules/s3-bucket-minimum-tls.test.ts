import * as s3 from 'aws-cdk-lib/aws-s3';
import { EncryptedBucket } from '../../../lib';
import { S3BucketMinimumTls } from '../../../lib/guardrails/rules';
import { check, newStack, packViolations } from '../support';

function handWritten(condition: object, overrides: object = {}) {
  const stack = newStack();
  const bucket = new s3.CfnBucket(stack, 'B', { bucketName: 'tls-bucket' });
  new s3.CfnBucketPolicy(stack, 'P', {
    bucket: bucket.ref,
    policyDocument: {
      Statement: [{
        Sid: 'denyOutdatedTLS', Effect: 'Deny', Principal: '*', Action: 's3:*',
        Resource: ['arn:aws:s3:::tls-bucket', 'arn:aws:s3:::tls-bucket/*'], Condition: condition, ...overrides,
      }],
    },
  });
  return bucket;
}

describe('S3BucketMinimumTls', () => {
  test.each([1.2, 1.3])('passes aws-cdk-lib minimumTLSVersion %p', (version) => {
    expect(check(S3BucketMinimumTls, new s3.Bucket(newStack(), 'B', { enforceSSL: true, minimumTLSVersion: version }))).toEqual([]);
  });

  test('passes EncryptedBucket (1.2 by default, 1.3 when asked)', () => {
    const stack = newStack();
    expect(check(S3BucketMinimumTls, new EncryptedBucket(stack, 'Default').bucket)).toEqual([]);
    expect(check(S3BucketMinimumTls, new EncryptedBucket(stack, 'Strict', { minimumTlsVersion: 1.3 }).bucket)).toEqual([]);
  });

  test('passes terraform\'s string "1.2" and an equivalent NumericLessThanEquals 1.1', () => {
    expect(check(S3BucketMinimumTls, handWritten({ NumericLessThan: { 's3:TlsVersion': '1.2' } }))).toEqual([]);
    expect(check(S3BucketMinimumTls, handWritten({ NumericLessThanEquals: { 's3:TlsVersion': '1.1' } }))).toEqual([]);
  });

  test('fails TLS-only without a minimum version', () => {
    expect(check(S3BucketMinimumTls, new s3.Bucket(newStack(), 'B', { enforceSSL: true })))
      .toEqual([expect.stringMatching(/no statement denies requests over TLS older than 1.2/)]);
  });

  test('fails a minimum that allows TLS 1.1', () => {
    expect(check(S3BucketMinimumTls, new s3.Bucket(newStack(), 'B', { enforceSSL: true, minimumTLSVersion: 1.1 })))
      .toEqual(['the oldest TLS version the policy accepts is 1.1; it must be one of 1.2, 1.3.']);
  });

  test('fails a minimum above 1.3, which aws-cdk-lib accepts and which denies every request', () => {
    expect(check(S3BucketMinimumTls, new s3.Bucket(newStack(), 'B', { enforceSSL: true, minimumTLSVersion: 1.4 })))
      .toEqual([expect.stringMatching(/requires TLS newer than 1.3, which no client can use/)]);
    expect(check(S3BucketMinimumTls, handWritten({ NumericLessThanEquals: { 's3:TlsVersion': 1.3 } })))
      .toEqual([expect.stringMatching(/requires TLS newer than 1.3/)]);
  });

  test('fails a minimum enforced on uploads only, or for one principal only', () => {
    expect(check(S3BucketMinimumTls, handWritten({ NumericLessThan: { 's3:TlsVersion': 1.2 } }, { Action: 's3:PutObject' })))
      .toEqual([expect.stringMatching(/no statement denies/)]);
    expect(check(S3BucketMinimumTls, handWritten({ NumericLessThan: { 's3:TlsVersion': 1.2 } }, { Principal: { AWS: 'arn:aws:iam::111111111111:role/app' } })))
      .toEqual([expect.stringMatching(/no statement denies/)]);
  });

  test('the pack reports it', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Old', { enforceSSL: true, minimumTLSVersion: 1.0 });
    expect(packViolations(stack)['S3Encryption-S3BucketMinimumTls']).toEqual(['Test/Old/Resource']);
  });
});
