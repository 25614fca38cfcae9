import * as fs from 'node:fs';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { BucketEncryptionMode, EncryptedBucket, KmsKeyWithRotation, SseCKeyRotation } from '../lib';
import { ConstructPropError } from '../lib/private/construct-prop-error';
import { compliantJobOptions } from './support/compliant-job-options';
import { acknowledgementsUnder, unacknowledgedFindings } from './support/nag-findings';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function build(options: { withLocations?: boolean } = {}) {
  const app = new App();
  const stack = new Stack(app, 'Rotation', { env: ENV });
  const app_role = new iam.Role(stack, 'AppRole', { assumedBy: new iam.AccountRootPrincipal() });
  const data = new EncryptedBucket(stack, 'Data', { sseC: {} });
  const secretKey = new kms.Key(stack, 'SecretKey', { enableKeyRotation: true });
  const secret = new secretsmanager.Secret(stack, 'SseCKey', { encryptionKey: secretKey });
  const jobs = new EncryptedBucket(stack, 'Jobs');
  // "Completion reports are always encrypted with Amazon S3 managed keys (SSE-S3)" (batch-ops-examples-reports)
  const reports = new EncryptedBucket(stack, 'Reports', { encryption: BucketEncryptionMode.SSE_S3 });
  const rotation = new SseCKeyRotation(stack, 'Rotation', {
    bucket: data,
    keySecret: secret,
    sseCRoles: [app_role],
    ...(options.withLocations ? { manifestBucket: jobs.bucket, manifestPrefix: 'manifests/', reportBucket: reports.bucket } : {}),
  });
  return { stack, data, secret, rotation, template: Template.fromStack(stack) };
}

/** Statements of every policy attached to a role (by logical id). */
function statementsOf(template: Template, roleId: string): any[] {
  const attached = (type: string) =>
    Object.values<any>(template.findResources(type))
      .filter((p) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
  return [...attached('AWS::IAM::Policy'), ...attached('AWS::IAM::ManagedPolicy')];
}

describe('SseCKeyRotation', () => {
  const { stack, template, rotation } = build({ withLocations: true });
  const fnRole = stack.getLogicalId(rotation.functionRole.node.defaultChild as iam.CfnRole);
  const batchRole = stack.getLogicalId(rotation.batchOperationsRole.node.defaultChild as iam.CfnRole);

  it('deploys a nodejs24.x arm64 function configured with the secret and no AWS-managed policies', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 900,
      MemorySize: 1024,
      Environment: {
        Variables: {
          SSE_C_SECRET_ID: { Ref: Match.stringLikeRegexp('^SseCKey') },
          SSE_C_KEY_CACHE_TTL_SECONDS: '300',
          REKEY_CONCURRENCY: '4',
        },
      },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^RotationRekeyLogs') } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    for (const role of Object.values<any>(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it("gives the function object actions on this bucket's objects, the secret, and its own logs, nothing else", () => {
    const statements = statementsOf(template, fnRole);
    expect(statements).toHaveLength(4);
    expect(statements).toEqual(
      expect.arrayContaining([
        {
          Sid: 'RekeyObjectsOfThisBucket',
          Effect: 'Allow',
          Action: [
            's3:GetObject',
            's3:GetObjectVersion',
            's3:GetObjectTagging',
            's3:GetObjectVersionTagging',
            's3:PutObject',
            's3:PutObjectTagging',
            's3:PutObjectVersionTagging',
            's3:AbortMultipartUpload',
          ],
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^DataBucket/), 'Arn'] }, '/*']] },
        },
        { Sid: 'ReadKeySecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: expect.stringMatching(/^SseCKey/) } },
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SecretKey/), 'Arn'] },
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
        },
        { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^RotationRekeyLogs/), 'Arn'] } },
      ]),
    );
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    expect(actions).not.toContain('s3:DeleteObject');
    expect(actions).not.toContain('s3:ListBucket');
  });

  it('lets Batch Operations assume its role (AWS\'s documented trust policy), invoke this function only, read the manifest and write the report', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'batchoperations.s3.amazonaws.com' },
          },
        ],
      },
    });
    const statements = statementsOf(template, batchRole);
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    expect(bySid.InvokeTheHandler).toEqual({
      Sid: 'InvokeTheHandler',
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^RotationRekeyFunction/), 'Arn'] },
    });
    // customer-managed policies, no inline ones (compliance packs reject inline policies)
    expect(Object.values<any>(template.findResources('AWS::IAM::Policy'))).toEqual([]);
    expect(bySid.ReadManifest).toMatchObject({
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^JobsBucket/), 'Arn'] }, '/manifests/*']] },
    });
    expect(bySid.WriteReport).toMatchObject({
      Action: 's3:PutObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^ReportsBucket/), 'Arn'] }, '/sse-c-key-rotation-reports/*']] },
    });
    // the manifest bucket is SSE-KMS: decrypt manifests through S3 only; reports are SSE-S3, no key
    const kmsActions = statements.filter((s) => String(s.Action).startsWith('kms:')).map((s) => [s.Action, s.Condition]);
    expect(kmsActions).toEqual([
      ['kms:Decrypt', { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } }],
    ]);
    expect(statements.flatMap((s) => [s.Action].flat())).not.toContain('s3:GetObject*');
  });

  it('refuses a KMS report bucket: Batch Operations always writes completion reports with SSE-S3', () => {
    const stack2 = new Stack(new App(), 'Reports', { env: ENV });
    const kmsReports = new EncryptedBucket(stack2, 'KmsReports');
    expect(() => new SseCKeyRotation(stack2, 'R', {
      bucket: new EncryptedBucket(stack2, 'D', { sseC: {} }), keySecret: new secretsmanager.Secret(stack2, 'S'), reportBucket: kmsReports.bucket,
    })).toThrow(/^Reports\/R: prop 'reportBucket': Reports\/KmsReports is SSE_KMS, but Batch Operations always writes completion reports with SSE-S3.* Fix: write reports to an SSE-S3 bucket/);
  });

  it('names the function role and the extra roles as the only SSE-C custodians in the bucket policy', () => {
    const policy = Object.values<any>(template.findResources('AWS::S3::BucketPolicy')).find((p) =>
      String(p.Properties.Bucket.Ref).startsWith('DataBucket'),
    );
    const denySseC = policy.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'DenySseC');
    expect(denySseC.Condition.ArnNotEquals['aws:PrincipalArn']).toEqual([
      { 'Fn::GetAtt': [fnRole, 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^AppRole/), 'Arn'] },
    ]);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ BlockedEncryptionTypes: { EncryptionType: ['NONE'] } })] },
    });
  });

  it('fails at synth, naming the prop and the fix, for a bucket that blocks SSE-C', () => {
    const stack2 = new Stack(new App(), 'Bad', { env: ENV });
    const blocked = new EncryptedBucket(stack2, 'Blocked');
    const secret = new secretsmanager.Secret(stack2, 'Key');
    let error: unknown;
    try {
      new SseCKeyRotation(stack2, 'Rotation', { bucket: blocked, keySecret: secret });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConstructPropError);
    expect((error as Error).message).toMatch(/^Bad\/Rotation: prop 'bucket': Bad\/Blocked blocks SSE-C .* Fix: create the bucket with the SSE-C opt-in/);
  });

  it('rejects a concurrency outside 1..64', () => {
    const stack2 = new Stack(new App(), 'Bad', { env: ENV });
    const bucket = new EncryptedBucket(stack2, 'Data', { sseC: {} });
    const secret = new secretsmanager.Secret(stack2, 'Key');
    expect(() => new SseCKeyRotation(stack2, 'R', { bucket, keySecret: secret, concurrencyPerInvocation: 0 })).toThrow(/prop 'concurrencyPerInvocation'/);
  });

  it('uses the secret-name wildcard for secrets imported by name, and honours timeout/memory/TTL', () => {
    const stack2 = new Stack(new App(), 'Imported', { env: ENV });
    const bucket = new EncryptedBucket(stack2, 'Data', { sseC: {} });
    const secret = secretsmanager.Secret.fromSecretNameV2(stack2, 'Key', 'app/sse-c-key');
    new SseCKeyRotation(stack2, 'R', { bucket, keySecret: secret, timeout: Duration.minutes(5), memorySize: 512, keyCacheTtl: Duration.seconds(30) });
    const t = Template.fromStack(stack2);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 300,
      MemorySize: 512,
      Environment: { Variables: Match.objectLike({ SSE_C_KEY_CACHE_TTL_SECONDS: '30' }) },
    });
    const read = Object.values<any>(t.findResources('AWS::IAM::ManagedPolicy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .find((s) => s.Sid === 'ReadKeySecret');
    expect(JSON.stringify(read.Resource)).toContain(':secret:app/sse-c-key-??????');
  });

  it('passes VPC placement, reserved concurrency and log encryption through', () => {
    const stack2 = new Stack(new App(), 'Placed', { env: ENV });
    const bucket = new EncryptedBucket(stack2, 'Data', { sseC: {} });
    const vpc = new ec2.Vpc(stack2, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const logKey = new kms.Key(stack2, 'LogKey', { enableKeyRotation: true });
    new SseCKeyRotation(stack2, 'R', {
      bucket,
      keySecret: new secretsmanager.Secret(stack2, 'Key'),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      reservedConcurrentExecutions: 20,
      logEncryptionKey: logKey,
    });
    const t = Template.fromStack(stack2);
    t.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 20,
      VpcConfig: { SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('^VpcisolatedSubnet') }]) },
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LogKey'), 'Arn'] } });
  });

  it('ships the handler bundled at the library\'s build as its asset (no esbuild or Docker at synth), SDK clients external', () => {
    const { stack: bundled } = build();
    const asset = Template.fromStack(bundled).toJSON();
    const code = Object.values<any>(asset.Resources).find((x) => x.Type === 'AWS::Lambda::Function').Properties.Code;
    expect(code.S3Key).toMatch(/\.zip$/);
    const assembly = (bundled.node.root as App).synth();
    const assetDirs = fs.readdirSync(assembly.directory).filter((d) => d.startsWith('asset.') && fs.existsSync(`${assembly.directory}/${d}/index.js`));
    expect(assetDirs).toHaveLength(1);
    const js = fs.readFileSync(`${assembly.directory}/${assetDirs[0]}/index.js`, 'utf8');
    expect(js).toMatch(/require\("@aws-sdk\/client-s3"\)/);
    expect(js).toMatch(/require\("@aws-sdk\/client-secrets-manager"\)/);
    expect(js).not.toMatch(/require\("@aws-sdk\/lib-storage"\)/); // bundled: not guaranteed by the runtime
    expect(js).toContain('SSE_C_SECRET_ID');
  });
});

describe('SseCKeyRotation and the five compliance packs', () => {
  let rotation!: SseCKeyRotation;
  const findings = unacknowledgedFindings((app) => {
    const stack = new Stack(app, 'Packs', { env: ENV });
    const data = new EncryptedBucket(stack, 'Data', { sseC: {} });
    const jobs = new EncryptedBucket(stack, 'Jobs');
    const reports = new EncryptedBucket(stack, 'Reports', { encryption: BucketEncryptionMode.SSE_S3 });
    const secret = new secretsmanager.Secret(stack, 'SseCKey', { encryptionKey: new KmsKeyWithRotation(stack, 'SecretKey') });
    rotation = new SseCKeyRotation(stack, 'Rotation', {
      bucket: data, keySecret: secret, manifestBucket: jobs.bucket, manifestPrefix: 'manifests/', reportBucket: reports.bucket, ...compliantJobOptions(stack),
    });
  });

  it('leaves no unacknowledged finding on any resource of the construct (the runtime is current: no AwsSolutions-L1)', () => {
    expect(findings.filter((f) => f.includes('/Rotation/'))).toEqual([]);
    // what is left belongs to the fixture's own buckets and secret, not to the construct
    expect([...new Set(findings.map((f) => f.split(' ')[1]))].sort()).toEqual(['Packs/Data/Bucket/Resource', 'Packs/Jobs/Bucket/Resource', 'Packs/Reports/Bucket/Resource', 'Packs/SseCKey/Resource']);
  });

  it('acknowledges each wildcard object grant on its one policy, with its reason, and the DLQ rule on the function', () => {
    expect(acknowledgementsUnder(rotation)).toEqual({
      'Packs/Rotation/Rekey/Function/Resource': {
        'HIPAA.Security-LambdaDLQ': expect.stringMatching(/synchronously/),
        'NIST.800.53.R5-LambdaDLQ': expect.stringMatching(/synchronously/),
      },
      'Packs/Rotation/Rekey/FunctionPolicy/Resource': {
        'AwsSolutions-IAM5[Resource::<DataBucketE6B0FAA8.Arn>/*]': expect.stringMatching(/objects of this one bucket the job's manifest lists/),
      },
      'Packs/Rotation/Rekey/BatchOperationsPolicy/Resource': {
        'AwsSolutions-IAM5[Resource::<JobsBucket264FE5C6.Arn>/manifests/*]': expect.stringMatching(/reads the manifest/),
        'AwsSolutions-IAM5[Resource::<ReportsBucket95FE29A2.Arn>/sse-c-key-rotation-reports/*]': expect.stringMatching(/completion report/),
      },
    });
  });
});
