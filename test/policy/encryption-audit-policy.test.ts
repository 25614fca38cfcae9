import { App, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { EncryptionAudit } from '../../lib';
import { type Decision, evaluate, http, https, ResolvedTemplate, TEST_ENV } from '../support/iam-evaluation';

/**
 * The policies of EncryptionAudit in the real IAM engine, with the request each service really sends
 * (its principal, `x-amz-acl` and SSE headers, `aws:SourceArn`/`aws:SourceAccount`, and
 * `aws:PrincipalServiceName`, which AWS adds to every service-principal request):
 * - the trail bucket (wired through ServiceIntegration.cloudTrail): "Amazon S3 bucket policy for
 *   CloudTrail", https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html;
 * - the trail key: "Configure AWS KMS key policies for CloudTrail", and CloudWatch Logs' use of it for
 *   the log group only, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html;
 * - the CloudTrail role: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html;
 * - the alarm topic and its key: https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html and
 *   https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger.
 */
const { account: ACCOUNT, region: REGION } = TEST_ENV;
const OTHER_ACCOUNT = '222222222222';
const TRAIL = 'encryption-audit';
const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${TRAIL}`;
const ACL = { 's3:x-amz-acl': 'bucket-owner-full-control' };

const stack = new Stack(new App(), 'Audit', { env: TEST_ENV });
const audit = new EncryptionAudit(stack, 'Audit', { trailName: TRAIL, buckets: [] });
const t = new ResolvedTemplate(stack);
const id = (construct: { node: { defaultChild?: unknown } }) => t.logicalId(construct.node.defaultChild);
const bucketId = id(audit.trailBucket!.bucket);
const bucketArn = t.arnOf(bucketId);
const trailKeyId = id(audit.trailKey!);
const trailKeyArn = t.arnOf(trailKeyId);
const logGroupName = `aws-cloudtrail-logs-${TRAIL}`;
const logGroupArn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logGroupName}`;

const serviceContext = (service: string, source: Record<string, string>, extra: Record<string, string> = {}) =>
  ({ ...https('1.2'), 'aws:PrincipalServiceName': service, ...source, ...extra });
const keyContext = (service: string, source: Record<string, string>, extra: Record<string, string> = {}) =>
  ({ 'aws:SecureTransport': 'true', 'aws:PrincipalServiceName': service, ...source, ...extra });

async function decide(principal: string, action: string, resource: string, context: Record<string, string>, resourcePolicy?: unknown, identityPolicies?: unknown[]): Promise<Decision> {
  return (await evaluate({ principal, action, resource, context, resourcePolicy, identityPolicies })).decision;
}

describe('the trail bucket policy and key policy: this trail, and no other', () => {
  const svc = 'cloudtrail.amazonaws.com';
  const bucketPolicy = t.bucketPolicyFor(bucketId);
  const keyPolicy = t.keyPolicyOf(trailKeyId);
  const source = { 'aws:SourceArn': TRAIL_ARN, 'aws:SourceAccount': ACCOUNT };
  const logFile = `${bucketArn}/AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/12/06/${ACCOUNT}_CloudTrail_${REGION}_20261206T0000Z_a1b2.json.gz`;
  const sseKms = { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': trailKeyArn };

  test('CloudTrail checks the ACL and writes log files under the trail key, for this trail', async () => {
    expect(await decide(svc, 's3:GetBucketAcl', bucketArn, serviceContext(svc, source), bucketPolicy)).toBe('Allowed');
    expect(await decide(svc, 's3:PutObject', logFile, serviceContext(svc, source, { ...ACL, ...sseKms }), bucketPolicy)).toBe('Allowed');
    expect(await decide(svc, 'kms:GenerateDataKey', trailKeyArn,
      keyContext(svc, source, { 'kms:EncryptionContext:aws:cloudtrail:arn': TRAIL_ARN }), keyPolicy)).toBe('Allowed');
  });

  test.each([
    ['another trail of this account', `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/someone-elses-trail`, ACCOUNT],
    ['a trail of another account', `arn:aws:cloudtrail:${REGION}:${OTHER_ACCOUNT}:trail/${TRAIL}`, OTHER_ACCOUNT],
  ])('%s is refused (GetBucketAcl, PutObject, GenerateDataKey)', async (_what, otherTrail, otherAccount) => {
    const other = { 'aws:SourceArn': otherTrail, 'aws:SourceAccount': otherAccount };
    expect(await decide(svc, 's3:GetBucketAcl', bucketArn, serviceContext(svc, other), bucketPolicy)).toBe('ImplicitlyDenied');
    expect(await decide(svc, 's3:PutObject', logFile, serviceContext(svc, other, { ...ACL, ...sseKms }), bucketPolicy)).toBe('ImplicitlyDenied');
    expect(await decide(svc, 'kms:GenerateDataKey', trailKeyArn,
      keyContext(svc, other, { 'kms:EncryptionContext:aws:cloudtrail:arn': otherTrail }), keyPolicy)).toBe('ImplicitlyDenied');
  });

  test('the bucket\'s TLS and encryption denies still hold for CloudTrail', async () => {
    expect(await decide(svc, 's3:PutObject', logFile, { ...http(), 'aws:PrincipalServiceName': svc, ...source, ...ACL }, bucketPolicy)).toBe('ExplicitlyDenied');
    const otherKey = { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:${REGION}:${OTHER_ACCOUNT}:key/00000000-0000-0000-0000-0000000000ff` };
    expect(await decide(svc, 's3:PutObject', logFile, serviceContext(svc, source, { ...ACL, ...otherKey }), bucketPolicy)).toBe('ExplicitlyDenied');
  });
});

describe('CloudWatch Logs may use the trail key for the trail\'s log group only', () => {
  const svc = `logs.${REGION}.amazonaws.com`;
  const keyPolicy = t.keyPolicyOf(trailKeyId);
  test.each([['kms:GenerateDataKey'], ['kms:Decrypt'], ['kms:Encrypt']])('%s for the log group; not for another one', async (action) => {
    expect(await decide(svc, action, trailKeyArn, keyContext(svc, {}, { 'kms:EncryptionContext:aws:logs:arn': logGroupArn }), keyPolicy)).toBe('Allowed');
    expect(await decide(svc, action, trailKeyArn, keyContext(svc, {}, { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:other` }), keyPolicy)).toBe('ImplicitlyDenied');
  });
});

describe('the CloudTrail role delivers to its own log streams only', () => {
  const role = audit.node.findChild('TrailLogsRole') as iam.Role;
  const roleArn = t.arnOf(id(role));
  const identity = t.identityPoliciesOf(id(role));
  const stream = `${logGroupArn}:log-stream:${ACCOUNT}_CloudTrail_${REGION}_2`;
  test.each([['logs:CreateLogStream'], ['logs:PutLogEvents']])('%s', async (action) => {
    const context = { 'aws:PrincipalArn': roleArn, 'aws:PrincipalAccount': ACCOUNT };
    expect(await decide(roleArn, action, stream, context, undefined, identity)).toBe('Allowed');
    expect(await decide(roleArn, action, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:other:log-stream:${ACCOUNT}_CloudTrail_${REGION}_2`, context, undefined, identity)).toBe('ImplicitlyDenied');
  });
});

describe('the alarm topic: CloudWatch alarms of this account publish over TLS, under the topic key', () => {
  const svc = 'cloudwatch.amazonaws.com';
  const topicId = Object.keys(t.template.Resources).find((r) => t.template.Resources[r].Type === 'AWS::SNS::Topic')!;
  const topicArn = t.fakes.refs[topicId];
  const topicPolicy = t.resolve(Object.values<any>(t.template.Resources).find((r) => r.Type === 'AWS::SNS::TopicPolicy').Properties.PolicyDocument);
  const topicKeyId = t.template.Resources[topicId].Properties.KmsMasterKeyId['Fn::GetAtt'][0];
  const alarm = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:AuditKmsThrottlingAlarm`;
  const publishContext = (source: Record<string, string>, secure = 'true') => ({ 'aws:SecureTransport': secure, 'aws:PrincipalServiceName': svc, ...source });

  test('an alarm of this account and Region may publish', async () => {
    expect(await decide(svc, 'sns:Publish', topicArn, publishContext({ 'aws:SourceArn': alarm, 'aws:SourceAccount': ACCOUNT }), topicPolicy)).toBe('Allowed');
    const keyPolicy = t.keyPolicyOf(topicKeyId);
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      expect(await decide(svc, action, t.arnOf(topicKeyId), keyContext(svc, {}), keyPolicy)).toBe('Allowed');
    }
  });

  test('an alarm of another account, and any publish over plain HTTP, are refused', async () => {
    const foreign = { 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${OTHER_ACCOUNT}:alarm:x`, 'aws:SourceAccount': OTHER_ACCOUNT };
    expect(await decide(svc, 'sns:Publish', topicArn, publishContext(foreign), topicPolicy)).toBe('ImplicitlyDenied');
    expect(await decide(svc, 'sns:Publish', topicArn, publishContext({ 'aws:SourceArn': alarm, 'aws:SourceAccount': ACCOUNT }, 'false'), topicPolicy)).toBe('ExplicitlyDenied');
  });
});
