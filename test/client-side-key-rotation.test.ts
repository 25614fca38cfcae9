import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { BucketEncryptionMode, ClientSideKeyRotation, EncryptedBucket, KeyEncryptionKey, KmsKeyWithRotation } from '../lib';
import { ConstructPropError } from '../lib/private/construct-prop-error';
import { compliantJobOptions } from './support/compliant-job-options';
import { evaluate, ResolvedTemplate, rolePrincipalContext, TEST_ENV } from './support/iam-evaluation';
import { acknowledgementsUnder, unacknowledgedFindings } from './support/nag-findings';

type Json = any;  

function newStack() {
  const app = new App();
  return new Stack(app, 'Kek', { env: TEST_ENV });
}

/** Statements of every policy attached to a role. */
function statementsOf(stack: Stack, role: iam.IRole): Json[] {
  const id = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
  const template = Template.fromStack(stack);
  return Object.values<Json>(template.findResources('AWS::IAM::ManagedPolicy'))
    .filter((p) => (p.Properties.Roles ?? []).some((r: Json) => r.Ref === id))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

const bySid = (statements: Json[]) => Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));

describe('ClientSideKeyRotation, KMS to KMS', () => {
  const stack = newStack();
  const data = new EncryptedBucket(stack, 'Data');
  const jobs = new EncryptedBucket(stack, 'Jobs');
  // "Completion reports are always encrypted with Amazon S3 managed keys (SSE-S3)" (batch-ops-examples-reports)
  const reports = new EncryptedBucket(stack, 'Reports', { encryption: BucketEncryptionMode.SSE_S3 });
  const oldKey = new KmsKeyWithRotation(stack, 'OldKek');
  const olderKey = kms.Key.fromKeyArn(stack, 'OlderKek', 'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555');
  const newKey = new KmsKeyWithRotation(stack, 'NewKek');
  const rotation = new ClientSideKeyRotation(stack, 'Rotation', {
    bucket: data.bucket,
    fromKeys: [KeyEncryptionKey.fromKmsKey(oldKey), KeyEncryptionKey.fromKmsKey(olderKey)],
    toKey: KeyEncryptionKey.fromKmsKey(newKey),
    manifestBucket: jobs.bucket,
    manifestPrefix: 'manifests/',
    reportBucket: reports.bucket,
  });
  const template = Template.fromStack(stack);
  const statements = statementsOf(stack, rotation.functionRole);

  it('deploys the handler as a nodejs24.x arm64 function configured with the key ARNs, with its own log group', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 900,
      MemorySize: 512,
      Environment: {
        Variables: {
          CSE_ROTATION_FROM_KMS_KEY_IDS: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^OldKek'), 'Arn'] }, ',arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555']] },
          CSE_ROTATION_TO_KMS_KEY_ID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NewKek'), 'Arn'] },
          ROTATION_CONCURRENCY: '4',
        },
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    for (const role of Object.values<Json>(template.findResources('AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(rotation.invocationSchemaVersion).toBe('2.0');
  });

  it('lets the function re-encrypt from the old keys to the new key (ReEncrypt only, no kms:Decrypt), rewrite objects of this bucket and use its key through S3', () => {
    const sids = bySid(statements);
    expect(Object.keys(sids).sort()).toEqual(['BucketKeyThroughS3', 'ReEncryptFromOldKeys', 'RotateKeysOfObjectsOfThisBucket', 'WrapWithNewKey', 'WriteOwnLogs']);
    expect(sids.ReEncryptFromOldKeys).toEqual({
      Sid: 'ReEncryptFromOldKeys', Effect: 'Allow', Action: 'kms:ReEncryptFrom',
      Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^OldKek/), 'Arn'] }, 'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555'],
    });
    expect(sids.WrapWithNewKey).toMatchObject({ Action: ['kms:ReEncryptFrom', 'kms:ReEncryptTo'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^NewKek/), 'Arn'] } });
    expect(sids.RotateKeysOfObjectsOfThisBucket).toMatchObject({
      Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:GetObjectVersionTagging', 's3:PutObject', 's3:PutObjectTagging', 's3:PutObjectVersionTagging', 's3:AbortMultipartUpload'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^DataBucket/), 'Arn'] }, '/*']] },
    });
    expect(sids.BucketKeyThroughS3).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      // the bucket ARN (objects under a Bucket Key) and object ARNs (objects uploaded without one)
      Condition: {
        StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [
          { 'Fn::GetAtt': [expect.stringMatching(/^DataBucket/), 'Arn'] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^DataBucket/), 'Arn'] }, '/*']] },
        ] },
      },
    });
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    for (const forbidden of ['s3:DeleteObject', 's3:ListBucket', 'kms:Encrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'secretsmanager:GetSecretValue']) expect(actions).not.toContain(forbidden);
    expect(statements.filter((s) => [s.Action].flat().includes('kms:Decrypt')).map((s) => s.Sid)).toEqual(['BucketKeyThroughS3']);
  });

  it('lets Batch Operations invoke this function only, read the manifest and write the report', () => {
    const batch = bySid(statementsOf(stack, rotation.batchOperationsRole));
    expect(batch.InvokeTheHandler).toEqual({ Sid: 'InvokeTheHandler', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^RotationRotateFunction/), 'Arn'] } });
    expect(batch.ReadManifest.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^JobsBucket/), 'Arn'] }, '/manifests/*']] });
    expect(batch.WriteReport.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^ReportsBucket/), 'Arn'] }, '/client-side-key-rotation-reports/*']] });
    template.hasResourceProperties('AWS::IAM::Role', {
      // AWS's documented trust policy, without conditions (test/policy/batch-operations-trust-policy.test.ts)
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'batchoperations.s3.amazonaws.com' } }] },
    });
    expect(Object.values<Json>(template.findResources('AWS::IAM::Policy'))).toEqual([]);
  });

  describe('evaluated by the IAM engine (identity policy + key policies)', () => {
    const t = new ResolvedTemplate(stack);
    const roleId = t.logicalId(rotation.functionRole.node.defaultChild);
    const role = t.arnOf(roleId);
    const identity = t.identityPoliciesOf(roleId);
    const keyId = (k: kms.Key) => t.logicalId(k.node.defaultChild);
    const keys = { old: keyId(oldKey), new: keyId(newKey), bucket: keyId(data.encryptionKey as kms.Key) };
    const decide = async (action: string, resource: string, keyPolicy?: Json, context: Record<string, string> = {}) =>
      (await evaluate({ principal: role, action, resource, context: { ...rolePrincipalContext(role), ...context }, identityPolicies: identity, resourcePolicy: keyPolicy })).decision;
    const dataArn = t.arnOf(t.logicalId(data.bucket.node.defaultChild));

    it.each<[string, 'old' | 'new', string]>([
      ['kms:ReEncryptFrom', 'old', 'Allowed'],
      ['kms:ReEncryptTo', 'new', 'Allowed'],
      ['kms:ReEncryptFrom', 'new', 'Allowed'],
      ['kms:ReEncryptTo', 'old', 'ImplicitlyDenied'],
      ['kms:Decrypt', 'old', 'ImplicitlyDenied'],
      ['kms:Decrypt', 'new', 'ImplicitlyDenied'],
      ['kms:Encrypt', 'new', 'ImplicitlyDenied'],
      ['kms:GenerateDataKey', 'new', 'ImplicitlyDenied'],
      ['kms:CreateGrant', 'old', 'ExplicitlyDenied'], // KmsKeyWithRotation's CT.KMS.PR.3 statement
    ])('%s on the %s key: %s', async (action, which, expected) => {
      expect(await decide(action, t.arnOf(keys[which]), t.keyPolicyOf(keys[which]))).toBe(expected);
    });

    it('S3: rewrites objects of this bucket, deletes nothing, touches no other bucket; the bucket key only through S3', async () => {
      expect(await decide('s3:PutObject', `${dataArn}/a/b.bin`)).toBe('Allowed');
      expect(await decide('s3:GetObjectVersion', `${dataArn}/a/b.bin`)).toBe('Allowed');
      expect(await decide('s3:DeleteObject', `${dataArn}/a/b.bin`)).toBe('ImplicitlyDenied');
      expect(await decide('s3:PutObject', 'arn:aws:s3:::another-bucket/a/b.bin')).toBe('ImplicitlyDenied');
      const bucketKey = t.arnOf(keys.bucket);
      const viaS3 = { 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': dataArn };
      expect(await decide('kms:Decrypt', bucketKey, t.keyPolicyOf(keys.bucket), viaS3)).toBe('Allowed');
      expect(await decide('kms:Decrypt', bucketKey, t.keyPolicyOf(keys.bucket), {})).toBe('ImplicitlyDenied');
    });
  });
});

describe('ClientSideKeyRotation on a plain s3.Bucket with a KMS key', () => {
  // Whether S3 Bucket Keys are on is not known for a bucket that is not an EncryptedBucket: S3 then
  // sends either the bucket ARN or an object ARN as encryption context, and both must work.
  it.each([true, false])('lets the function use the bucket key through S3 for this bucket, Bucket Keys %s', async (bucketKeyEnabled) => {
    const stack = newStack();
    const bucketKey = new kms.Key(stack, 'BucketKey');
    const bucket = new s3.Bucket(stack, 'Plain', { encryption: s3.BucketEncryption.KMS, encryptionKey: bucketKey, bucketKeyEnabled });
    const rotation = new ClientSideKeyRotation(stack, 'Rotation', {
      bucket,
      fromKeys: [KeyEncryptionKey.fromKmsKey(new KmsKeyWithRotation(stack, 'OldKek'))],
      toKey: KeyEncryptionKey.fromKmsKey(new KmsKeyWithRotation(stack, 'NewKek')),
      manifestBucket: bucket,
    });
    const t = new ResolvedTemplate(stack);
    const roleId = t.logicalId(rotation.functionRole.node.defaultChild);
    const role = t.arnOf(roleId);
    const keyLogicalId = t.logicalId(bucketKey.node.defaultChild);
    const keyArn = t.arnOf(keyLogicalId);
    const bucketArn = t.arnOf(t.logicalId(bucket.node.defaultChild));
    const decide = async (context: Record<string, string>) => (await evaluate({
      principal: role, action: 'kms:GenerateDataKey', resource: keyArn,
      context: { ...rolePrincipalContext(role), ...context },
      identityPolicies: t.identityPoliciesOf(roleId),
      resourcePolicy: t.keyPolicyOf(keyLogicalId),
    })).decision;
    const viaS3 = { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' };
    const context = bucketKeyEnabled ? bucketArn : `${bucketArn}/a/b.bin`;
    expect(await decide({ ...viaS3, 'kms:EncryptionContext:aws:s3:arn': context })).toBe('Allowed');
    expect(await decide({ ...viaS3, 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::another-bucket' })).toBe('ImplicitlyDenied');
    expect(await decide({ ...viaS3, 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::another-bucket/a/b.bin' })).toBe('ImplicitlyDenied');
    expect(await decide({ 'kms:EncryptionContext:aws:s3:arn': context })).toBe('ImplicitlyDenied');
  });
});

describe('ClientSideKeyRotation with raw AES keys in Secrets Manager', () => {
  it('secret to secret: stages AWSPREVIOUS → AWSCURRENT, material descriptions, secret read only, no KMS data-key actions', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Plain');
    const secretKey = new kms.Key(stack, 'SecretKey', { enableKeyRotation: true });
    const secret = new secretsmanager.Secret(stack, 'Kek', { encryptionKey: secretKey });
    const rotation = new ClientSideKeyRotation(stack, 'R', {
      bucket,
      fromKeys: [KeyEncryptionKey.fromSecret(secret, { materialDescription: { kek: 'v1' } })],
      toKey: KeyEncryptionKey.fromSecret(secret, { materialDescription: { kek: 'v2' } }),
      concurrencyPerInvocation: 8,
      timeout: Duration.minutes(5),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 300,
      Environment: {
        Variables: {
          CSE_ROTATION_FROM_AES_SECRET_ID: { Ref: Match.stringLikeRegexp('^Kek') },
          CSE_ROTATION_FROM_AES_SECRET_STAGE: 'AWSPREVIOUS',
          CSE_ROTATION_FROM_MATERIAL_DESCRIPTION: '{"kek":"v1"}',
          CSE_ROTATION_TO_AES_SECRET_ID: { Ref: Match.stringLikeRegexp('^Kek') },
          CSE_ROTATION_TO_AES_SECRET_STAGE: 'AWSCURRENT',
          CSE_ROTATION_TO_MATERIAL_DESCRIPTION: '{"kek":"v2"}',
          ROTATION_CONCURRENCY: '8',
        },
      },
    });
    const statements = statementsOf(stack, rotation.functionRole);
    const kmsStatements = statements.filter((s) => String([s.Action].flat()[0]).startsWith('kms:'));
    // only the secret's own key, through Secrets Manager (a plain bucket has no KMS key)
    expect(kmsStatements).toEqual([expect.objectContaining({ Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } } })]);
    expect(statements.filter((s) => s.Action === 'secretsmanager:GetSecretValue')).toEqual([expect.objectContaining({ Sid: 'ReadKeySecret', Resource: { Ref: expect.stringMatching(/^Kek/) } })]);
  });

  it('two different secrets get one read statement each, with distinct statement ids', () => {
    const stack = newStack();
    const [a, b] = [new secretsmanager.Secret(stack, 'A'), new secretsmanager.Secret(stack, 'B')];
    const rotation = new ClientSideKeyRotation(stack, 'R', { bucket: new s3.Bucket(stack, 'Bk'), fromKeys: [KeyEncryptionKey.fromSecret(a, { stage: 'AWSCURRENT' })], toKey: KeyEncryptionKey.fromSecret(b) });
    const reads = statementsOf(stack, rotation.functionRole).filter((s) => s.Action === 'secretsmanager:GetSecretValue');
    expect(reads.map((s) => [s.Sid, s.Resource.Ref.slice(0, 1)])).toEqual([['ReadKeySecret', 'A'], ['ReadKeySecret2', 'B']]);
  });

  it('secret to KMS adds kms:Encrypt on the new key; KMS to secret needs kms:Decrypt on the old key', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Plain');
    const secret = new secretsmanager.Secret(stack, 'Kek');
    const key = new KmsKeyWithRotation(stack, 'Key');
    const toKms = new ClientSideKeyRotation(stack, 'ToKms', { bucket, fromKeys: [KeyEncryptionKey.fromSecret(secret, { stage: 'AWSCURRENT' })], toKey: KeyEncryptionKey.fromKmsKey(key) });
    const toSecret = new ClientSideKeyRotation(stack, 'ToSecret', { bucket, fromKeys: [KeyEncryptionKey.fromKmsKey(key)], toKey: KeyEncryptionKey.fromSecret(secret) });
    expect(bySid(statementsOf(stack, toKms.functionRole)).WrapWithNewKey.Action).toEqual(['kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:Encrypt']);
    const back = bySid(statementsOf(stack, toSecret.functionRole));
    expect(back.UnwrapWithOldKeys.Action).toBe('kms:Decrypt');
    expect(back.WrapWithNewKey).toBeUndefined();
  });
});

describe('validation at synth', () => {
  const build = (props: (stack: Stack) => Partial<ConstructorParameters<typeof ClientSideKeyRotation>[2]>) => {
    const stack = newStack();
    const key = new kms.Key(stack, 'K', { enableKeyRotation: true });
    try {
      new ClientSideKeyRotation(stack, 'R', { bucket: new s3.Bucket(stack, 'B'), fromKeys: [KeyEncryptionKey.fromKmsKey(new kms.Key(stack, 'Old', { enableKeyRotation: true }))], toKey: KeyEncryptionKey.fromKmsKey(key), ...props(stack) });
      return undefined;
    } catch (e) {
      return e as Error;
    }
  };

  it.each<[string, (stack: Stack) => object, RegExp]>([
    ['no old keys', () => ({ fromKeys: [] }), /prop 'fromKeys': is empty/],
    ['two secrets', (s) => ({ fromKeys: [KeyEncryptionKey.fromSecret(new secretsmanager.Secret(s, 'S1')), KeyEncryptionKey.fromSecret(new secretsmanager.Secret(s, 'S2'))] }), /prop 'fromKeys': names more than one secret/],
    ['the new key among the old ones', (s) => {
      const k = new kms.Key(s, 'Same', { enableKeyRotation: true });
      return { fromKeys: [KeyEncryptionKey.fromKmsKey(k)], toKey: KeyEncryptionKey.fromKmsKey(k) };
    }, /prop 'toKey': is also one of fromKeys/],
    ['the same secret version twice', (s) => {
      const secret = new secretsmanager.Secret(s, 'S');
      return { fromKeys: [KeyEncryptionKey.fromSecret(secret, { stage: 'AWSCURRENT' })], toKey: KeyEncryptionKey.fromSecret(secret) };
    }, /prop 'toKey': is also one of fromKeys/],
    ['concurrency 0', () => ({ concurrencyPerInvocation: 0 }), /prop 'concurrencyPerInvocation': must be an integer from 1 to 64/],
  ])('%s fails, naming the construct path, the prop and the fix', (_label, props, message) => {
    const error = build(props);
    expect(error).toBeInstanceOf(ConstructPropError);
    expect(error!.message).toMatch(/^Kek\/R: /);
    expect(error!.message).toMatch(message);
    expect(error!.message).toMatch(/Fix: /);
  });
});

it('ships the handler bundled at the library\'s build as its asset (no esbuild or Docker at synth), SDK clients external', () => {
  const stack = newStack();
  const rotation = new ClientSideKeyRotation(stack, 'R', {
    bucket: new s3.Bucket(stack, 'B'),
    fromKeys: [KeyEncryptionKey.fromKmsKey(new kms.Key(stack, 'Old', { enableKeyRotation: true }))],
    toKey: KeyEncryptionKey.fromKmsKey(new kms.Key(stack, 'New', { enableKeyRotation: true })),
  });
  expect(rotation.function).toBeInstanceOf(lambda.Function);
  const assembly = (stack.node.root as App).synth();
  const dirs = readdirSync(assembly.directory).filter((d) => d.startsWith('asset.') && existsSync(`${assembly.directory}/${d}/index.js`));
  expect(dirs).toHaveLength(1);
  const js = readFileSync(`${assembly.directory}/${dirs[0]}/index.js`, 'utf8');
  expect(js).toMatch(/require\("@aws-sdk\/client-s3"\)/);
  expect(js).toMatch(/require\("@aws-sdk\/client-kms"\)/);
  expect(js).toContain('CSE_ROTATION_TO_KMS_KEY_ID');
  expect(js).toContain('ReEncryptCommand');
});

describe('ClientSideKeyRotation and the five compliance packs', () => {
  let rotation!: ClientSideKeyRotation;
  const findings = unacknowledgedFindings((app) => {
    const stack = new Stack(app, 'Packs', { env: TEST_ENV });
    const data = new EncryptedBucket(stack, 'Data');
    const jobs = new EncryptedBucket(stack, 'Jobs');
    const reports = new EncryptedBucket(stack, 'Reports', { encryption: BucketEncryptionMode.SSE_S3 });
    rotation = new ClientSideKeyRotation(stack, 'Rotation', {
      bucket: data.bucket,
      fromKeys: [KeyEncryptionKey.fromKmsKey(new KmsKeyWithRotation(stack, 'OldKek'))],
      toKey: KeyEncryptionKey.fromKmsKey(new KmsKeyWithRotation(stack, 'NewKek')),
      manifestBucket: jobs.bucket,
      reportBucket: reports.bucket,
      ...compliantJobOptions(stack),
    });
  });

  it('leaves no unacknowledged finding on any resource of the construct (the runtime is current: no AwsSolutions-L1)', () => {
    expect(findings.filter((f) => f.includes('/Rotation/'))).toEqual([]);
    expect([...new Set(findings.map((f) => f.split(' ')[1]))].sort()).toEqual(['Packs/Data/Bucket/Resource', 'Packs/Jobs/Bucket/Resource', 'Packs/Reports/Bucket/Resource']);
  });

  it('acknowledges each wildcard object grant on its one policy, with its reason, and the DLQ rule on the function', () => {
    expect(acknowledgementsUnder(rotation)).toEqual({
      'Packs/Rotation/Rotate/Function/Resource': {
        'HIPAA.Security-LambdaDLQ': expect.stringMatching(/synchronously/),
        'NIST.800.53.R5-LambdaDLQ': expect.stringMatching(/synchronously/),
      },
      'Packs/Rotation/Rotate/FunctionPolicy/Resource': {
        'AwsSolutions-IAM5[Resource::<DataBucketE6B0FAA8.Arn>/*]': expect.stringMatching(/objects of this one bucket the job's manifest lists/),
      },
      'Packs/Rotation/Rotate/BatchOperationsPolicy/Resource': {
        'AwsSolutions-IAM5[Resource::<JobsBucket264FE5C6.Arn>/*]': expect.stringMatching(/reads the manifest/),
        'AwsSolutions-IAM5[Resource::<ReportsBucket95FE29A2.Arn>/client-side-key-rotation-reports/*]': expect.stringMatching(/completion report/),
      },
    });
  });
});
