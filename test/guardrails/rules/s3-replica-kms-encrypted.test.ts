import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { KmsKeyWithRotation, KmsReplicaKey } from '../../../lib';
import { S3ReplicaKmsEncrypted } from '../../../lib/guardrails/rules';
import { ENV, check, newStack, packViolations } from '../support';

type Rule = s3.CfnBucket.ReplicationRuleProperty;

/** A KMS (or SSE-S3) source CfnBucket replicating with the given rule into a destination of `destinationAlgorithm`. */
function replicating(rule: (destinationArn: string, replicaKeyArn: string) => Rule, source = 'aws:kms', destinationAlgorithm = 'aws:kms') {
  const stack = newStack();
  const key = new kms.CfnKey(stack, 'Key', { enableKeyRotation: true });
  const destination = new s3.CfnBucket(stack, 'Destination', {
    versioningConfiguration: { status: 'Enabled' },
    bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: destinationAlgorithm } }] },
  });
  return new s3.CfnBucket(stack, 'Source', {
    versioningConfiguration: { status: 'Enabled' },
    bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: source, kmsMasterKeyId: source === 'AES256' ? undefined : key.attrArn } }] },
    replicationConfiguration: { role: 'arn:aws:iam::111111111111:role/replication', rules: [rule(destination.attrArn, key.attrArn)] },
  });
}

const complete = (destination: string, replicaKey: string): Rule => ({
  id: 'All', status: 'Enabled',
  destination: { bucket: destination, encryptionConfiguration: { replicaKmsKeyId: replicaKey } },
  sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
});

describe('S3ReplicaKmsEncrypted', () => {
  test('passes a KMS bucket whose rules select KMS objects and KMS-encrypt replicas into a KMS bucket', () => {
    expect(check(S3ReplicaKmsEncrypted, replicating(complete))).toEqual([]);
  });

  test('passes aws-cdk-lib replicationRules with kmsKey and sseKmsEncryptedObjects', () => {
    const stack = newStack();
    const destination = new s3.Bucket(stack, 'Destination', { versioned: true, encryption: s3.BucketEncryption.KMS });
    const source = new s3.Bucket(stack, 'Source', {
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      replicationRules: [{ destination, kmsKey: destination.encryptionKey, sseKmsEncryptedObjects: true }],
    });
    expect(check(S3ReplicaKmsEncrypted, source)).toEqual([]);
  });

  test('does not apply without replication, and ignores disabled rules', () => {
    expect(check(S3ReplicaKmsEncrypted, new s3.Bucket(newStack(), 'B'))).toBeUndefined();
    expect(check(S3ReplicaKmsEncrypted, replicating((d) => ({ status: 'Disabled', destination: { bucket: d } })))).toBeUndefined();
  });

  test('fails KMS objects selected without a replica key (S3 rejects the rule)', () => {
    const bucket = replicating((d) => ({ status: 'Enabled', destination: { bucket: d }, sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } } }));
    expect(check(S3ReplicaKmsEncrypted, bucket)).toEqual([expect.stringMatching(/selects SSE-KMS objects but sets no ReplicaKmsKeyID \(S3 rejects this rule\)/)]);
  });

  test('fails a KMS source whose rule skips KMS objects and sets no replica key', () => {
    const bucket = replicating((d) => ({ id: 'Plain', status: 'Enabled', destination: { bucket: d } }));
    expect(check(S3ReplicaKmsEncrypted, bucket)).toEqual([
      expect.stringMatching(/rule Plain sets no ReplicaKmsKeyID/),
      expect.stringMatching(/rule Plain does not enable SourceSelectionCriteria.SseKmsEncryptedObjects, so this bucket's aws:kms objects are not replicated/),
    ]);
  });

  test('fails a KMS source replicating into an SSE-S3 bucket of the app', () => {
    expect(check(S3ReplicaKmsEncrypted, replicating(complete, 'aws:kms', 'AES256'))).toEqual([expect.stringMatching(/into Test\/Destination, whose default encryption is AES256, not KMS/)]);
  });

  test('passes an SSE-S3 source that replicates without KMS settings', () => {
    expect(check(S3ReplicaKmsEncrypted, replicating((d) => ({ status: 'Enabled', destination: { bucket: d } }), 'AES256', 'AES256'))).toEqual([]);
  });

  test('fails a replica key in another Region than the destination bucket', () => {
    const app = new App();
    const replicaStack = new Stack(app, 'Replica', { env: { ...ENV, region: 'eu-west-1' } });
    const destination = new s3.CfnBucket(replicaStack, 'Destination', {
      bucketName: 'replica-bucket',
      bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }] },
    });
    const primary = new Stack(app, 'Primary', { env: ENV });
    const wrongRegionKey = new kms.CfnKey(primary, 'Key', { enableKeyRotation: true });
    const source = new s3.CfnBucket(primary, 'Source', {
      bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: wrongRegionKey.attrArn } }] },
      replicationConfiguration: { role: 'arn:aws:iam::111111111111:role/r', rules: [complete('arn:aws:s3:::replica-bucket', wrongRegionKey.attrArn)] },
    });
    expect(destination.bucketName).toBe('replica-bucket');
    expect(check(S3ReplicaKmsEncrypted, source)).toEqual([expect.stringMatching(/encrypts replicas with a key in us-east-1, but the destination bucket is in eu-west-1/)]);
  });

  test('passes a multi-Region key replica named by KmsReplicaKey.replicaArnOf (its ARN carries the primary\'s key id)', () => {
    const app = new App();
    const replicaStack = new Stack(app, 'Replica', { env: { ...ENV, region: 'eu-west-1' } });
    new s3.CfnBucket(replicaStack, 'Destination', {
      bucketName: 'replica-bucket',
      bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }] },
    });
    const primary = new Stack(app, 'Primary', { env: ENV });
    const dataKey = new KmsKeyWithRotation(primary, 'DataKey', { multiRegion: true });
    const source = new s3.CfnBucket(primary, 'Source', {
      bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: dataKey.keyArn } }] },
      replicationConfiguration: { role: 'arn:aws:iam::111111111111:role/r', rules: [complete('arn:aws:s3:::replica-bucket', KmsReplicaKey.replicaArnOf(dataKey, 'eu-west-1'))] },
    });
    expect(check(S3ReplicaKmsEncrypted, source)).toEqual([]);
  });

  test('the pack reports it', () => {
    const bucket = replicating((d) => ({ status: 'Enabled', destination: { bucket: d } }));
    expect(packViolations(bucket.stack)['S3Encryption-S3ReplicaKmsEncrypted']).toEqual(['Test/Source']);
  });
});
