import { App, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EncryptedBucket } from '../../../lib';
import { S3BucketTlsOnly } from '../../../lib/guardrails/rules';
import { ENV, check, newStack, packViolations } from '../support';

const tlsDeny = (resource: unknown, extra: object = {}) => ({
  Sid: 'denyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: resource,
  Condition: { Bool: { 'aws:SecureTransport': false }, ...extra },
});

describe('S3BucketTlsOnly', () => {
  test('passes aws-cdk-lib enforceSSL and EncryptedBucket', () => {
    const stack = newStack();
    expect(check(S3BucketTlsOnly, new s3.Bucket(stack, 'B', { enforceSSL: true }))).toEqual([]);
    expect(check(S3BucketTlsOnly, new EncryptedBucket(stack, 'E').bucket)).toEqual([]);
  });

  test('passes a terraform-style policy: literal ARNs by name, Principal "*", boolean false', () => {
    const stack = newStack();
    const bucket = new s3.CfnBucket(stack, 'B', { bucketName: 'tf-bucket' });
    new s3.CfnBucketPolicy(stack, 'P', {
      bucket: 'tf-bucket',
      policyDocument: { Statement: [tlsDeny(['arn:aws:s3:::tf-bucket', 'arn:aws:s3:::tf-bucket/*'])] },
    });
    expect(check(S3BucketTlsOnly, bucket)).toEqual([]);
  });

  test('passes ARNs written with Fn::Sub and Fn::Join of the partition and Ref', () => {
    const stack = newStack();
    const bucket = new s3.CfnBucket(stack, 'B');
    new s3.CfnBucketPolicy(stack, 'P', {
      bucket: bucket.ref,
      policyDocument: {
        Statement: [tlsDeny([
          Fn.sub('arn:${AWS::Partition}:s3:::${B}'),
          Fn.join('', ['arn:', Fn.ref('AWS::Partition'), ':s3:::', bucket.ref, '/*']),
        ])],
      },
    });
    expect(check(S3BucketTlsOnly, bucket)).toEqual([]);
  });

  test('finds a policy in another stack that names the bucket through a cross-stack export', () => {
    const app = new App();
    const bucket = new s3.Bucket(new Stack(app, 'Data', { env: ENV }), 'B');
    const policyStack = new Stack(app, 'Policies', { env: ENV });
    new s3.CfnBucketPolicy(policyStack, 'P', {
      bucket: bucket.bucketName,
      policyDocument: new iam.PolicyDocument({ statements: [iam.PolicyStatement.fromJson(tlsDeny([bucket.bucketArn, bucket.arnForObjects('*')]))] }),
    });
    app.synth(); // cross-stack references become Fn::ImportValue during synthesis
    expect(check(S3BucketTlsOnly, bucket)).toEqual([]);
  });

  test('fails a bucket without a policy', () => {
    expect(check(S3BucketTlsOnly, new s3.Bucket(newStack(), 'B'))).toEqual(['the bucket has no bucket policy, so nothing denies plaintext HTTP requests.']);
  });

  test.each([
    ['objects only', (arn: string) => tlsDeny(`${arn}/*`)],
    ['one action only', (arn: string) => ({ ...tlsDeny([arn, `${arn}/*`]), Action: 's3:GetObject' })],
    ['a narrower condition', (arn: string) => tlsDeny([arn, `${arn}/*`], { StringEquals: { 'aws:SourceVpc': 'vpc-1' } })],
    ['one principal only', (arn: string) => ({ ...tlsDeny([arn, `${arn}/*`]), Principal: { AWS: 'arn:aws:iam::111111111111:root' } })],
    ['an Allow', (arn: string) => ({ ...tlsDeny([arn, `${arn}/*`]), Effect: 'Allow' })],
  ])('fails a TLS statement covering %s', (_name, statement) => {
    const stack = newStack();
    const bucket = new s3.CfnBucket(stack, 'B', { bucketName: 'tf-bucket' });
    new s3.CfnBucketPolicy(stack, 'P', { bucket: bucket.ref, policyDocument: { Statement: [statement('arn:aws:s3:::tf-bucket')] } });
    expect(check(S3BucketTlsOnly, bucket)).toEqual([expect.stringMatching(/no statement denies every request without TLS/)]);
  });

  test('fails two policies on one bucket (only one survives deployment)', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'B', { enforceSSL: true });
    new s3.CfnBucketPolicy(stack, 'Second', { bucket: bucket.bucketName, policyDocument: { Statement: [tlsDeny([bucket.bucketArn, bucket.arnForObjects('*')])] } });
    expect(check(S3BucketTlsOnly, bucket)).toEqual([expect.stringMatching(/^2 AWS::S3::BucketPolicy resources target this bucket/)]);
  });

  test('judges a policy whose bucket is outside the app on its own; a policy of an in-app bucket is judged with the bucket', () => {
    const stack = newStack();
    const good = new s3.CfnBucketPolicy(stack, 'Good', {
      bucket: 'external-bucket',
      policyDocument: { Statement: [tlsDeny(['arn:aws:s3:::external-bucket', 'arn:aws:s3:::external-bucket/*'])] },
    });
    const bad = new s3.CfnBucketPolicy(stack, 'Bad', {
      bucket: 'other-external-bucket',
      policyDocument: { Statement: [tlsDeny(['arn:aws:s3:::external-bucket', 'arn:aws:s3:::external-bucket/*'])] },
    });
    const inApp = new s3.Bucket(stack, 'InApp', { enforceSSL: true });
    expect(check(S3BucketTlsOnly, good)).toEqual([]);
    expect(check(S3BucketTlsOnly, bad)).toEqual([expect.stringMatching(/no statement denies/)]);
    expect(check(S3BucketTlsOnly, inApp.policy!)).toBeUndefined();
  });

  test('the pack reports buckets and orphan policies', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'NoPolicy');
    new s3.CfnBucketPolicy(stack, 'Orphan', { bucket: 'elsewhere', policyDocument: { Statement: [] } });
    expect(packViolations(stack)['S3Encryption-S3BucketTlsOnly']).toEqual(['Test/NoPolicy/Resource', 'Test/Orphan']);
  });
});
