import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BucketEncryptionMode, EncryptedBucket } from '../../../lib';
import { S3LogTargetEncryption } from '../../../lib/guardrails/rules';
import { ENV, check, newStack, packViolations } from '../support';

/** A CfnBucket log target with the given default encryption, and a bucket logging into it. */
function logTarget(byDefault?: s3.CfnBucket.ServerSideEncryptionByDefaultProperty) {
  const stack = newStack();
  const target = new s3.CfnBucket(stack, 'Logs', {
    bucketEncryption: byDefault && { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: byDefault }] },
  });
  new s3.CfnBucket(stack, 'Source', { loggingConfiguration: { destinationBucketName: target.ref, logFilePrefix: 'src/' } });
  return target;
}

describe('S3LogTargetEncryption', () => {
  test('does not apply to a bucket nobody logs to', () => {
    expect(check(S3LogTargetEncryption, new s3.Bucket(newStack(), 'B'))).toBeUndefined();
  });

  test('passes an EncryptedBucket SSE-KMS log target (its key lets log delivery in)', () => {
    const stack = newStack();
    const logs = new EncryptedBucket(stack, 'Logs');
    new EncryptedBucket(stack, 'Data', { serverAccessLogsBucket: logs.bucket });
    expect(check(S3LogTargetEncryption, logs.bucket)).toEqual([]);
  });

  test('passes SSE-S3 and unencrypted (S3 applies SSE-S3) log targets', () => {
    expect(check(S3LogTargetEncryption, logTarget({ sseAlgorithm: 'AES256' }))).toEqual([]);
    expect(check(S3LogTargetEncryption, logTarget())).toEqual([]);
  });

  test('fails DSSE-KMS and aws/s3 log targets', () => {
    expect(check(S3LogTargetEncryption, logTarget({ sseAlgorithm: 'aws:kms:dsse' }))).toEqual([expect.stringMatching(/DSSE-KMS, which S3 server access log delivery does not support. \(logs from Test\/Source\)/)]);
    expect(check(S3LogTargetEncryption, logTarget({ sseAlgorithm: 'aws:kms' }))).toEqual([expect.stringMatching(/AWS-managed aws\/s3 key/)]);
    expect(check(S3LogTargetEncryption, logTarget({ sseAlgorithm: 'aws:kms', kmsMasterKeyId: 'alias/aws/s3' }))).toEqual([expect.stringMatching(/AWS-managed aws\/s3 key/)]);
  });

  test('fails a customer-managed key whose policy does not let log delivery use it', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const target = new s3.CfnBucket(stack, 'Logs', {
      bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key.keyArn } }] },
    });
    new s3.CfnBucket(stack, 'Source', { loggingConfiguration: { destinationBucketName: target.ref } });
    expect(check(S3LogTargetEncryption, target)).toEqual([expect.stringMatching(/key Test\/Key has no key-policy statement letting logging.s3.amazonaws.com call kms:GenerateDataKey/)]);
  });

  test('follows a log target in another stack through its export', () => {
    const app = new App();
    const logs = new EncryptedBucket(new Stack(app, 'Logs', { env: ENV }), 'Logs', { encryption: BucketEncryptionMode.DSSE_KMS });
    const source = new s3.CfnBucket(new Stack(app, 'Source', { env: ENV }), 'Source', { loggingConfiguration: { destinationBucketName: logs.bucketName } });
    app.synth();
    expect(check(S3LogTargetEncryption, logs.bucket)).toEqual([expect.stringMatching(/DSSE-KMS.*\(logs from Source\/Source\)/)]);
    expect(source.loggingConfiguration).toBeDefined();
  });

  test('the pack reports it', () => {
    const target = logTarget({ sseAlgorithm: 'aws:kms:dsse' });
    expect(packViolations(target.stack)['S3Encryption-S3LogTargetEncryption']).toEqual(['Test/Logs']);
  });
});
