import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BucketEncryptionMode, EncryptedBucket, ServiceIntegration } from '../lib';
import { propErrorOf } from './support/prop-error';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function newStack(env: { account?: string; region?: string } | undefined = ENV): Stack {
  return new Stack(new App(), 'Integrations', { env });
}


function bucketPolicySids(stack: Stack): string[] {
  return Object.values<any>(Template.fromStack(stack).findResources('AWS::S3::BucketPolicy'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement.map((s: any) => s.Sid));
}

describe('a service that cannot use the bucket\'s encryption is a synth error naming the service, the mode and the fix', () => {
  test.each([
    ['ALB/CLB access logs on SSE-KMS', BucketEncryptionMode.SSE_KMS, () => ServiceIntegration.loadBalancerAccessLogs(), /Elastic Load Balancing access logs \(Application or Classic Load Balancer\) cannot .* SSE_KMS bucket: AWS documents SSE_S3 only .*enable-access-logging/],
    ['ALB/CLB access logs on DSSE-KMS', BucketEncryptionMode.DSSE_KMS, () => ServiceIntegration.loadBalancerAccessLogs(), /DSSE_KMS bucket: AWS documents SSE_S3 only/],
    ['CloudTrail on DSSE-KMS', BucketEncryptionMode.DSSE_KMS, () => ServiceIntegration.cloudTrail({ trailName: 't' }), /AWS CloudTrail cannot .* DSSE_KMS bucket: AWS documents SSE_S3 or SSE_KMS only/],
    ['Batch Operations reports on SSE-KMS', BucketEncryptionMode.SSE_KMS, (b: EncryptedBucket) => ServiceIntegration.batchOperationsReports({ grantee: new iam.Role(b, 'JobRole', { assumedBy: new iam.ServicePrincipal('batchoperations.s3.amazonaws.com') }) }), /completion reports cannot .* SSE_KMS bucket: AWS documents SSE_S3 only/],
    ['server access logs on SSE-KMS', BucketEncryptionMode.SSE_KMS, (b: EncryptedBucket) => ServiceIntegration.serverAccessLogs({ sourceBucket: b.bucket, prefix: 'x/' }), /S3 server access logging cannot .* SSE_KMS bucket/],
  ])('%s', (_name, encryption, integration, message) => {
    const stack = newStack();
    const bucket = new EncryptedBucket(stack, 'Logs', { encryption });
    const error = propErrorOf(() => bucket.addServiceIntegration(integration(bucket)));
    expect(error.constructPath).toBe('Integrations/Logs');
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/Fix: use a separate EncryptedBucket with encryption: BucketEncryptionMode\.SSE_(S3|KMS)/);
  });

  test('CloudFront OAI on SSE-KMS points to origin access control', () => {
    const stack = newStack();
    const bucket = new EncryptedBucket(stack, 'Site');
    const oai = new cloudfront.OriginAccessIdentity(stack, 'Oai');
    const error = propErrorOf(() => bucket.addServiceIntegration(ServiceIntegration.cloudFrontOriginAccessIdentity({ originAccessIdentity: oai })));
    expect(error.message).toMatch(/origin access identity \(OAI\) cannot .* SSE_KMS bucket/);
    expect(error.message).toMatch(/Fix: read it through origin access control instead \(ServiceIntegration\.cloudFrontOriginAccessControl\)/);
  });

  test('an OAI on an SSE-S3 bucket may read objects', () => {
    const stack = newStack();
    const bucket = new EncryptedBucket(stack, 'Site', { encryption: BucketEncryptionMode.SSE_S3 });
    const oai = new cloudfront.OriginAccessIdentity(stack, 'Oai');
    bucket.addServiceIntegration(ServiceIntegration.cloudFrontOriginAccessIdentity({ originAccessIdentity: oai }));
    const statements = Object.values<any>(Template.fromStack(stack).findResources('AWS::S3::BucketPolicy'))[0].Properties.PolicyDocument.Statement;
    expect(statements.find((s: any) => s.Sid.startsWith('AllowCloudFrontOriginAccessIdentity'))).toMatchObject({
      Effect: 'Allow', Action: 's3:GetObject', Principal: { CanonicalUser: { 'Fn::GetAtt': [expect.stringMatching(/^Oai/), 'S3CanonicalUserId'] } },
    });
  });
});

test('an imported key that needs a statement is an error that prints the exact statement to add', () => {
  const stack = newStack();
  const key = kms.Key.fromKeyArn(stack, 'Central', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
  const bucket = new EncryptedBucket(stack, 'Trail', { encryptionKey: key });
  const error = propErrorOf(() => bucket.addServiceIntegration(ServiceIntegration.cloudTrail({ trailName: 'audit' })));
  expect(error.prop).toBe('addServiceIntegration(AWS CloudTrail)');
  const printed = JSON.parse(/needs this statement in it: (\{.*\}) Fix:/.exec(error.message)![1]);
  expect(printed).toMatchObject({
    Effect: 'Allow',
    Principal: { Service: 'cloudtrail.amazonaws.com' },
    Action: 'kms:GenerateDataKey*',
    Resource: '*',
    Condition: { StringEquals: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:eu-west-1:111111111111:trail/audit']] } } },
  });
  expect(error.message).toMatch(/Fix: add that statement to the key policy by hand/);
});

test('ALB/CLB access logs need an explicit Region, and newer Regions deliver as the log-delivery service principal', () => {
  const agnostic = newStack({});
  const bucket = new EncryptedBucket(agnostic, 'Logs', { encryption: BucketEncryptionMode.SSE_S3 });
  expect(propErrorOf(() => bucket.addServiceIntegration(ServiceIntegration.loadBalancerAccessLogs())).message).toMatch(/no explicit Region.*Fix: give the stack env: \{ region \}/);

  const newer = newStack({ account: '111111111111', region: 'eu-south-2' }); // opened after August 2022
  const logs = new EncryptedBucket(newer, 'Logs', { encryption: BucketEncryptionMode.SSE_S3 });
  logs.addServiceIntegration(ServiceIntegration.loadBalancerAccessLogs({ prefix: 'alb' }));
  const statement = Object.values<any>(Template.fromStack(newer).findResources('AWS::S3::BucketPolicy'))[0].Properties.PolicyDocument.Statement
    .find((s: any) => s.Sid.startsWith('AllowElbAccessLogDelivery'));
  expect(statement.Principal).toEqual({ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' });
  expect(statement.Condition.ArnLike['aws:SourceArn']).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':elasticloadbalancing:eu-south-2:111111111111:loadbalancer/*']] });
});

test('each integration is added once, and several get unique Sids', () => {
  const stack = newStack();
  const bucket = new EncryptedBucket(stack, 'Logs');
  const trail = ServiceIntegration.cloudTrail({ trailName: 'a' });
  bucket.addServiceIntegration(trail);
  bucket.addServiceIntegration(trail);
  bucket.addServiceIntegration(ServiceIntegration.cloudTrail({ trailName: 'b' }));
  bucket.addServiceIntegration(ServiceIntegration.vpcFlowLogs());
  const sids = bucketPolicySids(stack);
  expect(new Set(sids).size).toBe(sids.length);
  expect(sids.filter((s) => s.startsWith('AWSCloudTrailWrite'))).toHaveLength(2);
});

test('origin access control of a distribution in the same stack: no dependency cycle through the key', () => {
  const stack = newStack();
  const bucket = new EncryptedBucket(stack, 'Site');
  // the origin gets a read-only view of the bucket, so aws-cdk-lib leaves the bucket's policies to the integration
  const view = s3.Bucket.fromBucketAttributes(stack, 'SiteOrigin', { bucketArn: bucket.bucketArn, bucketRegionalDomainName: bucket.bucket.bucketRegionalDomainName });
  const distribution = new cloudfront.Distribution(stack, 'Cdn', {
    defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(view) },
  });
  bucket.addServiceIntegration(ServiceIntegration.cloudFrontOriginAccessControl({ distribution }));
  const template = Template.fromStack(stack).toJSON();
  const key = Object.entries<any>(template.Resources).find(([, r]) => r.Type === 'AWS::KMS::Key')![1];
  const keyStatement = key.Properties.KeyPolicy.Statement.find((s: any) => s.Sid?.startsWith('AllowCloudFrontServicePrincipalSseKms'));
  // the key policy cannot name the distribution (key -> distribution -> bucket -> key): the account's distributions
  expect(keyStatement.Condition).toEqual({
    StringLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::111111111111:distribution/*']] } },
  });
  expect(JSON.stringify(key)).not.toMatch(/Cdn/);
  // ...while the bucket policy, which nothing depends on, names exactly this distribution
  const policy = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::S3::BucketPolicy');
  const read = policy.Properties.PolicyDocument.Statement.find((s: any) => s.Sid.startsWith('AllowCloudFrontServicePrincipal'));
  expect(JSON.stringify(read.Condition.StringEquals['aws:SourceArn'])).toMatch(/"Ref":"Cdn/);
});
