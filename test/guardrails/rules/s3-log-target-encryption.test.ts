import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BucketEncryptionMode, EncryptedBucket, EncryptedBucketProfile } from '../../../lib';
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

/** A VPC flow log into a bucket with the given default encryption. */
function flowLogTarget(encryption: s3.BucketEncryption, encryptionKey?: (stack: Stack) => kms.IKey) {
  const stack = newStack();
  const bucket = new s3.Bucket(stack, 'FlowLogs', { encryption, encryptionKey: encryptionKey?.(stack) });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
  new ec2.FlowLog(stack, 'Flow', { resourceType: ec2.FlowLogResourceType.fromVpc(vpc), destination: ec2.FlowLogDestination.toS3(bucket) });
  return bucket;
}

describe('S3LogTargetEncryption', () => {
  test('does not apply to a bucket nobody logs to', () => {
    expect(check(S3LogTargetEncryption, new s3.Bucket(newStack(), 'B'))).toBeUndefined();
  });

  test('passes SSE-S3 and unencrypted (S3 applies SSE-S3) server access log targets, EncryptedBucket GENERAL_PURPOSE included', () => {
    expect(check(S3LogTargetEncryption, logTarget({ sseAlgorithm: 'AES256' }))).toEqual([]);
    expect(check(S3LogTargetEncryption, logTarget())).toEqual([]);
    const stack = newStack();
    const logs = new EncryptedBucket(stack, 'Logs', { profile: EncryptedBucketProfile.GENERAL_PURPOSE });
    new EncryptedBucket(stack, 'Data', { serverAccessLogsBucket: logs.bucket });
    expect(check(S3LogTargetEncryption, logs.bucket)).toEqual([]);
  });

  // "Enabling Amazon S3 server access logging": the destination bucket must use SSE-S3.
  test.each([
    ['SSE-KMS with a customer managed key', { sseAlgorithm: 'aws:kms', kmsMasterKeyId: 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab' }],
    ['SSE-KMS with aws/s3', { sseAlgorithm: 'aws:kms' }],
    ['DSSE-KMS', { sseAlgorithm: 'aws:kms:dsse' }],
  ])('fails a server access log target with %s, naming SSE-S3 as the fix', (_name, byDefault) => {
    expect(check(S3LogTargetEncryption, logTarget(byDefault))).toEqual([
      expect.stringMatching(new RegExp(`uses ${byDefault.sseAlgorithm}, but S3 server access logging supports only SSE-S3 \\(.*enable-server-access-logging.html\\)\\): set SSEAlgorithm AES256 \\(logs from Test/Source\\)`)),
    ]);
  });

  test('fails an Application Load Balancer log bucket that is not SSE-S3, found through the load balancer attribute', () => {
    const stack = newStack();
    const logs = new s3.CfnBucket(stack, 'AlbLogs', { bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }] } });
    new elbv2.CfnLoadBalancer(stack, 'Alb', {
      loadBalancerAttributes: [{ key: 'access_logs.s3.enabled', value: 'true' }, { key: 'access_logs.s3.bucket', value: logs.ref }],
    });
    expect(check(S3LogTargetEncryption, logs)).toEqual([
      expect.stringMatching(/uses aws:kms, but Elastic Load Balancing access logs \(Application or Classic Load Balancer\) supports only SSE-S3 .*enable-access-logging.html.*\(logs from Test\/Alb\)/),
    ]);
  });

  test('VPC Flow Logs: SSE-S3 passes; SSE-KMS needs a customer managed key that lets delivery.logs.amazonaws.com in; aws/s3 and DSSE-KMS fail', () => {
    expect(check(S3LogTargetEncryption, flowLogTarget(s3.BucketEncryption.S3_MANAGED))).toEqual([]);
    expect(check(S3LogTargetEncryption, flowLogTarget(s3.BucketEncryption.KMS_MANAGED))).toEqual([expect.stringMatching(/AWS managed aws\/s3 key, which VPC Flow Logs cannot use/)]);
    expect(check(S3LogTargetEncryption, flowLogTarget(s3.BucketEncryption.DSSE))).toEqual([expect.stringMatching(/uses aws:kms:dsse, which VPC Flow Logs do not document/)]);
    expect(check(S3LogTargetEncryption, flowLogTarget(s3.BucketEncryption.KMS))).toEqual([
      expect.stringMatching(/key Test\/FlowLogs\/Key has no key-policy statement letting delivery.logs.amazonaws.com call kms:GenerateDataKey\*.*\(logs from Test\/Flow\)/),
    ]);
    const withStatement = flowLogTarget(s3.BucketEncryption.KMS, (stack) => {
      const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
      // "Required key policy for use with SSE-KMS" (VPC user guide).
      key.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'Allow Logs Delivery to use the key', principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'], resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': ENV.account }, ArnLike: { 'aws:SourceArn': `arn:aws:logs:${ENV.region}:${ENV.account}:*` } },
      }));
      return key;
    });
    expect(check(S3LogTargetEncryption, withStatement)).toEqual([]);
  });

  test('follows a log target in another stack through its export', () => {
    const app = new App();
    const logs = new EncryptedBucket(new Stack(app, 'Logs', { env: ENV }), 'Logs', { encryption: BucketEncryptionMode.DSSE_KMS });
    const source = new s3.CfnBucket(new Stack(app, 'Source', { env: ENV }), 'Source', { loggingConfiguration: { destinationBucketName: logs.bucketName } });
    app.synth();
    expect(check(S3LogTargetEncryption, logs.bucket)).toEqual([expect.stringMatching(/aws:kms:dsse.*supports only SSE-S3.*\(logs from Source\/Source\)/)]);
    expect(source.loggingConfiguration).toBeDefined();
  });

  test('the pack reports it', () => {
    const target = logTarget({ sseAlgorithm: 'aws:kms:dsse' });
    expect(packViolations(target.stack)['S3Encryption-S3LogTargetEncryption']).toEqual(['Test/Logs']);
  });
});
