import { App, AspectPriority, Aspects, Fn, type IAspect, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { type IConstruct } from 'constructs';
import { addCompliancePacks } from '../../bin/compliance-packs';
import {
  BucketEncryptionMode, EncryptedBucket, EncryptedBucketProfile, EncryptionGuardrails, type EncryptionGuardrailsProps, GuardrailMode, S3EncryptionChecks,
} from '../../lib';
import {
  ALLOW_EVERYTHING, ResolvedTemplate, TEST_ENV, evaluate, http, https, rolePrincipalContext,
} from '../support/iam-evaluation';
import { guardrailFindings, newAppWithOutdir, packViolations, reportedViolations } from './support';

const READER = `arn:aws:iam::${TEST_ENV.account}:role/reader`;

/** The deliberately bad app: plain buckets and CfnBuckets with nothing, or the wrong thing, set. */
function badApp() {
  const { app, outdir } = newAppWithOutdir();
  const stack = new Stack(app, 'Bad', { env: TEST_ENV });
  const plain = new s3.Bucket(stack, 'Plain');
  const sseS3 = new s3.Bucket(stack, 'SseS3', { encryption: s3.BucketEncryption.S3_MANAGED, versioned: true, enforceSSL: true, minimumTLSVersion: 1.1 });
  const kmsNoHeaders = new s3.Bucket(stack, 'KmsWithoutBucketKeys', { encryption: s3.BucketEncryption.KMS });
  const handWritten = new s3.CfnBucket(stack, 'HandWritten');
  const withPolicy = new s3.CfnBucket(stack, 'HandWrittenWithPolicy', { bucketName: 'hand-written-with-policy' });
  new s3.CfnBucketPolicy(stack, 'HandWrittenPolicy', {
    bucket: withPolicy.ref,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Sid: 'ReadFromThisAccount', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ENV.account}:root` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::hand-written-with-policy/*' }],
    },
  });
  plain.grantRead(new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() }));
  return { app, outdir, stack, plain, sseS3, kmsNoHeaders, handWritten, withPolicy };
}

function remediate(app: App, props: Omit<EncryptionGuardrailsProps, 'mode'> = {}) {
  return EncryptionGuardrails.of(app, { mode: GuardrailMode.REMEDIATE, ...props });
}

const bucketProps = (stack: Stack, bucket: IConstruct) => {
  const cfn = (bucket.node.defaultChild ?? bucket) as s3.CfnBucket;
  return Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(cfn)].Properties;
};

describe('remediate: the deliberately bad app', () => {
  test('afterwards every bucket passes every rule of the pack', () => {
    const { app, outdir } = badApp();
    remediate(app);
    Validations.of(app).addPlugins(new S3EncryptionChecks(app));
    expect(() => app.synth()).not.toThrow();
    expect(reportedViolations(outdir)).toEqual([]);
  });

  test('without remediation the same app fails the pack on every bucket', () => {
    const { app } = badApp();
    const violations = packViolations(app);
    const paths = new Set(Object.values(violations).flat());
    expect([...paths].filter((p) => !p.endsWith('/Key/Resource')).sort()).toEqual([
      'Bad/HandWritten', 'Bad/HandWrittenWithPolicy', 'Bad/KmsWithoutBucketKeys/Resource', 'Bad/Plain/Resource', 'Bad/SseS3/Resource',
    ]);
  });

  test('the plain bucket gets SSE-KMS under a rotating key, Bucket Keys, the SSE-C block and public-access blocks', () => {
    const { app, stack, plain } = badApp();
    remediate(app);
    const properties = bucketProps(stack, plain);
    expect(properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([{
      BucketKeyEnabled: true,
      BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^PlainGuardrailsKey/), 'Arn'] } },
    }]);
    expect(properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: 'Default encryption key of Bad/Plain/Resource, added by EncryptionGuardrails' });
    Annotations.fromStack(stack).hasInfo('/Bad/Plain/Resource', Match.stringLikeRegexp('EncryptionGuardrails remediated this bucket: default encryption SSE_KMS under new rotating key Bad/Plain/GuardrailsKey'));
  });

  test('the remediated policy, evaluated by a real IAM engine, denies what the rules require and allows normal use', async () => {
    const { app, stack, plain } = badApp();
    remediate(app);
    app.synth();
    const t = new ResolvedTemplate(stack);
    const bucketId = t.logicalId(plain.node.defaultChild);
    const keyArn = t.arnOf(Object.keys(t.template.Resources).find((id) => id.startsWith('PlainGuardrailsKey'))!);
    const object = `${t.arnOf(bucketId)}/reports/2026.csv`;
    const decide = (action: string, context: Record<string, string>) => evaluate({
      principal: READER, action, resource: object,
      context: { ...rolePrincipalContext(READER), ...context },
      identityPolicies: [ALLOW_EVERYTHING], resourcePolicy: t.bucketPolicyFor(bucketId),
    });
    const sse = (algorithm: string, key?: string) => ({ 's3:x-amz-server-side-encryption': algorithm, ...(key ? { 's3:x-amz-server-side-encryption-aws-kms-key-id': key } : {}) });
    expect((await decide('s3:GetObject', http())).denyingStatements).toContain('DenyInsecureTransport');
    expect((await decide('s3:GetObject', https('1.1'))).denyingStatements).toContain('DenyOutdatedTls');
    expect((await decide('s3:PutObject', { ...https('1.2'), ...sse('AES256') })).denyingStatements).toContain('DenyOtherEncryptionAlgorithms');
    expect((await decide('s3:PutObject', { ...https('1.2'), ...sse('aws:kms', 'arn:aws:kms:eu-west-1:111111111111:key/other') })).denyingStatements).toContain('DenyOtherKmsKeys');
    expect((await decide('s3:PutObject', { ...https('1.2'), ...sse('aws:kms') })).denyingStatements).toContain('DenyKmsWithoutKeyId');
    expect((await decide('s3:PutObject', { ...https('1.2'), ...sse('aws:kms', keyArn) })).decision).toBe('Allowed');
    expect((await decide('s3:PutObject', https('1.3'))).decision).toBe('Allowed');
    expect((await decide('s3:GetObject', https('1.2'))).decision).toBe('Allowed');
  });

  test('readers of this account keep working: the new key lets them decrypt through S3 without a KMS grant', async () => {
    const { app, stack } = badApp();
    remediate(app);
    app.synth();
    const t = new ResolvedTemplate(stack);
    const keyId = Object.keys(t.template.Resources).find((id) => id.startsWith('PlainGuardrailsKey'))!;
    const decrypt = (viaService: string) => evaluate({
      principal: READER, action: 'kms:Decrypt', resource: t.arnOf(keyId),
      context: { ...rolePrincipalContext(READER), 'kms:ViaService': viaService, 'kms:CallerAccount': TEST_ENV.account, 'aws:SecureTransport': 'true' },
      identityPolicies: [], resourcePolicy: t.keyPolicyOf(keyId),
    });
    expect((await decrypt(`s3.${TEST_ENV.region}.amazonaws.com`)).decision).toBe('Allowed');
    expect((await decrypt(`sqs.${TEST_ENV.region}.amazonaws.com`)).decision).toBe('ImplicitlyDenied');
  });

  test('the CfnBuckets are fixed too: a new policy for the bare one, statements appended to the hand-written one', () => {
    const { app, stack, handWritten, withPolicy } = badApp();
    remediate(app);
    const template = Template.fromStack(stack);
    expect(bucketProps(stack, handWritten).BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    const policies = Object.values<any>(template.findResources('AWS::S3::BucketPolicy'));
    const forBucket = (id: string) => policies.filter((p) => p.Properties.Bucket.Ref === id);
    expect(forBucket('HandWritten')).toHaveLength(1);
    const appended = forBucket(stack.getLogicalId(withPolicy));
    expect(appended).toHaveLength(1);
    expect(appended[0].Properties.PolicyDocument.Statement.map((s: any) => s.Sid)).toEqual([
      'ReadFromThisAccount', 'DenyInsecureTransport', 'DenyOutdatedTls', 'DenyOtherEncryptionAlgorithms', 'DenyOtherKmsKeys', 'DenyKmsWithoutKeyId',
    ]);
  });

  test('cdk-nag runs after remediation and sees the fixed buckets', () => {
    const { app, outdir } = badApp();
    remediate(app);
    addCompliancePacks(app);
    expect(() => app.synth()).toThrow(); // logging, versioning and replication are not remediation's job
    const fixedRules = /S3BucketSSLRequestsOnly|S10$|S3DefaultEncryptionKMS|PublicAccessProhibited|PublicReadProhibited|PublicWriteProhibited|KMSBackingKeyRotationEnabled|KMS5$/;
    const stillFailing = reportedViolations(outdir).filter((v) => fixedRules.test(v.rule));
    expect(stillFailing).toEqual([]);
  });
});

describe('remediate: ordering with other Aspects and lazily created policies', () => {
  class Recorder implements IAspect {
    public readonly seen: Record<string, unknown> = {};
    visit(node: IConstruct) {
      if (node instanceof s3.CfnBucket) this.seen[node.node.path] = node.bucketEncryption;
    }
  }

  test('an Aspect at the default priority sees the remediated bucket, even when it was added first', () => {
    const { app, plain } = badApp();
    const recorder = new Recorder();
    Aspects.of(app).add(recorder);
    remediate(app);
    app.synth();
    expect(recorder.seen[(plain.node.defaultChild as s3.CfnBucket).node.path]).toMatchObject({ serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }] });
  });

  test('a bucket created by another (mutating) Aspect is remediated too', () => {
    const { app, outdir, stack } = badApp();
    Aspects.of(app).add({ visit: (node: IConstruct) => { if (node === stack && !stack.node.tryFindChild('Late')) new s3.Bucket(stack, 'Late'); } }, { priority: AspectPriority.MUTATING });
    remediate(app);
    Validations.of(app).addPlugins(new S3EncryptionChecks(app));
    expect(() => app.synth()).not.toThrow();
    expect(reportedViolations(outdir)).toEqual([]);
    expect(bucketProps(stack, stack.node.findChild('Late')).BucketEncryption).toBeDefined();
  });

  test('a statement added by a later Aspect lands in the same (lazily created) bucket policy, not a second one', () => {
    const { app, stack, plain } = badApp();
    remediate(app);
    Aspects.of(app).add({
      visit: (node: IConstruct) => {
        if (node === plain) plain.addToResourcePolicy(new iam.PolicyStatement({ sid: 'LateAllow', principals: [new iam.AccountRootPrincipal()], actions: ['s3:GetObject'], resources: [plain.arnForObjects('*')] }));
      },
    });
    const policies = Object.values<any>(Template.fromStack(stack).findResources('AWS::S3::BucketPolicy'))
      .filter((p) => p.Properties.Bucket.Ref === stack.getLogicalId(plain.node.defaultChild as s3.CfnBucket));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement.map((s: any) => s.Sid)).toEqual(expect.arrayContaining(['DenyInsecureTransport', 'LateAllow']));
  });
});

describe('remediate never weakens a stricter setting', () => {
  const synthOne = (build: (stack: Stack) => s3.Bucket, props: Omit<EncryptionGuardrailsProps, 'mode'> = {}) => {
    const app = new App();
    const stack = new Stack(app, 'Strict', { env: TEST_ENV });
    const bucket = build(stack);
    remediate(app, props);
    return { stack, bucket, properties: bucketProps(stack, bucket), template: Template.fromStack(stack) };
  };
  const statements = (template: Template) => Object.values<any>(template.findResources('AWS::S3::BucketPolicy')).flatMap((p) => p.Properties.PolicyDocument.Statement);

  test('a TLS 1.3 minimum stays the only minimum', () => {
    const { template } = synthOne((s) => new s3.Bucket(s, 'B', { encryption: s3.BucketEncryption.KMS, enforceSSL: true, minimumTLSVersion: 1.3 }));
    expect(statements(template).filter((s) => s.Condition?.NumericLessThan).map((s) => s.Condition.NumericLessThan['s3:TlsVersion'])).toEqual([1.3]);
  });

  test('an existing customer-managed key stays, and the header policy pins it', () => {
    const { properties, template, stack } = synthOne((s) => new s3.Bucket(s, 'B', { encryption: s3.BucketEncryption.KMS, encryptionKey: new kms.Key(s, 'Mine', { enableKeyRotation: true }) }));
    const mine = stack.getLogicalId(stack.node.findChild('Mine').node.defaultChild as kms.CfnKey);
    expect(properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID).toEqual({ 'Fn::GetAtt': [mine, 'Arn'] });
    expect(statements(template).find((s) => s.Sid === 'DenyOtherKmsKeys').Condition.StringNotEquals['s3:x-amz-server-side-encryption-aws-kms-key-id']).toEqual({ 'Fn::GetAtt': [mine, 'Arn'] });
    template.resourceCountIs('AWS::KMS::Key', 1);
  });

  test('DSSE-KMS stays DSSE-KMS (no Bucket Keys forced on), and headers pin aws:kms:dsse', () => {
    const { properties, template } = synthOne((s) => new s3.Bucket(s, 'B', { encryption: s3.BucketEncryption.DSSE }));
    const rule = properties.BucketEncryption.ServerSideEncryptionConfiguration[0];
    expect(rule.ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms:dsse');
    expect(rule.BucketKeyEnabled).toBeUndefined();
    expect(statements(template).find((s) => s.Sid === 'DenyOtherEncryptionAlgorithms').Condition.StringNotEquals['s3:x-amz-server-side-encryption']).toBe('aws:kms:dsse');
  });

  test('a stricter remediation minimum (TLS 1.3) is what gets added', () => {
    const { template } = synthOne((s) => new s3.Bucket(s, 'B'), { minimumTlsVersion: 1.3 });
    expect(statements(template).find((s) => s.Sid === 'DenyOutdatedTls').Condition.NumericLessThan['s3:TlsVersion']).toBe(1.3);
  });

  test('an explicit SSE-C opt-in, Bucket Keys off, and a public website are left alone and reported with the reason', () => {
    const { app, outdir } = newAppWithOutdir();
    const stack = new Stack(app, 'Choices', { env: TEST_ENV });
    new s3.Bucket(stack, 'SseC', { encryption: s3.BucketEncryption.KMS, bucketKeyEnabled: true, blockedEncryptionTypes: [s3.BlockedEncryptionType.NONE] });
    new s3.Bucket(stack, 'NoBucketKeys', { encryption: s3.BucketEncryption.KMS, bucketKeyEnabled: false });
    new s3.Bucket(stack, 'Website', {
      websiteIndexDocument: 'index.html', publicReadAccess: true,
      blockPublicAccess: new s3.BlockPublicAccess({ blockPublicPolicy: false, restrictPublicBuckets: false, blockPublicAcls: true, ignorePublicAcls: true }),
    });
    remediate(app);
    const template = Template.fromStack(stack).toJSON().Resources;
    const of = (id: string) => Object.entries<any>(template).find(([k, r]) => k.startsWith(id) && r.Type === 'AWS::S3::Bucket')![1].Properties;
    expect(of('SseC').BucketEncryption.ServerSideEncryptionConfiguration[0].BlockedEncryptionTypes).toEqual({ EncryptionType: ['NONE'] });
    expect(of('NoBucketKeys').BucketEncryption.ServerSideEncryptionConfiguration[0].BucketKeyEnabled).toBe(false);
    expect(of('Website').PublicAccessBlockConfiguration.BlockPublicPolicy).toBe(false);
    expect(of('Website').BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toBeUndefined();
    expect(() => app.synth()).not.toThrow(); // REMEDIATE reports what is left as warnings
    const findings = guardrailFindings(outdir);
    expect(findings).toContainEqual(expect.stringMatching(/^S3Encryption-S3BucketSseCBlocked Choices\/SseC\/Resource warning: .*Not remediated: SSE-C was allowed explicitly/));
    expect(findings).toContainEqual(expect.stringMatching(/^S3Encryption-S3BucketKeyEnabled Choices\/NoBucketKeys\/Resource warning: .*Not remediated: Bucket Keys were turned off explicitly/));
    expect(findings).toContainEqual(expect.stringMatching(/^S3Encryption-S3BucketDefaultEncryption Choices\/Website\/Resource warning: .*Not remediated: it is a static website/));
    Annotations.fromStack(stack).hasWarning('/Choices/Website/Resource',
      Match.stringLikeRegexp('left the public-access block of this bucket alone: BlockPublicPolicy, RestrictPublicBuckets are off and it is a static website'));
  });

  test('what it cannot change safely is reported: cross-account readers, replication, an SSE-KMS bucket under a DSSE minimum, a TLS lock-out', () => {
    const { app, outdir } = newAppWithOutdir();
    const stack = new Stack(app, 'Unsafe', { env: TEST_ENV });
    const shared = new s3.Bucket(stack, 'Shared', { encryption: s3.BucketEncryption.S3_MANAGED });
    shared.grantRead(new iam.AccountPrincipal('222222222222'));
    const destination = new s3.Bucket(stack, 'Destination', { versioned: true, encryption: s3.BucketEncryption.KMS, bucketKeyEnabled: true });
    new s3.Bucket(stack, 'Replicating', { versioned: true, encryption: s3.BucketEncryption.KMS, bucketKeyEnabled: true, replicationRules: [{ destination }] });
    new s3.Bucket(stack, 'LockedOut', { encryption: s3.BucketEncryption.DSSE, enforceSSL: true, minimumTLSVersion: 1.4 });
    remediate(app, { minimumEncryption: BucketEncryptionMode.DSSE_KMS });
    app.synth();
    const findings = guardrailFindings(outdir);
    expect(findings).toContainEqual(expect.stringMatching(/^S3Encryption-S3BucketDefaultEncryption Unsafe\/Shared\/Resource warning: .*Not remediated: its policy grants access to principals of other accounts \(arn:aws:iam::222222222222:root\)/));
    expect(findings).toContainEqual(expect.stringMatching(/^S3Encryption-S3ReplicaKmsEncrypted Unsafe\/Replicating\/Resource warning: .*Not remediated: replication is not changed automatically/));
    expect(findings).toContainEqual(expect.stringMatching(/^S3Encryption-S3BucketDefaultEncryption Unsafe\/Destination\/Resource warning: .*Not remediated: the bucket already uses aws:kms; moving it to aws:kms:dsse/));
    expect(findings).toContainEqual(expect.stringMatching(/^S3Encryption-S3BucketMinimumTls Unsafe\/LockedOut\/Resource warning: .*Not remediated: a statement requires a TLS version newer than 1.3/));
    expect(bucketProps(stack, shared).BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
  });

  test('EncryptedBucket and acknowledged rules are not touched', () => {
    const app = new App();
    const stack = new Stack(app, 'Left', { env: TEST_ENV });
    const general = new EncryptedBucket(stack, 'General', { profile: EncryptedBucketProfile.GENERAL_PURPOSE });
    const accepted = new s3.Bucket(stack, 'Accepted', { enforceSSL: true });
    Validations.of(accepted).acknowledge({ id: 'S3Encryption-S3BucketDefaultEncryption', reason: 'public dataset mirror' });
    remediate(app);
    expect(bucketProps(stack, general.bucket).BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
    expect(bucketProps(stack, accepted).BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toBeUndefined();
    expect(bucketProps(stack, accepted).BucketEncryption.ServerSideEncryptionConfiguration[0].BlockedEncryptionTypes).toEqual({ EncryptionType: ['SSE-C'] });
  });
});

describe('remediate: principals and service writers it cannot see into', () => {
  test('a principal that is a token of something other than a role or user of this app (an import) counts as foreign: the encryption stays', () => {
    const { app, outdir } = newAppWithOutdir();
    const stack = new Stack(app, 'Tokens', { env: TEST_ENV });
    const imported = new s3.Bucket(stack, 'SharedByImport');
    imported.grantRead(new iam.ArnPrincipal(Fn.importValue('PartnerReaderRoleArn')));
    const ownRole = new s3.Bucket(stack, 'ReadByOwnRole');
    ownRole.grantRead(new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() }));
    remediate(app);
    app.synth();
    expect(bucketProps(stack, imported).BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toBeUndefined();
    expect(guardrailFindings(outdir)).toContainEqual(expect.stringMatching(
      /^S3Encryption-S3BucketDefaultEncryption Tokens\/SharedByImport\/Resource warning: .*Not remediated: its policy grants access to principals of other accounts \(⟨import:PartnerReaderRoleArn⟩\)/));
    expect(bucketProps(stack, ownRole).BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
  });

  test('an SSE-KMS bucket VPC Flow Logs write to: Bucket Keys and the key-id denies are left off, the algorithm deny is added, each with the reason', async () => {
    const { app, outdir } = newAppWithOutdir();
    const stack = new Stack(app, 'Flow', { env: TEST_ENV });
    const key = new kms.Key(stack, 'LogKey', { enableKeyRotation: true });
    const logs = new s3.Bucket(stack, 'FlowLogs', { encryption: s3.BucketEncryption.KMS, encryptionKey: key });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    new ec2.FlowLog(stack, 'Flow', { resourceType: ec2.FlowLogResourceType.fromVpc(vpc), destination: ec2.FlowLogDestination.toS3(logs) });
    remediate(app);
    app.synth();
    const rule = bucketProps(stack, logs).BucketEncryption.ServerSideEncryptionConfiguration[0];
    expect(rule.BucketKeyEnabled).toBeUndefined();
    const findings = guardrailFindings(outdir);
    expect(findings).toContainEqual(expect.stringMatching(/^S3Encryption-S3BucketKeyEnabled Flow\/FlowLogs\/Resource warning: .*Not remediated: AWS services write to it \(VPC Flow Logs\).*bucket-key.html/));
    expect(findings).toContainEqual(expect.stringMatching(/^S3Encryption-S3BucketEncryptionHeaders Flow\/FlowLogs\/Resource warning: .*Not remediated: not added: the KMS key-id denies \(VPC Flow Logs writes here/));
    const t = new ResolvedTemplate(stack);
    const bucketId = t.logicalId(logs.node.defaultChild);
    const sids = t.bucketPolicyFor(bucketId).Statement.map((s: any) => s.Sid);
    expect(sids).toEqual(expect.arrayContaining(['DenyInsecureTransport', 'DenyOtherEncryptionAlgorithms', 'AWSLogDeliveryWrite', 'AWSLogDeliveryAclCheck']));
    expect(sids).not.toContain('DenyOtherKmsKeys');
    expect(sids).not.toContain('DenyKmsWithoutKeyId');
    // Flow Logs may ask for aws:kms without naming the key (not documented either way): still delivered; another algorithm is not.
    const deliver = (sse: Record<string, string>) => evaluate({
      principal: 'delivery.logs.amazonaws.com', action: 's3:PutObject', resource: `${t.arnOf(bucketId)}/AWSLogs/${TEST_ENV.account}/vpcflowlogs/x.log.gz`,
      context: { ...https('1.2'), 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': TEST_ENV.account, 'aws:SourceArn': `arn:aws:logs:${TEST_ENV.region}:${TEST_ENV.account}:*`, ...sse },
      resourcePolicy: t.bucketPolicyFor(bucketId),
    });
    expect((await deliver({ 's3:x-amz-server-side-encryption': 'aws:kms' })).decision).toBe('Allowed');
    expect((await deliver({})).decision).toBe('Allowed');
    expect((await deliver({ 's3:x-amz-server-side-encryption': 'AES256' })).denyingStatements).toContain('DenyOtherEncryptionAlgorithms');
  });

  test('a bucket an unknown AWS service writes to keeps its encryption and gets no header denies; an unknown reader does not block them', () => {
    const app = new App();
    const stack = new Stack(app, 'Services', { env: TEST_ENV });
    const written = new s3.Bucket(stack, 'Written');
    written.grantPut(new iam.ServicePrincipal('newservice.amazonaws.com'));
    const read = new s3.Bucket(stack, 'Read', { encryption: s3.BucketEncryption.S3_MANAGED });
    read.grantRead(new iam.ServicePrincipal('newservice.amazonaws.com'));
    remediate(app);
    const statements = (bucket: s3.Bucket) => Object.values<any>(Template.fromStack(stack).findResources('AWS::S3::BucketPolicy'))
      .filter((p) => p.Properties.Bucket.Ref === stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket)).flatMap((p) => p.Properties.PolicyDocument.Statement.map((s: any) => s.Sid));
    expect(bucketProps(stack, written).BucketEncryption?.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toBeUndefined();
    expect(statements(written)).toContain('DenyInsecureTransport');
    expect(statements(written)).not.toContain('DenyOtherEncryptionAlgorithms');
    expect(bucketProps(stack, read).BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
    expect(statements(read)).toContain('DenyOtherEncryptionAlgorithms');
    Annotations.fromStack(stack).hasInfo('/Services/Written/Resource', Match.stringLikeRegexp('the AWS service newservice.amazonaws.com uses this bucket .*no deny of encryption algorithms other than AES256'));
  });
});

test('remediate with minimumTlsVersion 1.3: buckets AWS services use get 1.2 (what every AWS endpoint guarantees), the others 1.3', async () => {
  const app = new App();
  const stack = new Stack(app, 'Tls', { env: TEST_ENV });
  const trailBucket = new s3.Bucket(stack, 'TrailBucket');
  new cloudtrail.Trail(stack, 'Trail', { trailName: 'audit', bucket: trailBucket });
  const plain = new s3.Bucket(stack, 'Plain');
  remediate(app, { minimumTlsVersion: 1.3 });
  const t = new ResolvedTemplate(stack);
  const minimumOf = (bucket: s3.Bucket) => t.bucketPolicyFor(t.logicalId(bucket.node.defaultChild)).Statement
    .find((s: any) => s.Sid === 'DenyOutdatedTls').Condition.NumericLessThan['s3:TlsVersion'];
  expect(minimumOf(trailBucket)).toBe(1.2);
  expect(minimumOf(plain)).toBe(1.3);
  // "Amazon S3 bucket permissions for CloudTrail": the trail's write over TLS 1.2 still goes through.
  const write = await evaluate({
    principal: 'cloudtrail.amazonaws.com', action: 's3:PutObject', resource: `${t.arnOf(t.logicalId(trailBucket.node.defaultChild))}/AWSLogs/${TEST_ENV.account}/CloudTrail/x.json.gz`,
    context: { ...https('1.2'), 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': `arn:aws:cloudtrail:${TEST_ENV.region}:${TEST_ENV.account}:trail/audit`, 'aws:SourceAccount': TEST_ENV.account },
    resourcePolicy: t.bucketPolicyFor(t.logicalId(trailBucket.node.defaultChild)),
  });
  expect(write.decision).toBe('Allowed');
  Annotations.fromStack(stack).hasInfo('/Tls/TrailBucket/Resource', Match.stringLikeRegexp('AWS CloudTrail uses this bucket .*TLS minimum 1.2, not 1.3'));
});
