import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NIST80053R4Checks } from 'cdk-nag';
import { BucketEncryptionMode, EncryptedBucket, type EncryptedBucketProps, KmsKeyWithRotation } from '../lib';
import { ConstructPropError } from '../lib/private/construct-prop-error';
import { unacknowledgedFindings } from './support/nag-findings';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function newStack(env: { account?: string; region?: string } = ENV) {
  return new Stack(new App(), 'Buckets', { env });
}

function synth(props?: EncryptedBucketProps) {
  const stack = newStack();
  const bucket = new EncryptedBucket(stack, 'Data', props);
  return { stack, bucket, template: Template.fromStack(stack) };
}

function statementSids(template: Template): string[] {
  const policies = template.findResources('AWS::S3::BucketPolicy');
  return Object.values<any>(policies).flatMap((p) => p.Properties.PolicyDocument.Statement.map((s: any) => s.Sid));
}

describe.each([
  ['SSE_S3', BucketEncryptionMode.SSE_S3, 'AES256'],
  ['SSE_KMS', BucketEncryptionMode.SSE_KMS, 'aws:kms'],
  ['DSSE_KMS', BucketEncryptionMode.DSSE_KMS, 'aws:kms:dsse'],
])('EncryptedBucket %s', (name, mode, algorithm) => {
  const { template } = synth({ encryption: mode });

  test('default encryption, SSE-C blocked, Bucket Keys only for SSE-KMS', () => {
    const rule = Object.values<any>(template.findResources('AWS::S3::Bucket'))[0]
      .Properties.BucketEncryption.ServerSideEncryptionConfiguration[0];
    expect(rule.ServerSideEncryptionByDefault.SSEAlgorithm).toBe(algorithm);
    expect(rule.BlockedEncryptionTypes).toEqual({ EncryptionType: ['SSE-C'] });
    if (mode.usesKms) {
      expect(rule.ServerSideEncryptionByDefault.KMSMasterKeyID).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] });
    } else {
      expect(rule.ServerSideEncryptionByDefault.KMSMasterKeyID).toBeUndefined();
    }
    expect(rule.BucketKeyEnabled).toBe(name === 'SSE_KMS' ? true : name === 'DSSE_KMS' ? false : undefined);
  });

  test('a rotating key is created only for KMS modes', () => {
    template.resourceCountIs('AWS::KMS::Key', mode.usesKms ? 1 : 0);
    if (mode.usesKms) template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, RotationPeriodInDays: 365 });
  });

  test('public access blocked, ACLs disabled, versioned, incomplete uploads aborted, retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: { Rules: [{ Id: 'AbortIncompleteMultipartUploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }] },
      }),
      DeletionPolicy: 'Retain',
    });
  });

  test('bucket policy statements', () => {
    const expected = ['DenyInsecureTransport', 'DenyOutdatedTls', 'DenyOtherEncryptionAlgorithms',
      ...(mode.usesKms ? ['DenyOtherKmsKeys', 'DenyKmsWithoutKeyId'] : []), 'DenySseC'];
    expect(statementSids(template)).toEqual(expected);
  });

  test('TLS-only statement in the exact shape cdk-nag S10 and Security Hub S3.5 accept', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 's3:*',
          Resource: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^DataBucket'), 'Arn'] },
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^DataBucket'), 'Arn'] }, '/*']] }],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }]),
      },
    });
  });

  test('snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('EncryptedBucket options', () => {
  test('a passed key is used and no key is created', () => {
    const stack = newStack();
    const key = new KmsKeyWithRotation(stack, 'Shared');
    new EncryptedBucket(stack, 'Data', { encryptionKey: key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Shared'), 'Arn'] } },
      })] },
    });
  });

  test('encryptionKeyProps configure the created key', () => {
    const { template } = synth({ encryptionKeyProps: { alias: 'orders', rotationPeriod: Duration.days(180) } });
    template.hasResourceProperties('AWS::KMS::Key', { RotationPeriodInDays: 180 });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/orders' });
  });

  test('minimum TLS 1.3', () => {
    const { template } = synth({ minimumTlsVersion: 1.3 });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'DenyOutdatedTls', Condition: { NumericLessThan: { 's3:TlsVersion': 1.3 } } })]) },
    });
  });

  test('SSE-C opt-in: not blocked by the bucket, denied by policy to everyone but the custodians', () => {
    const stack = newStack();
    const custodian = new iam.Role(stack, 'Custodian', { assumedBy: new iam.AccountRootPrincipal() });
    const later = new iam.Role(stack, 'Later', { assumedBy: new iam.AccountRootPrincipal() });
    const bucket = new EncryptedBucket(stack, 'Data', { sseC: { allowedRoles: [custodian] } });
    bucket.allowSseCFrom(later);
    bucket.allowSseCFrom(later);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ BlockedEncryptionTypes: { EncryptionType: ['NONE'] } })] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Sid: 'DenySseC',
        Condition: {
          Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' },
          ArnNotEquals: { 'aws:PrincipalArn': [
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^Custodian'), 'Arn'] },
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^Later'), 'Arn'] },
          ] },
        },
      })]) },
    });
    expect(bucket.sseCAllowed).toBe(true);
  });

  test('SSE-C opt-in without any custodian fails at synth', () => {
    const stack = newStack();
    new EncryptedBucket(stack, 'Data', { sseC: {} });
    expect(() => Template.fromStack(stack)).toThrow(/Buckets\/Data: prop 'sseC': SSE-C is allowed on the bucket but no role may use it\. Fix: .*allowSseCFrom/);
  });

  test('allowSseCFrom on a bucket that blocks SSE-C throws', () => {
    const { stack, bucket } = synth();
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => bucket.allowSseCFrom(role)).toThrow(/prop 'sseC': SSE-C is blocked on this bucket/);
  });

  test('accepting SSE-S3 replicas splits the algorithm deny: uploads keep the bucket\'s algorithm, replicas may also be AES256', () => {
    const { template } = synth({ acceptSseS3Replicas: true });
    const statements = Object.values<any>(template.findResources('AWS::S3::BucketPolicy'))[0].Properties.PolicyDocument.Statement;
    const bySid = (sid: string) => statements.find((st: any) => st.Sid === sid);
    expect(bySid('DenyOtherEncryptionAlgorithms').Action).not.toContain('s3:ReplicateObject');
    expect(bySid('DenyOtherEncryptionAlgorithms').Condition.StringNotEquals).toEqual({ 's3:x-amz-server-side-encryption': 'aws:kms' });
    expect(bySid('DenyOtherReplicaEncryptionAlgorithms')).toMatchObject({
      Action: 's3:ReplicateObject',
      Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': ['aws:kms', 'AES256'] } },
    });
  });

  test('Object Lock without default retention: ObjectLockEnabled only, no ObjectLockConfiguration without its Rule (CloudFormation requires it)', () => {
    const { template } = synth({ objectLockEnabled: true });
    const [bucket] = Object.values<any>(template.findResources('AWS::S3::Bucket'));
    expect(bucket.Properties.ObjectLockEnabled).toBe(true);
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    // AWS::S3::Bucket ObjectLockConfiguration: Rule is "Required: Conditional"; a configuration without it is rejected.
    expect(bucket.Properties.ObjectLockConfiguration).toBeUndefined();
  });

  test('Object Lock without default retention passes the NIST 800-53 R4 pack: its lock rule is acknowledged on that bucket only, with the reason', () => {
    let locked!: EncryptedBucket;
    const findings = unacknowledgedFindings((app) => {
      const stack = new Stack(app, 'Buckets', { env: ENV });
      locked = new EncryptedBucket(stack, 'Locked', { objectLockEnabled: true });
      new EncryptedBucket(stack, 'Unlocked');
    }, (app) => [new NIST80053R4Checks(app)]);
    expect(findings.filter((f) => f.startsWith('NIST.800.53.R4-S3BucketDefaultLockEnabled'))).toEqual([
      'NIST.800.53.R4-S3BucketDefaultLockEnabled Buckets/Unlocked/Bucket/Resource',
    ]);
    const acknowledged = locked.bucket.node.defaultChild!.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledged.map(([id, reason]) => [id.replace(/^annotation::/i, ''), reason])).toEqual([
      ['NIST.800.53.R4-S3BucketDefaultLockEnabled', expect.stringMatching(/ObjectLockEnabled: true.*requires its Rule/)],
    ]);
  });

  test('Object Lock with a default retention', () => {
    const { template } = synth({ objectLockEnabled: true, objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(30)) });
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } } },
    });
  });

  test('server access logs to an SSE-S3 log bucket: delivery allowed per source and prefix, no key involved', () => {
    const stack = newStack();
    const logs = new EncryptedBucket(stack, 'Logs', { encryption: BucketEncryptionMode.SSE_S3 });
    new EncryptedBucket(stack, 'Data', { serverAccessLogsBucket: logs.bucket, serverAccessLogsPrefix: 'data/' });
    new EncryptedBucket(stack, 'More', { serverAccessLogsBucket: logs.bucket, serverAccessLogsPrefix: 'more/' });
    new EncryptedBucket(stack, 'Auto', { serverAccessLogsBucket: logs.bucket });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^LogsBucket') }, LogFilePrefix: 'data/' },
    });
    const logPolicy = Object.values<any>(template.findResources('AWS::S3::BucketPolicy'))
      .find((p) => p.Properties.Bucket.Ref.startsWith('LogsBucket')).Properties.PolicyDocument.Statement;
    const delivery = logPolicy.filter((s: any) => s.Sid.startsWith('AllowServerAccessLogDelivery'));
    expect(delivery).toHaveLength(3);
    expect(new Set(delivery.map((s: any) => s.Sid)).size).toBe(3);
    // each source may write only under its own prefix, and only for deliveries of that source bucket
    const logsArn = { 'Fn::GetAtt': [expect.stringMatching(/^LogsBucket/), 'Arn'] };
    expect(delivery[0]).toEqual({
      Sid: expect.any(String),
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: { 'Fn::Join': ['', [logsArn, '/data/*']] },
      Condition: {
        ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^DataBucket/), 'Arn'] } },
        StringEquals: { 'aws:SourceAccount': '111111111111' },
      },
    });
    // without a prefix, each bucket gets its own, and the delivery statement is scoped to it
    const autoBucket = Object.values<any>(template.findResources('AWS::S3::Bucket'))
      .find((b) => b.Properties.LoggingConfiguration && !['data/', 'more/'].includes(b.Properties.LoggingConfiguration.LogFilePrefix));
    const autoPrefix: string = autoBucket.Properties.LoggingConfiguration.LogFilePrefix;
    expect(autoPrefix).toMatch(/^BucketsAuto[0-9A-F]{8}\/$/);
    expect(delivery[2].Resource).toEqual({ 'Fn::Join': ['', [logsArn, `/${autoPrefix}*`]] });
    expect(Object.keys(template.findResources('AWS::KMS::Key')).filter((id) => id.startsWith('Logs'))).toEqual([]);
  });

  test('server access logs to an imported bucket warn that its owner must allow delivery', () => {
    const stack = newStack();
    const imported = s3.Bucket.fromBucketName(stack, 'Central', 'central-logs');
    new EncryptedBucket(stack, 'Data', { serverAccessLogsBucket: imported });
    Annotations.fromStack(stack).hasWarning('/Buckets/Data', Match.stringLikeRegexp('.*Its owner must allow logging.s3.amazonaws.com.*'));
  });

  test('extra lifecycle rules come after the abort-incomplete-uploads rule, whose period can be changed', () => {
    const { template } = synth({
      abortIncompleteMultipartUploadAfter: Duration.days(2),
      lifecycleRules: [{ id: 'ExpireOldVersions', noncurrentVersionExpiration: Duration.days(90) }],
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [
        { Id: 'AbortIncompleteMultipartUploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
        { Id: 'ExpireOldVersions', Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 90 } },
      ] },
    });
  });

  test('grants on an SSE-S3 bucket add S3 permissions only (no key, so no KMS permission)', () => {
    const stack = newStack();
    const bucket = new EncryptedBucket(stack, 'Data', { encryption: BucketEncryptionMode.SSE_S3 });
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.AccountRootPrincipal() });
    bucket.grantReadWrite(role);
    bucket.grantDelete(role);
    const actions = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .flatMap((s: any) => [s.Action].flat());
    expect(actions.filter((a: string) => !a.startsWith('s3:'))).toEqual([]);
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket']));
  });

  test('EncryptedBucket.of finds the construct from its bucket', () => {
    const { bucket } = synth();
    expect(EncryptedBucket.of(bucket.bucket)).toBe(bucket);
  });
});

describe('EncryptedBucket validation', () => {
  const cases: Array<[string, (stack: Stack) => EncryptedBucketProps, string, RegExp]> = [
    ['key with SSE-S3', (s) => ({ encryption: BucketEncryptionMode.SSE_S3, encryptionKey: new KmsKeyWithRotation(s, 'K') }), 'encryptionKey', /does not use KMS/],
    ['key props with SSE-S3', () => ({ encryption: BucketEncryptionMode.SSE_S3, encryptionKeyProps: { alias: 'x' } }), 'encryptionKeyProps', /does not use KMS/],
    ['key and key props', (s) => ({ encryptionKey: new KmsKeyWithRotation(s, 'K'), encryptionKeyProps: { alias: 'x' } }), 'encryptionKeyProps', /both an existing key/],
    ['asymmetric key', (s) => ({ encryptionKey: new kms.Key(s, 'K', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT }) }), 'encryptionKey', /RSA_2048; S3 only encrypts with symmetric/],
    ['key from another Region', (s) => ({ encryptionKey: kms.Key.fromKeyArn(s, 'K', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab') }), 'encryptionKey', /us-east-1 but the bucket is in eu-west-1/],
    ['Bucket Key with DSSE-KMS', () => ({ encryption: BucketEncryptionMode.DSSE_KMS, bucketKeyEnabled: true }), 'bucketKeyEnabled', /not supported with DSSE-KMS/],
    ['Bucket Key with SSE-S3', () => ({ encryption: BucketEncryptionMode.SSE_S3, bucketKeyEnabled: true }), 'bucketKeyEnabled', /only apply to SSE-KMS/],
    ['TLS 1.1', () => ({ minimumTlsVersion: 1.1 }), 'minimumTlsVersion', /1\.2, 1\.3/],
    ['TLS 1.4', () => ({ minimumTlsVersion: 1.4 }), 'minimumTlsVersion', /locks every client out/],
    ['Object Lock without versioning', () => ({ objectLockEnabled: true, versioned: false }), 'versioned', /Object Lock requires versioning/],
    ['retention without Object Lock', () => ({ objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(1)) }), 'objectLockDefaultRetention', /Object Lock is off/],
    ['log prefix without log bucket', () => ({ serverAccessLogsPrefix: 'x/' }), 'serverAccessLogsPrefix', /without a log bucket/],
    // "The destination bucket must use Amazon S3 managed keys (SSE-S3)" (Enabling Amazon S3 server access logging)
    ['DSSE log bucket', (s) => ({ serverAccessLogsBucket: new EncryptedBucket(s, 'Logs', { encryption: BucketEncryptionMode.DSSE_KMS }).bucket }), 'serverAccessLogsBucket', /uses DSSE-KMS; AWS documents that server access log destinations must use SSE-S3/],
    ['SSE-KMS log bucket', (s) => ({ serverAccessLogsBucket: new EncryptedBucket(s, 'Logs').bucket }), 'serverAccessLogsBucket', /uses SSE-KMS; AWS documents that server access log destinations must use SSE-S3/],
    ['plain CMK log bucket', (s) => ({ serverAccessLogsBucket: new s3.Bucket(s, 'Logs', { encryption: s3.BucketEncryption.KMS }) }), 'serverAccessLogsBucket', /uses SSE-KMS;/],
    ['aws/s3 log bucket', (s) => ({ serverAccessLogsBucket: new s3.Bucket(s, 'Logs', { encryption: s3.BucketEncryption.KMS_MANAGED }) }), 'serverAccessLogsBucket', /SSE-KMS with the AWS-managed aws\/s3 key/],
    ['SSE-S3 replicas accepted by an SSE-S3 bucket', () => ({ encryption: BucketEncryptionMode.SSE_S3, acceptSseS3Replicas: true }), 'acceptSseS3Replicas', /accepted anyway/],
    ['replica key aliases without a key', () => ({ encryption: BucketEncryptionMode.SSE_S3, replicaKeyAliases: ['data'] }), 'replicaKeyAliases', /has no key/],
    ['a replica key alias that is no alias name', () => ({ replicaKeyAliases: ['arn:aws:kms:eu-west-1:111111111111:key/abc'] }), 'replicaKeyAliases', /not a KMS alias name/],
    ['abort after 0 days', () => ({ abortIncompleteMultipartUploadAfter: Duration.hours(12) }), 'abortIncompleteMultipartUploadAfter', /at least 1/],
    ['abort after 1.5 days', () => ({ abortIncompleteMultipartUploadAfter: Duration.hours(36) }), 'abortIncompleteMultipartUploadAfter', /1 day 12 hours is not a whole number of days/],
  ];

  test.each(cases)('%s throws at synth naming path, prop and fix', (_name, props, prop, message) => {
    const stack = newStack();
    let error: unknown;
    try {
      new EncryptedBucket(stack, 'Data', props(stack));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConstructPropError);
    const e = error as ConstructPropError;
    expect([e.constructPath, e.prop]).toEqual(['Buckets/Data', prop]);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/ Fix: \S/);
  });

  test('all problems are listed, not only the first', () => {
    const stack = newStack();
    expect(() => new EncryptedBucket(stack, 'Data', { encryption: BucketEncryptionMode.DSSE_KMS, bucketKeyEnabled: true, minimumTlsVersion: 1 }))
      .toThrow(/prop 'bucketKeyEnabled'[\s\S]*also prop 'minimumTlsVersion'/);
  });

  test('SSE-S3 log buckets are accepted: explicit, by S3 default, and an SSE-S3 EncryptedBucket', () => {
    const stack = newStack();
    const sseS3 = new s3.Bucket(stack, 'PlainLogs', { encryption: s3.BucketEncryption.S3_MANAGED });
    const byDefault = new s3.Bucket(stack, 'DefaultLogs');
    const ours = new EncryptedBucket(stack, 'OurLogs', { encryption: BucketEncryptionMode.SSE_S3 });
    expect(() => new EncryptedBucket(stack, 'A', { serverAccessLogsBucket: sseS3 })).not.toThrow();
    expect(() => new EncryptedBucket(stack, 'B', { serverAccessLogsBucket: byDefault })).not.toThrow();
    expect(() => new EncryptedBucket(stack, 'C', { serverAccessLogsBucket: ours.bucket })).not.toThrow();
  });

  test('an env-agnostic stack skips the Region check instead of guessing', () => {
    const stack = newStack({});
    const key = kms.Key.fromKeyArn(stack, 'K', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(() => new EncryptedBucket(stack, 'Data', { encryptionKey: key })).not.toThrow();
  });
});
