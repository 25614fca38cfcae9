import { App, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BucketEncryptionMode, EncryptedBucket, ServiceIntegration } from '../../lib';
import {
  ALLOW_EVERYTHING, type Decision, evaluate, http, https, ResolvedTemplate, rolePrincipalContext, TEST_ENV,
} from '../support/iam-evaluation';

/**
 * Every service integration, in the real IAM engine, with the request the service really sends: its
 * principal, its `x-amz-acl` and SSE headers, and its source context (`aws:SourceArn`,
 * `aws:SourceAccount`, and `aws:PrincipalServiceName`, which AWS adds to every service-principal
 * request). Each is allowed by the bucket policy (and, for KMS buckets, its key use by the key policy);
 * the same service acting for another resource or account is not; and the bucket's TLS and encryption
 * denies still hold, for the service and for everyone else.
 */
const ACCOUNT = TEST_ENV.account;
const REGION = TEST_ENV.region;
const OTHER_ACCOUNT = '222222222222';
const TRAIL = 'org-audit';
const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${TRAIL}`;
const OTHER_TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${OTHER_ACCOUNT}:trail/${TRAIL}`;
const APP_ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
const FOREIGN_KEY = `arn:aws:kms:${REGION}:${OTHER_ACCOUNT}:key/00000000-0000-0000-0000-0000000000ff`;
const ACL = { 's3:x-amz-acl': 'bucket-owner-full-control' };

interface Fixture {
  readonly t: ResolvedTemplate;
  readonly bucketArn: string;
  readonly bucketPolicy: unknown;
  readonly keyArn?: string;
  readonly keyPolicy?: unknown;
  readonly identity: (roleLogicalId: string) => unknown[];
  readonly distributionArn?: string;
}

function kmsBucketWithIntegrations(): Fixture {
  const stack = new Stack(new App(), 'Integrations', { env: TEST_ENV });
  const bucket = new EncryptedBucket(stack, 'Logs');
  const source = new s3.Bucket(stack, 'Inventoried');
  const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com') });
  const athena = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
  bucket.addServiceIntegration(ServiceIntegration.cloudTrail({ trailName: TRAIL }));
  bucket.addServiceIntegration(ServiceIntegration.config());
  bucket.addServiceIntegration(ServiceIntegration.vpcFlowLogs({ prefix: 'flow-logs' }));
  bucket.addServiceIntegration(ServiceIntegration.networkLoadBalancerAccessLogs({ prefix: 'nlb' }));
  bucket.addServiceIntegration(ServiceIntegration.cloudFrontStandardLogs({ prefix: 'cdn' }));
  bucket.addServiceIntegration(ServiceIntegration.cloudFrontOriginAccessControl({
    distribution: cloudfront.Distribution.fromDistributionAttributes(stack, 'Imported', { distributionId: 'E2EXAMPLE1234', domainName: 'd111111abcdef8.cloudfront.net' }),
  }));
  bucket.addServiceIntegration(ServiceIntegration.s3Inventory({ sourceBucket: source, prefix: 'inventory' }));
  bucket.addServiceIntegration(ServiceIntegration.storageLens({ configurationId: 'default-account-dashboard', prefix: 'lens' }));
  bucket.addServiceIntegration(ServiceIntegration.firehoseDelivery({ grantee: writer, prefix: 'stream/' }));
  bucket.addServiceIntegration(ServiceIntegration.athenaQueryResults({ grantee: athena, prefix: 'athena/' }));
  const t = new ResolvedTemplate(stack);
  const bucketId = t.logicalId(bucket.bucket.node.defaultChild);
  const keyId = t.logicalId(bucket.encryptionKey!.node.defaultChild);
  return {
    t,
    bucketArn: t.arnOf(bucketId),
    bucketPolicy: t.bucketPolicyFor(bucketId),
    keyArn: t.arnOf(keyId),
    keyPolicy: t.keyPolicyOf(keyId),
    identity: (roleLogicalId) => t.identityPoliciesOf(roleLogicalId),
    distributionArn: `arn:aws:cloudfront::${ACCOUNT}:distribution/E2EXAMPLE1234`,
  };
}

const f = kmsBucketWithIntegrations();
const inventorySourceArn = f.t.arnOf(Object.keys(f.t.template.Resources).find((id) => id.startsWith('Inventoried'))!);

/** A request of an AWS service principal: AWS adds `aws:PrincipalServiceName` to every one. */
function serviceContext(service: string, source: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  return { ...https('1.2'), 'aws:PrincipalServiceName': service, ...source, ...extra };
}
/** The same service's call to KMS (made by S3 on its behalf, or by the service itself). */
function keyContext(service: string, source: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  return { 'aws:SecureTransport': 'true', 'aws:PrincipalServiceName': service, ...source, ...extra };
}
const kmsHeaders = (keyArn = f.keyArn!) => ({ 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn });

async function onBucket(principal: string, action: string, key: string | undefined, context: Record<string, string>, identityPolicies?: unknown[]): Promise<Decision> {
  const outcome = await evaluate({
    principal,
    action,
    resource: key === undefined ? f.bucketArn : `${f.bucketArn}/${key}`,
    context,
    resourcePolicy: f.bucketPolicy,
    identityPolicies,
  });
  return outcome.decision;
}

async function onKey(principal: string, action: string, context: Record<string, string>): Promise<Decision> {
  return (await evaluate({ principal, action, resource: f.keyArn!, context, resourcePolicy: f.keyPolicy })).decision;
}

describe('AWS CloudTrail (create-s3-bucket-policy-for-cloudtrail, create-kms-key-policy-for-cloudtrail)', () => {
  const svc = 'cloudtrail.amazonaws.com';
  const source = { 'aws:SourceArn': TRAIL_ARN, 'aws:SourceAccount': ACCOUNT };
  const logFile = `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/12/06/${ACCOUNT}_CloudTrail_${REGION}_20261206T0000Z_a1b2.json.gz`;
  const digest = `AWSLogs/${ACCOUNT}/CloudTrail-Digest/${REGION}/2026/12/06/${ACCOUNT}_CloudTrail-Digest_${REGION}_${TRAIL}_${REGION}_20261206T0000Z.json.gz`;

  test('checks the bucket ACL and writes log files under the trail\'s key, with bucket-owner-full-control', async () => {
    expect(await onBucket(svc, 's3:GetBucketAcl', undefined, serviceContext(svc, source))).toBe('Allowed');
    expect(await onBucket(svc, 's3:PutObject', logFile, serviceContext(svc, source, { ...ACL, ...kmsHeaders() }))).toBe('Allowed');
    expect(await onBucket(svc, 's3:PutObject', logFile, serviceContext(svc, source, ACL))).toBe('Allowed');
  });

  test('writes digest files with SSE-S3 (older guide) or under the trail\'s key (current guide)', async () => {
    expect(await onBucket(svc, 's3:PutObject', digest, serviceContext(svc, source, { ...ACL, 's3:x-amz-server-side-encryption': 'AES256' }))).toBe('Allowed');
    expect(await onBucket(svc, 's3:PutObject', digest, serviceContext(svc, source, { ...ACL, ...kmsHeaders() }))).toBe('Allowed');
  });

  test('its SSE-S3 allowance is confined to digest files, and other keys stay denied', async () => {
    expect(await onBucket(svc, 's3:PutObject', logFile, serviceContext(svc, source, { ...ACL, 's3:x-amz-server-side-encryption': 'AES256' }))).toBe('ExplicitlyDenied');
    expect(await onBucket(svc, 's3:PutObject', digest, serviceContext(svc, source, { ...ACL, 's3:x-amz-server-side-encryption': 'aws:kms:dsse' }))).toBe('ExplicitlyDenied');
    expect(await onBucket(svc, 's3:PutObject', logFile, serviceContext(svc, source, { ...ACL, ...kmsHeaders(FOREIGN_KEY) }))).toBe('ExplicitlyDenied');
    expect(await onBucket(svc, 's3:PutObject', logFile, serviceContext(svc, source, { ...ACL, 's3:x-amz-server-side-encryption': 'aws:kms' }))).toBe('ExplicitlyDenied');
  });

  test('another trail, another account\'s tree, a missing ACL and plain HTTP are refused', async () => {
    const other = { 'aws:SourceArn': OTHER_TRAIL_ARN, 'aws:SourceAccount': OTHER_ACCOUNT };
    expect(await onBucket(svc, 's3:GetBucketAcl', undefined, serviceContext(svc, other))).toBe('ImplicitlyDenied');
    expect(await onBucket(svc, 's3:PutObject', logFile, serviceContext(svc, other, ACL))).toBe('ImplicitlyDenied');
    expect(await onBucket(svc, 's3:PutObject', `AWSLogs/${OTHER_ACCOUNT}/CloudTrail/x.json.gz`, serviceContext(svc, source, ACL))).toBe('ImplicitlyDenied');
    expect(await onBucket(svc, 's3:PutObject', logFile, serviceContext(svc, source))).toBe('ImplicitlyDenied');
    expect(await onBucket(svc, 's3:PutObject', logFile, { ...http(), 'aws:PrincipalServiceName': svc, ...source, ...ACL })).toBe('ExplicitlyDenied');
  });

  test('the key policy lets this trail encrypt (with its encryption context), describe and decrypt; not another trail', async () => {
    const context = keyContext(svc, source, { 'kms:EncryptionContext:aws:cloudtrail:arn': TRAIL_ARN });
    expect(await onKey(svc, 'kms:GenerateDataKey', context)).toBe('Allowed');
    expect(await onKey(svc, 'kms:DescribeKey', keyContext(svc, source))).toBe('Allowed');
    expect(await onKey(svc, 'kms:Decrypt', keyContext(svc, source))).toBe('Allowed');
    const other = keyContext(svc, { 'aws:SourceArn': OTHER_TRAIL_ARN, 'aws:SourceAccount': OTHER_ACCOUNT }, { 'kms:EncryptionContext:aws:cloudtrail:arn': OTHER_TRAIL_ARN });
    expect(await onKey(svc, 'kms:GenerateDataKey', other)).toBe('ImplicitlyDenied');
  });

  test('no one else gains anything: an app role writing SSE-S3 into the digest tree is still denied', async () => {
    const app = { ...https('1.2'), ...rolePrincipalContext(APP_ROLE) };
    expect(await onBucket(APP_ROLE, 's3:PutObject', digest, { ...app, 's3:x-amz-server-side-encryption': 'AES256' }, [ALLOW_EVERYTHING])).toBe('ExplicitlyDenied');
    expect(await onBucket(APP_ROLE, 's3:PutObject', digest, app, [ALLOW_EVERYTHING])).toBe('Allowed');
  });
});

describe('AWS Config delivery (s3-bucket-policy, s3-kms-key-policy)', () => {
  const svc = 'config.amazonaws.com';
  const source = { 'aws:SourceAccount': ACCOUNT };
  const snapshot = `AWSLogs/${ACCOUNT}/Config/${REGION}/2026/12/6/ConfigSnapshot/${ACCOUNT}_Config_${REGION}_ConfigSnapshot_x.json.gz`;

  test('checks the ACL, lists the bucket and delivers with bucket-owner-full-control; its key use is allowed', async () => {
    expect(await onBucket(svc, 's3:GetBucketAcl', undefined, serviceContext(svc, source))).toBe('Allowed');
    expect(await onBucket(svc, 's3:ListBucket', undefined, serviceContext(svc, source))).toBe('Allowed');
    expect(await onBucket(svc, 's3:PutObject', snapshot, serviceContext(svc, source, { ...ACL, ...kmsHeaders() }))).toBe('Allowed');
    expect(await onKey(svc, 'kms:GenerateDataKey', keyContext(svc, source))).toBe('Allowed');
  });

  test('another account\'s Config, or a write under another key, is refused', async () => {
    const other = { 'aws:SourceAccount': OTHER_ACCOUNT };
    expect(await onBucket(svc, 's3:PutObject', snapshot, serviceContext(svc, other, ACL))).toBe('ImplicitlyDenied');
    expect(await onKey(svc, 'kms:GenerateDataKey', keyContext(svc, other))).toBe('ImplicitlyDenied');
    expect(await onBucket(svc, 's3:PutObject', snapshot, serviceContext(svc, source, { ...ACL, ...kmsHeaders(FOREIGN_KEY) }))).toBe('ExplicitlyDenied');
  });
});

describe.each([
  // "the source ARN is the wildcard (*) ARN of the logs service" (flow-logs-s3-permissions)
  ['VPC Flow Logs (flow-logs-s3-permissions)', 'flow-logs', `arn:aws:logs:${REGION}:${ACCOUNT}:*`],
  ['Network Load Balancer access logs (enable-access-logs)', 'nlb', `arn:aws:logs:${REGION}:${ACCOUNT}:*`],
  ['CloudFront standard logs v2 (standard-logging, AWS-logs-infrastructure-V2-S3)', 'cdn', `arn:aws:logs:us-east-1:${ACCOUNT}:delivery-source:site-logs`],
])('%s, delivered by delivery.logs.amazonaws.com', (_name, prefix, sourceArn) => {
  const svc = 'delivery.logs.amazonaws.com';
  const source = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': sourceArn };
  const object = `${prefix}/AWSLogs/${ACCOUNT}/2026/12/06/log.gz`;

  test('checks the ACL and delivers with bucket-owner-full-control; uses the key for this account\'s deliveries', async () => {
    expect(await onBucket(svc, 's3:GetBucketAcl', undefined, serviceContext(svc, source))).toBe('Allowed');
    expect(await onBucket(svc, 's3:PutObject', object, serviceContext(svc, source, ACL))).toBe('Allowed');
    expect(await onKey(svc, 'kms:GenerateDataKey', keyContext(svc, source))).toBe('Allowed');
  });

  test('deliveries for another account, outside the prefix, or without the ACL are refused', async () => {
    const other = { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': sourceArn.replace(ACCOUNT, OTHER_ACCOUNT) };
    expect(await onBucket(svc, 's3:PutObject', object, serviceContext(svc, other, ACL))).toBe('ImplicitlyDenied');
    expect(await onKey(svc, 'kms:GenerateDataKey', keyContext(svc, other))).toBe('ImplicitlyDenied');
    expect(await onBucket(svc, 's3:PutObject', `elsewhere/AWSLogs/${ACCOUNT}/log.gz`, serviceContext(svc, source, ACL))).toBe('ImplicitlyDenied');
    expect(await onBucket(svc, 's3:PutObject', object, serviceContext(svc, source))).toBe('ImplicitlyDenied');
  });
});

describe('CloudFront origin access control (private-content-restricting-access-to-s3)', () => {
  const svc = 'cloudfront.amazonaws.com';

  test('this distribution reads objects and decrypts them; another distribution does not', async () => {
    const source = { 'aws:SourceArn': f.distributionArn!, 'aws:SourceAccount': ACCOUNT };
    expect(await onBucket(svc, 's3:GetObject', 'index.html', serviceContext(svc, source))).toBe('Allowed');
    expect(await onKey(svc, 'kms:Decrypt', keyContext(svc, source))).toBe('Allowed');
    const other = { 'aws:SourceArn': `arn:aws:cloudfront::${OTHER_ACCOUNT}:distribution/E0THER`, 'aws:SourceAccount': OTHER_ACCOUNT };
    expect(await onBucket(svc, 's3:GetObject', 'index.html', serviceContext(svc, other))).toBe('ImplicitlyDenied');
    expect(await onKey(svc, 'kms:Decrypt', keyContext(svc, other))).toBe('ImplicitlyDenied');
  });

  test('reads only: no writes through CloudFront unless allowWrites', async () => {
    const source = { 'aws:SourceArn': f.distributionArn!, 'aws:SourceAccount': ACCOUNT };
    expect(await onBucket(svc, 's3:PutObject', 'index.html', serviceContext(svc, source))).toBe('ImplicitlyDenied');
    expect(await onKey(svc, 'kms:GenerateDataKey', keyContext(svc, source))).toBe('ImplicitlyDenied');
  });
});

describe('S3 Inventory and Storage Lens exports (configure-inventory, storage_lens_encrypt_permissions)', () => {
  test('S3 delivers inventory reports of the named source bucket only', async () => {
    const svc = 's3.amazonaws.com';
    const source = { 'aws:SourceArn': inventorySourceArn, 'aws:SourceAccount': ACCOUNT };
    expect(await onBucket(svc, 's3:PutObject', 'inventory/data/config/2026-12-06T00-00Z/manifest.json', serviceContext(svc, source, { ...ACL, ...kmsHeaders() }))).toBe('Allowed');
    expect(await onKey(svc, 'kms:GenerateDataKey', keyContext(svc, source))).toBe('Allowed');
    const other = { 'aws:SourceArn': 'arn:aws:s3:::someone-elses-bucket', 'aws:SourceAccount': ACCOUNT };
    expect(await onBucket(svc, 's3:PutObject', 'inventory/x', serviceContext(svc, other, ACL))).toBe('ImplicitlyDenied');
    expect(await onKey(svc, 'kms:GenerateDataKey', keyContext(svc, other))).toBe('ImplicitlyDenied');
  });

  test('Storage Lens exports the named dashboard only', async () => {
    const svc = 'storage-lens.s3.amazonaws.com';
    const dashboard = `arn:aws:s3:${REGION}:${ACCOUNT}:storage-lens/default-account-dashboard`;
    const source = { 'aws:SourceArn': dashboard, 'aws:SourceAccount': ACCOUNT };
    const object = `lens/StorageLens/${ACCOUNT}/default-account-dashboard/V_1/reports/dt=2026-12-06/a.csv`;
    expect(await onBucket(svc, 's3:PutObject', object, serviceContext(svc, source, { ...ACL, ...kmsHeaders() }))).toBe('Allowed');
    expect(await onKey(svc, 'kms:GenerateDataKey', keyContext(svc, source))).toBe('Allowed');
    const other = { 'aws:SourceArn': dashboard.replace('default-account-dashboard', 'other'), 'aws:SourceAccount': ACCOUNT };
    expect(await onBucket(svc, 's3:PutObject', object, serviceContext(svc, other, ACL))).toBe('ImplicitlyDenied');
  });
});

describe('role-based writers: Firehose, Athena', () => {
  const roleId = (prefix: string) => Object.keys(f.t.template.Resources).find((id) => id.startsWith(prefix) && f.t.template.Resources[id].Type === 'AWS::IAM::Role')!;

  test.each([
    ['Writer', 'stream/2026/12/06/part-0001.gz'],
    ['Analyst', 'athena/2e1b-query.csv'],
  ])('%s writes under its prefix through S3 with the bucket key, and nowhere else', async (role, key) => {
    const arn = f.t.arnOf(roleId(role));
    const identity = f.identity(roleId(role));
    const context = { ...https('1.2'), ...rolePrincipalContext(arn) };
    expect(await onBucket(arn, 's3:PutObject', key, context, identity)).toBe('Allowed');
    expect(await onBucket(arn, 's3:PutObject', 'elsewhere/x', context, identity)).toBe('ImplicitlyDenied');
    expect(await onBucket(arn, 's3:PutObject', key, { ...context, 's3:x-amz-server-side-encryption': 'AES256' }, identity)).toBe('ExplicitlyDenied');
  });
});

describe('SSE-S3-only services on an SSE-S3 bucket: ALB/CLB access logs, server access logs, Batch Operations reports', () => {
  const stack = new Stack(new App(), 'SseS3', { env: TEST_ENV });
  const logs = new EncryptedBucket(stack, 'Logs', { encryption: BucketEncryptionMode.SSE_S3 });
  logs.addServiceIntegration(ServiceIntegration.loadBalancerAccessLogs({ prefix: 'alb' }));
  const jobRole = new iam.Role(stack, 'BatchJobs', { assumedBy: new iam.ServicePrincipal('batchoperations.s3.amazonaws.com') });
  logs.addServiceIntegration(ServiceIntegration.batchOperationsReports({ grantee: jobRole, prefix: 'reports/' }));
  const data = new EncryptedBucket(stack, 'Data', { serverAccessLogsBucket: logs.bucket, serverAccessLogsPrefix: 'data/' });
  const t = new ResolvedTemplate(stack);
  const logsId = t.logicalId(logs.bucket.node.defaultChild);
  const bucketArn = t.arnOf(logsId);
  const policy = t.bucketPolicyFor(logsId);
  const check = async (principal: string, key: string, context: Record<string, string>, identityPolicies?: unknown[]) =>
    (await evaluate({ principal, action: 's3:PutObject', resource: `${bucketArn}/${key}`, context, resourcePolicy: policy, identityPolicies })).decision;

  test('eu-west-1 delivers ALB logs as its legacy Elastic Load Balancing account (156460612806)', async () => {
    // a principal of AWS's Elastic Load Balancing account, which its own account's policies allow
    const elb = 'arn:aws:iam::156460612806:role/log-delivery';
    const own = [ALLOW_EVERYTHING];
    expect(await check(elb, `alb/AWSLogs/${ACCOUNT}/elasticloadbalancing/${REGION}/2026/12/06/x.log.gz`, https('1.2'), own)).toBe('Allowed');
    expect(await check(elb, `alb/AWSLogs/${OTHER_ACCOUNT}/x.log.gz`, https('1.2'), own)).toBe('ImplicitlyDenied');
    expect(await check(elb, `alb/AWSLogs/${ACCOUNT}/x.log.gz`, { ...https('1.2'), 's3:x-amz-server-side-encryption': 'aws:kms' }, own)).toBe('ExplicitlyDenied');
    expect(await check('arn:aws:iam::999999999999:role/log-delivery', `alb/AWSLogs/${ACCOUNT}/x.log.gz`, https('1.2'), own)).toBe('ImplicitlyDenied');
  });

  test('the Batch Operations job role writes its SSE-S3 completion reports under its prefix only ("always encrypted with SSE-S3")', async () => {
    const roleId = t.logicalId(jobRole.node.defaultChild);
    const arn = t.arnOf(roleId);
    const identity = t.identityPoliciesOf(roleId);
    const context = { ...https('1.2'), ...rolePrincipalContext(arn), 's3:x-amz-server-side-encryption': 'AES256' };
    expect(await check(arn, 'reports/job-1/results/a.csv', context, identity)).toBe('Allowed');
    expect(await check(arn, 'alb/x', context, identity)).toBe('ImplicitlyDenied');
  });

  test('server access logs of the source bucket only, under its prefix', async () => {
    const svc = 'logging.s3.amazonaws.com';
    const dataArn = t.arnOf(t.logicalId(data.bucket.node.defaultChild));
    const source = { 'aws:SourceArn': dataArn, 'aws:SourceAccount': ACCOUNT };
    expect(await check(svc, 'data/2026-12-06-00-00-00-ABCDEF', serviceContext(svc, source))).toBe('Allowed');
    expect(await check(svc, 'data/2026-12-06-00-00-00-ABCDEF', serviceContext(svc, { ...source, 'aws:SourceArn': 'arn:aws:s3:::other' }))).toBe('ImplicitlyDenied');
    expect(await check(svc, 'other/2026-12-06-00-00-00-ABCDEF', serviceContext(svc, source))).toBe('ImplicitlyDenied');
  });
});
