import { App, Aws, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, rules } from 'cdk-nag';
import { type IConstruct } from 'constructs';
import { buildGoldenPathApp } from '../bin/golden-path-app';
import {
  BucketEncryptionMode, EncryptedBucket, EncryptedBucketProfile, KmsKeyWithRotation, KmsReplicaKey, type ReplicaBucketAttributes, ReplicatedEncryptedBucket, ReplicaTarget, ReplicationDestination,
} from '../lib';
import { ConstructPropError } from '../lib/private/construct-prop-error';

/**
 * ReplicatedEncryptedBucket, ReplicationDestination and KmsReplicaKey: what they render for
 * same-Region, cross-Region (two stacks with explicit environments), cross-account and
 * multi-Region-key setups, and every validation error with its path, prop and fix.
 */
const SOURCE_ACCOUNT = '111111111111';
const DEST_ACCOUNT = '222222222222';
const PRIMARY = { account: SOURCE_ACCOUNT, region: 'us-east-1' };
const REPLICA = { account: SOURCE_ACCOUNT, region: 'eu-west-1' };
const ROLE_NAME = 'data-replication';
const REPLICA_BUCKET = `data-replica-${SOURCE_ACCOUNT}-eu-west-1`;

type Json = any;  

function newStack(env: { account?: string; region?: string } = PRIMARY, app = new App()) {
  return new Stack(app, 'Primary', { env });
}

function resourcesOfType(template: Template, type: string): Json[] {
  return Object.values<Json>(template.findResources(type));
}

function allowStatements(template: Template, type: 'AWS::S3::BucketPolicy'): Json[] {
  return resourcesOfType(template, type).flatMap((r) => r.Properties.PolicyDocument.Statement.filter((s: Json) => s.Effect === 'Allow'));
}

/** Fails when the template has a circular dependency (Ref, Fn::GetAtt, Fn::Sub, DependsOn). */
function expectNoCircularDependencies(template: Json): void {
  const ids = Object.keys(template.Resources);
  const deps = new Map<string, Set<string>>(ids.map((id) => [id, new Set<string>()]));
  const collect = (from: string, v: Json): void => {
    if (Array.isArray(v)) { v.forEach((x) => collect(from, x)); return; }
    if (!v || typeof v !== 'object') return;
    if (typeof v.Ref === 'string' && deps.has(v.Ref)) deps.get(from)!.add(v.Ref);
    if (Array.isArray(v['Fn::GetAtt']) && deps.has(v['Fn::GetAtt'][0])) deps.get(from)!.add(v['Fn::GetAtt'][0]);
    if (v['Fn::Sub'] !== undefined) {
      const text = Array.isArray(v['Fn::Sub']) ? v['Fn::Sub'][0] : v['Fn::Sub'];
      for (const [, name] of String(text).matchAll(/\$\{([^}.!]+)/g)) if (deps.has(name)) deps.get(from)!.add(name);
    }
    Object.values(v).forEach((x) => collect(from, x));
  };
  for (const id of ids) {
    const r = template.Resources[id];
    collect(id, r.Properties);
    for (const d of [r.DependsOn ?? []].flat()) deps.get(id)!.add(d);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw new Error(`circular dependency: ${[...trail, id].join(' -> ')}`);
    state.set(id, 'visiting');
    deps.get(id)!.forEach((d) => visit(d, [...trail, id]));
    state.set(id, 'done');
  };
  ids.forEach((id) => visit(id, []));
}

/** Violations of the IAM rules of the packs that have them, on everything under `scope`. */
function iamFindings(scope: IConstruct): string[] {
  const packs = [new AwsSolutionsChecks(), new HIPAASecurityChecks(), new NIST80053R5Checks(), new PCIDSS321Checks()];
  return packs.flatMap((p) => p.validateScope(scope).violations)
    .filter((v) => /IAM/.test(v.ruleName))
    .map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath).join(',')}`);
}

/** The cross-Region pair: the replica stack (eu-west-1) deploys first; the primary (us-east-1) names it by plain values. */
function crossRegionPair(destinationProps: Partial<ConstructorParameters<typeof ReplicationDestination>[2]> = {}) {
  const app = new App();
  const replicaStack = new Stack(app, 'Replica', { env: REPLICA });
  const destination = new ReplicationDestination(replicaStack, 'DataReplica', {
    bucketName: REPLICA_BUCKET,
    source: { account: SOURCE_ACCOUNT, replicationRoleName: ROLE_NAME },
    ...destinationProps,
  });
  const primaryStack = new Stack(app, 'Primary', { env: PRIMARY });
  const replicated = new ReplicatedEncryptedBucket(primaryStack, 'Data', {
    rules: [{ destination: ReplicaTarget.fromAttributes(destination.replicaTargetAttributes()) }],
  });
  primaryStack.addStackDependency(replicaStack);
  return { app, replicaStack, primaryStack, destination, replicated };
}

describe('same Region, destination created in the same stack', () => {
  const stack = newStack();
  const replicated = new ReplicatedEncryptedBucket(stack, 'Data', {
    rules: [{ destination: ReplicaTarget.newEncryptedBucket() }],
  });
  const template = Template.fromStack(stack);
  const json = template.toJSON();

  test('snapshot', () => {
    expect(json).toMatchSnapshot();
  });

  test('a role only S3 can assume, with one customer-managed policy and no inline policy', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' } }] },
    });
    expect(resourcesOfType(template, 'AWS::IAM::Role')[0].Properties.Policies).toBeUndefined();
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { Roles: [{ Ref: Match.stringLikeRegexp('^DataRole') }] });
  });

  test('SseKmsEncryptedObjects and ReplicaKmsKeyID together, the replica key being the destination key', () => {
    const source = resourcesOfType(template, 'AWS::S3::Bucket').find((b) => b.Properties.ReplicationConfiguration);
    expect(source.Properties.ReplicationConfiguration).toEqual({
      Role: { 'Fn::GetAtt': [expect.stringMatching(/^DataRole/), 'Arn'] },
      Rules: [{
        Id: 'Replication1',
        Status: 'Enabled',
        Priority: 0,
        Filter: { Prefix: '' },
        DeleteMarkerReplication: { Status: 'Disabled' },
        SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
        Destination: {
          Bucket: { 'Fn::GetAtt': [expect.stringMatching(/^DataReplica1Bucket/), 'Arn'] },
          EncryptionConfiguration: { ReplicaKmsKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^DataReplica1Key/), 'Arn'] } },
        },
      }],
    });
    expect(replicated.replicaBuckets).toHaveLength(1);
  });

  test('object grants live in the bucket policies, naming exactly the role', () => {
    const role = { 'Fn::GetAtt': [expect.stringMatching(/^DataRole/), 'Arn'] };
    expect(allowStatements(template, 'AWS::S3::BucketPolicy')).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Sid: 'ReplicationReadSourceObjects1', Principal: { AWS: role },
        Action: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^DataSourceBucket/), 'Arn'] }, '/*']] },
      }),
      expect.objectContaining({
        Principal: { AWS: role },
        Action: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^DataReplica1Bucket/), 'Arn'] }, '/*']] },
      }),
    ]));
  });

  test('the managed policy: source bucket, source key via S3 in the Region, replica key via S3, no wildcard', () => {
    const doc = resourcesOfType(template, 'AWS::IAM::ManagedPolicy')[0].Properties.PolicyDocument;
    expect(doc.Statement).toEqual([
      { Sid: 'ReplicationReadSourceBucket', Effect: 'Allow', Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DataSourceBucket/), 'Arn'] } },
      {
        Sid: 'ReplicationDecryptSourceObjects1', Effect: 'Allow', Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DataSourceKey/), 'Arn'] },
        // SSE-KMS: each object is under a Bucket Key (bucket ARN) or not (its object ARN), chosen per upload
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [
            { 'Fn::GetAtt': [expect.stringMatching(/^DataSourceBucket/), 'Arn'] },
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^DataSourceBucket/), 'Arn'] }, '/*']] },
          ] },
        },
      },
      {
        Sid: 'ReplicationEncryptReplicas1', Effect: 'Allow', Action: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DataReplica1Key/), 'Arn'] },
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [
            { 'Fn::GetAtt': [expect.stringMatching(/^DataReplica1Bucket/), 'Arn'] },
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^DataReplica1Bucket/), 'Arn'] }, '/*']] },
          ] },
        },
      },
    ]);
    const cfn = replicated.replicationPolicy.node.defaultChild as iam.CfnManagedPolicy;
    expect(rules.iam.IAMNoWildcardPermissions(cfn)).toBe('Compliant');
  });

  test('no IAM finding in any pack, without acknowledgements', () => {
    expect(iamFindings(stack)).toEqual([]);
    const acknowledged = stack.node.findAll().flatMap((c) => c.node.metadata).filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
    expect(acknowledged).toEqual([]);
  });

  test('no circular dependency', () => {
    expectNoCircularDependencies(json);
  });
});

describe('same Region: options', () => {
  const stack = newStack();
  const destination = new EncryptedBucket(stack, 'Replica', { objectLockEnabled: true, bucketKeyEnabled: false });
  const replicated = new ReplicatedEncryptedBucket(stack, 'Data', {
    objectLockEnabled: true,
    bucketKeyEnabled: false,
    rules: [{
      destination: ReplicaTarget.encryptedBucket(destination),
      id: 'logs-to-replica',
      prefix: 'logs/',
      deleteMarkerReplication: true,
      replicaModifications: true,
      replicationTimeControl: true,
      storageClass: s3.StorageClass.INFREQUENT_ACCESS,
    }],
  });
  const template = Template.fromStack(stack);

  test('renders delete markers, modification sync, RTC with metrics, storage class and the prefix', () => {
    const source = resourcesOfType(template, 'AWS::S3::Bucket').find((b) => b.Properties.ReplicationConfiguration);
    expect(source.Properties.ReplicationConfiguration.Rules).toEqual([{
      Id: 'logs-to-replica',
      Status: 'Enabled',
      Priority: 0,
      Filter: { Prefix: 'logs/' },
      DeleteMarkerReplication: { Status: 'Enabled' },
      SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' }, ReplicaModifications: { Status: 'Enabled' } },
      Destination: {
        Bucket: { 'Fn::GetAtt': [expect.stringMatching(/^ReplicaBucket/), 'Arn'] },
        EncryptionConfiguration: { ReplicaKmsKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^ReplicaKey/), 'Arn'] } },
        StorageClass: 'STANDARD_IA',
        ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } },
        Metrics: { Status: 'Enabled', EventThreshold: { Minutes: 15 } },
      },
    }]);
  });

  test('Object Lock metadata is readable, and every grant is confined to the prefix', () => {
    const readSource = allowStatements(template, 'AWS::S3::BucketPolicy').find((s) => s.Sid === 'ReplicationReadSourceObjects1');
    expect(readSource.Action).toEqual(['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging', 's3:GetObjectRetention', 's3:GetObjectLegalHold']);
    expect(readSource.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^DataSourceBucket/), 'Arn'] }, '/logs/*']] });
    const write = allowStatements(template, 'AWS::S3::BucketPolicy').find((s) => s.Action?.includes?.('s3:ReplicateObject'));
    expect(write.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^ReplicaBucket/), 'Arn'] }, '/logs/*']] });
  });

  test('Bucket Keys off by default: KMS contexts are object ARNs under the prefix, or the bucket ARN (an upload may still ask for a Bucket Key)', () => {
    const doc = resourcesOfType(template, 'AWS::IAM::ManagedPolicy')[0].Properties.PolicyDocument;
    const decrypt = doc.Statement.find((s: Json) => s.Sid === 'ReplicationDecryptSourceObjects1');
    expect(decrypt.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [
        { 'Fn::GetAtt': [expect.stringMatching(/^DataSourceBucket/), 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^DataSourceBucket/), 'Arn'] }, '/logs/*']] },
      ] },
    });
    const encrypt = doc.Statement.find((s: Json) => s.Sid === 'ReplicationEncryptReplicas1');
    // kms:Decrypt too: S3 checks a Bucket Key by decrypting it
    expect(encrypt.Action).toEqual(['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt']);
    expect(encrypt.Condition.StringLike['kms:EncryptionContext:aws:s3:arn']).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^ReplicaBucket/), 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^ReplicaBucket/), 'Arn'] }, '/logs/*']] },
    ]);
  });

  test('DSSE-KMS (no Bucket Keys): object ARNs only, and no kms:Decrypt on the replica key', () => {
    const dsseStack = newStack();
    const dsseReplica = new EncryptedBucket(dsseStack, 'Replica', { encryption: BucketEncryptionMode.DSSE_KMS });
    new ReplicatedEncryptedBucket(dsseStack, 'Data', { encryption: BucketEncryptionMode.DSSE_KMS, rules: [{ destination: ReplicaTarget.encryptedBucket(dsseReplica), prefix: 'logs/' }] });
    const doc = resourcesOfType(Template.fromStack(dsseStack), 'AWS::IAM::ManagedPolicy')[0].Properties.PolicyDocument;
    const decrypt = doc.Statement.find((s: Json) => s.Sid === 'ReplicationDecryptSourceObjects1');
    expect(decrypt.Condition.StringLike['kms:EncryptionContext:aws:s3:arn']).toEqual(
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^DataSourceBucket/), 'Arn'] }, '/logs/*']] });
    const encrypt = doc.Statement.find((s: Json) => s.Sid === 'ReplicationEncryptReplicas1');
    expect(encrypt.Action).toEqual(['kms:Encrypt', 'kms:GenerateDataKey']);
    expect(encrypt.Condition.StringLike['kms:EncryptionContext:aws:s3:arn']).toEqual(
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^ReplicaBucket/), 'Arn'] }, '/logs/*']] });
  });

  test('an existing destination is used, not re-created', () => {
    expect(replicated.replicaBuckets).toEqual([]);
    template.resourceCountIs('AWS::S3::Bucket', 2);
  });
});

describe('multiple rules', () => {
  test('each rule renders its filter; a single tag without prefix is a TagFilter', () => {
    const stack = newStack();
    const a = new EncryptedBucket(stack, 'A');
    const b = new EncryptedBucket(stack, 'B');
    new ReplicatedEncryptedBucket(stack, 'Data', {
      rules: [
        { destination: ReplicaTarget.encryptedBucket(a), priority: 1, tagFilters: { class: 'gold' } },
        { destination: ReplicaTarget.encryptedBucket(b), priority: 2, prefix: 'x/', tagFilters: { class: 'gold', team: 't' } },
      ],
    });
    const source = resourcesOfType(Template.fromStack(stack), 'AWS::S3::Bucket').find((r) => r.Properties.ReplicationConfiguration);
    expect(source.Properties.ReplicationConfiguration.Rules.map((r: Json) => [r.Id, r.Priority, r.Filter])).toEqual([
      ['Replication1', 1, { TagFilter: { Key: 'class', Value: 'gold' } }],
      ['Replication2', 2, { And: { Prefix: 'x/', TagFilters: [{ Key: 'class', Value: 'gold' }, { Key: 'team', Value: 't' }] } }],
    ]);
  });
});

describe('existing source bucket', () => {
  test('replicates an EncryptedBucket in place (same logical id), adding only the replication configuration', () => {
    const stack = newStack();
    const data = new EncryptedBucket(stack, 'Data');
    const before = (stack.resolve((data.bucket.node.defaultChild as s3.CfnBucket).logicalId));
    new ReplicatedEncryptedBucket(stack, 'DataReplication', { source: data, rules: [{ destination: ReplicaTarget.newEncryptedBucket() }] });
    const template = Template.fromStack(stack).toJSON();
    expect(template.Resources[before].Properties.ReplicationConfiguration.Rules).toHaveLength(1);
  });
});

describe('cross-Region: two stacks with explicit environments', () => {
  const { app, replicaStack, primaryStack, destination, replicated } = crossRegionPair({
    replicaKeyAlias: 'data/replica',
  });
  const replicaTemplate = Template.fromStack(replicaStack);
  const primaryTemplate = Template.fromStack(primaryStack);

  test('snapshots', () => {
    expect(replicaTemplate.toJSON()).toMatchSnapshot();
    expect(primaryTemplate.toJSON()).toMatchSnapshot();
  });

  test('the stacks share plain names only: no export, no import, no cross-Region reference', () => {
    const assembly = app.synth();
    for (const s of assembly.stacks) {
      expect(JSON.stringify(s.template)).not.toMatch(/Fn::ImportValue|Export|\/cdk\/exports\//);
    }
    const stackDependencies = (name: string) => assembly.getStackByName(name).dependencies.map((d) => d.id).filter((id) => !id.endsWith('.assets'));
    expect(stackDependencies('Primary')).toEqual(['Replica']);
    expect(stackDependencies('Replica')).toEqual([]);
  });

  test('the primary names the replica bucket by name and its key by alias ARN, with the role name the replica grants', () => {
    primaryTemplate.hasResourceProperties('AWS::IAM::Role', { RoleName: ROLE_NAME });
    const source = resourcesOfType(primaryTemplate, 'AWS::S3::Bucket').find((r) => r.Properties.ReplicationConfiguration);
    expect(source.Properties.ReplicationConfiguration.Rules[0].Destination).toEqual({
      Bucket: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${REPLICA_BUCKET}`]] },
      EncryptionConfiguration: { ReplicaKmsKeyID: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:kms:eu-west-1:${SOURCE_ACCOUNT}:alias/data/replica`]] } },
    });
  });

  test('the replica: versioned KMS bucket with the alias, and a key policy granting exactly the role via S3 in eu-west-1', () => {
    replicaTemplate.hasResourceProperties('AWS::S3::Bucket', { BucketName: REPLICA_BUCKET, VersioningConfiguration: { Status: 'Enabled' } });
    replicaTemplate.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/data/replica' });
    const key = resourcesOfType(replicaTemplate, 'AWS::KMS::Key')[0];
    expect(key.Properties.KeyPolicy.Statement).toEqual(expect.arrayContaining([
      expect.objectContaining({ Sid: 'DenyCreateGrantUnlessForAwsResource', Effect: 'Deny' }),
      {
        Sid: 'AllowReplicationRoleToEncryptReplicasFromSource', Effect: 'Allow', Principal: { AWS: '*' }, Resource: '*',
        Action: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${REPLICA_BUCKET}`]] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${REPLICA_BUCKET}/*`]] },
          ] },
          ArnEquals: { 'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${SOURCE_ACCOUNT}:role/${ROLE_NAME}`]] } },
        },
      },
    ]));
    // Same account: the role's own policy grants the replica objects; the bucket policy adds no Allow.
    expect(allowStatements(replicaTemplate, 'AWS::S3::BucketPolicy')).toEqual([]);
    expect(destination.replicaTargetAttributes()).toEqual({
      bucketName: REPLICA_BUCKET, account: SOURCE_ACCOUNT, region: 'eu-west-1', replicaKeyAlias: 'alias/data/replica',
      bucketKeyEnabled: true, versioned: true, objectLockEnabled: false, sseCBlocked: true, replicationRoleName: ROLE_NAME,
      encryption: BucketEncryptionMode.SSE_KMS, acceptsSseS3Replicas: false,
    });
  });

  test('the replica object grant is in the role policy and acknowledged for IAM5 on exactly that finding', () => {
    const cfn = replicated.replicationPolicy.node.defaultChild as iam.CfnManagedPolicy;
    const findings = rules.iam.IAMNoWildcardPermissions(cfn);
    expect(findings).toEqual([`Resource::arn:<AWS::Partition>:s3:::${REPLICA_BUCKET}/*`]);
    const acknowledged = cfn.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((m) => Object.keys(m.data));
    expect(acknowledged.map((id) => id.replace(/^annotation::/i, ''))).toEqual([`AwsSolutions-IAM5[${(findings as string[])[0]}]`]);
    expect(iamFindings(primaryStack)).toEqual([]);
    expect(iamFindings(replicaStack)).toEqual([]);
  });

  test('no circular dependency in either stack', () => {
    expectNoCircularDependencies(replicaTemplate.toJSON());
    expectNoCircularDependencies(primaryTemplate.toJSON());
  });
});

describe('cross-account', () => {
  const app = new App();
  const destStack = new Stack(app, 'Destination', { env: { account: DEST_ACCOUNT, region: 'eu-west-1' } });
  const destination = new ReplicationDestination(destStack, 'DataReplica', {
    bucketName: 'data-replica-222222222222-eu-west-1',
    source: { account: SOURCE_ACCOUNT, replicationRoleName: ROLE_NAME },
  });
  // Across accounts the key ARN comes from the destination stack's ReplicaKeyArn output.
  const replicaKeyArn = `arn:aws:kms:eu-west-1:${DEST_ACCOUNT}:key/0b7bb3ea-0d1e-4c5a-9f0e-1d2c3b4a5f60`;
  const sourceStack = new Stack(app, 'Source', { env: PRIMARY });
  new ReplicatedEncryptedBucket(sourceStack, 'Data', {
    rules: [{ destination: ReplicaTarget.fromAttributes({ ...destination.replicaTargetAttributes(), replicaKeyArn }), ownershipOverride: true }],
  });
  const destTemplate = Template.fromStack(destStack);
  const sourceTemplate = Template.fromStack(sourceStack);

  test('snapshots', () => {
    expect(destTemplate.toJSON()).toMatchSnapshot();
    expect(sourceTemplate.toJSON()).toMatchSnapshot();
  });

  test('the destination bucket policy lets exactly the source role replicate and take ownership (no List*, no PutBucketVersioning)', () => {
    const principal = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${SOURCE_ACCOUNT}:root`]] } };
    const condition = { ArnEquals: { 'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${SOURCE_ACCOUNT}:role/${ROLE_NAME}`]] } } };
    expect(allowStatements(destTemplate, 'AWS::S3::BucketPolicy')).toEqual([
      expect.objectContaining({
        Sid: 'ReplicationWriteReplicasFromSource', Principal: principal, Condition: condition,
        Action: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags', 's3:ObjectOwnerOverrideToBucketOwner'],
      }),
      expect.objectContaining({ Sid: 'ReplicationCheckDestinationVersioningFromSource', Principal: principal, Condition: condition, Action: 's3:GetBucketVersioning' }),
    ]);
    destTemplate.hasOutput('*', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('ReplicaKey'), 'Arn'] } });
  });

  test('the source rule hands ownership to the destination account and names the key by ARN; the role may use it', () => {
    const source = resourcesOfType(sourceTemplate, 'AWS::S3::Bucket').find((r) => r.Properties.ReplicationConfiguration);
    expect(source.Properties.ReplicationConfiguration.Rules[0].Destination).toEqual(expect.objectContaining({
      Account: DEST_ACCOUNT,
      AccessControlTranslation: { Owner: 'Destination' },
      EncryptionConfiguration: { ReplicaKmsKeyID: replicaKeyArn },
    }));
    const doc = resourcesOfType(sourceTemplate, 'AWS::IAM::ManagedPolicy')[0].Properties.PolicyDocument;
    expect(doc.Statement.find((s: Json) => s.Sid === 'ReplicationEncryptReplicas1').Resource).toBe(replicaKeyArn);
    expect(doc.Statement.find((s: Json) => s.Sid === 'ReplicationWriteReplicas1').Action).toContain('s3:ObjectOwnerOverrideToBucketOwner');
  });

  test('no IAM finding left unacknowledged', () => {
    expect(iamFindings(sourceStack)).toEqual([]);
    expect(iamFindings(destStack)).toEqual([]);
  });
});

describe('multi-Region keys', () => {
  const app = new App();
  const keyStack = new Stack(app, 'Keys', { env: PRIMARY });
  const primaryKey = new KmsKeyWithRotation(keyStack, 'DataKey', { multiRegion: true });
  const replicaStack = new Stack(app, 'Replica', { env: REPLICA });
  // The primary key's ARN reaches the replica stack as a plain value (its output, or context).
  const primaryKeyArn = `arn:aws:kms:us-east-1:${SOURCE_ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab`;
  const replicaKey = new KmsReplicaKey(replicaStack, 'DataReplicaKey', { primaryKeyArn });
  const destination = new ReplicationDestination(replicaStack, 'DataReplica', {
    bucketName: REPLICA_BUCKET, encryptionKey: replicaKey, source: { account: SOURCE_ACCOUNT, replicationRoleName: ROLE_NAME },
  });
  const sourceStack = new Stack(app, 'Primary', { env: PRIMARY });
  new ReplicatedEncryptedBucket(sourceStack, 'Data', {
    encryptionKey: primaryKey,
    rules: [{
      destination: ReplicaTarget.fromAttributes({
        ...destination.replicaTargetAttributes(),
        replicaKeyArn: KmsReplicaKey.replicaArnOf(primaryKey, REPLICA.region),
      }),
    }],
  });

  test('the replica key: AWS::KMS::ReplicaKey with the same key-policy rules as KmsKeyWithRotation, retained', () => {
    const template = Template.fromStack(replicaStack);
    template.hasResource('AWS::KMS::ReplicaKey', {
      Properties: {
        PrimaryKeyArn: primaryKeyArn,
        PendingWindowInDays: 30,
        Enabled: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            { Sid: 'AllowAccountAdministration', Effect: 'Allow', Action: 'kms:*', Resource: '*', Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${SOURCE_ACCOUNT}:root`]] } } },
            Match.objectLike({ Sid: 'DenyCreateGrantUnlessForAwsResource', Effect: 'Deny', Action: 'kms:CreateGrant' }),
            Match.objectLike({ Sid: 'AllowReplicationRoleToEncryptReplicasFromSource' }),
          ]),
        },
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('DataReplicaKey'), 'Arn'] } } })] },
    });
    template.hasResourceProperties('AWS::KMS::Alias', { TargetKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('DataReplicaKey'), 'Arn'] } });
    expectNoCircularDependencies(template.toJSON());
  });

  test('the source derives the replica ARN from the primary key id: its policy names the exact replica key', () => {
    Template.fromStack(keyStack).hasResourceProperties('AWS::KMS::Key', { MultiRegion: true, EnableKeyRotation: true });
    const doc = resourcesOfType(Template.fromStack(sourceStack), 'AWS::IAM::ManagedPolicy')[0].Properties.PolicyDocument;
    const encrypt = doc.Statement.find((s: Json) => s.Sid === 'ReplicationEncryptReplicas1');
    expect(JSON.stringify(encrypt.Resource)).toMatch(/:kms:eu-west-1:.*:key\/.*ExportsOutputRefDataKey/);
  });

  test('replicaArnOf keeps a literal ARN literal, in the other Region', () => {
    const stack = newStack();
    const imported = kms.Key.fromKeyArn(stack, 'K', primaryKeyArn);
    expect(KmsReplicaKey.replicaArnOf(imported, 'eu-west-1')).toBe(`arn:aws:kms:eu-west-1:${SOURCE_ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab`);
  });

  test('the replica key can only be used as a symmetric encryption key', () => {
    const stack = newStack(REPLICA);
    const key = new KmsReplicaKey(stack, 'Key', { primaryKeyArn });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    key.grantDecrypt(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } }] },
    });
    expect(() => key.grantSign(role)).toThrow(/Key: grantSign\(\) is not supported: a symmetric S3 encryption key cannot sign\. Fix: /);
    expect(() => key.grantGenerateMac(role)).toThrow(/grantGenerateMac\(\) is not supported: .*cannot generate MACs/);
  });
});

describe('golden path: the replication regress is acknowledged exactly where it applies', () => {
  test('S3BucketReplicationEnabled only on the replica, the log buckets, the published site and the audit trail\'s bucket; IAM5 only on the replica object grant and CloudTrail\'s log-stream grant', () => {
    const app = new App({ context: { 'golden-path:account': SOURCE_ACCOUNT, 'golden-path:primary-region': 'us-east-1', 'golden-path:replica-region': 'eu-west-1' } });
    const { primary, replica } = buildGoldenPathApp(app);
    const acknowledged = (rule: RegExp) => app.node.findAll()
      .filter((c) => c.node.metadata.some((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        && Object.keys(m.data).some((k) => rule.test(k.replace(/^annotation::/i, '')))))
      .map((c) => c.node.path).sort();
    const replicationRegress = [
      'GoldenPathPrimary/AccessLogs/Bucket/Resource', 'GoldenPathPrimary/EncryptionAudit/TrailBucket/Bucket/Resource',
      'GoldenPathPrimary/Site/Bucket/Resource', 'GoldenPathPrimary/SiteLogs/Bucket/Resource',
      'GoldenPathReplica/AccessLogs/Bucket/Resource', 'GoldenPathReplica/DataReplica/Bucket/Bucket/Resource',
    ];
    for (const pack of ['HIPAA.Security', 'NIST.800.53.R4', 'NIST.800.53.R5', 'PCI.DSS.321']) {
      expect(acknowledged(new RegExp(`^${pack.replace(/\./g, '\\.')}-S3BucketReplicationEnabled$`))).toEqual(replicationRegress);
    }
    expect(acknowledged(/^AwsSolutions-IAM5/)).toEqual(['GoldenPathPrimary/DataReplication/Policy/Resource', 'GoldenPathPrimary/EncryptionAudit/TrailLogsPolicy/Resource']);
    // The data bucket replicates (no acknowledgement needed) into the replica Region.
    const data = primary.data.bucket.node.defaultChild as s3.CfnBucket;
    expect(primary.resolve(data.replicationConfiguration)).toEqual(expect.objectContaining({
      rules: [expect.objectContaining({ destination: expect.objectContaining({
        bucket: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${replica.dataReplica.bucketName}`]] },
      }) })],
    }));
    expect(replica.region).toBe('eu-west-1');
  });
});

describe('warnings', () => {
  test('an SSE-S3 source keeps SSE-S3 in a KMS destination that accepts SSE-S3 replicas', () => {
    const stack = newStack();
    new ReplicatedEncryptedBucket(stack, 'Data', {
      encryption: BucketEncryptionMode.SSE_S3,
      rules: [{ destination: ReplicaTarget.newEncryptedBucket({ acceptSseS3Replicas: true }) }],
    });
    Annotations.fromStack(stack).hasWarning('/Primary/Data', Match.stringLikeRegexp('replicates SSE-S3 objects as SSE-S3'));
  });

  test('an SSE-S3 source and a destination by attributes that does not say whether it accepts SSE-S3 replicas', () => {
    const stack = newStack();
    new ReplicatedEncryptedBucket(stack, 'Data', { encryption: BucketEncryptionMode.SSE_S3, replicationRoleName: ROLE_NAME, rules: [{ destination: external() }] });
    Annotations.fromStack(stack).hasWarning('/Primary/Data', Match.stringLikeRegexp('must accept SSE-S3 replicas.*acceptSseS3Replicas: true'));
  });

  test('an SSE-C source and a destination whose SSE-C setting is unknown', () => {
    const stack = newStack();
    const custodian = new iam.Role(stack, 'Custodian', { assumedBy: new iam.AccountRootPrincipal() });
    new ReplicatedEncryptedBucket(stack, 'Data', {
      sseC: { allowedRoles: [custodian] },
      replicationRoleName: ROLE_NAME,
      rules: [{ destination: ReplicaTarget.fromAttributes({ bucketName: 'b', account: SOURCE_ACCOUNT, region: 'eu-west-1', replicaKeyAlias: 'r' }) }],
    });
    Annotations.fromStack(stack).hasWarning('/Primary/Data', Match.stringLikeRegexp('replicate as SSE-C'));
  });
});

/** Expect a ConstructPropError at `path` for `prop`, whose message carries the fix. */
function expectPropError(build: () => void, path: string, prop: string, fix: RegExp): void {
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConstructPropError);
  const e = error as ConstructPropError;
  expect([e.constructPath, e.prop]).toEqual([path, prop]);
  expect(e.message).toMatch(/ Fix: /);
  expect(e.message.split(' Fix: ')[1]).toMatch(fix);
}

const external = (a: Partial<ReplicaBucketAttributes> = {}): ReplicaTarget => ReplicaTarget.fromAttributes({
  bucketName: REPLICA_BUCKET, account: SOURCE_ACCOUNT, region: 'eu-west-1', replicaKeyAlias: 'data/replica', replicationRoleName: ROLE_NAME, ...a,
});

describe('validation: ReplicatedEncryptedBucket', () => {
  test.each<[string, (stack: Stack) => void, string, string, RegExp]>([
    ['versioning off on the source', (s) => new ReplicatedEncryptedBucket(s, 'Data', { versioned: false, rules: [{ destination: ReplicaTarget.newEncryptedBucket() }] }),
      'Primary/Data', 'versioned', /remove versioned: false/],
    ['versioning off on an existing source', (s) => new ReplicatedEncryptedBucket(s, 'Data', { source: new EncryptedBucket(s, 'Existing', { versioned: false }), rules: [{ destination: ReplicaTarget.newEncryptedBucket() }] }),
      'Primary/Data', 'source', /remove versioned: false where Primary\/Existing is created/],
    ['versioning off on a destination in the stack', (s) => new ReplicatedEncryptedBucket(s, 'Data', { rules: [{ destination: ReplicaTarget.newEncryptedBucket({ versioned: false }) }] }),
      'Primary/Data', 'rules[0].destination', /turn versioning on in the destination/],
    ['versioning off on a destination given by attributes', (s) => new ReplicatedEncryptedBucket(s, 'Data', { rules: [{ destination: external({ versioned: false }) }] }),
      'Primary/Data', 'rules[0].destination', /turn versioning on/],
    ['a KMS source with no replica key', (s) => new ReplicatedEncryptedBucket(s, 'Data', { rules: [{ destination: ReplicaTarget.newEncryptedBucket({ encryption: BucketEncryptionMode.SSE_S3 }) }] }),
      'Primary/Data', 'rules[0].destination', /KMS-encrypted bucket|pass replicaKey/],
    ['a DSSE-KMS source with an external destination without key', (s) => new ReplicatedEncryptedBucket(s, 'Data', { encryption: BucketEncryptionMode.DSSE_KMS, rules: [{ destination: external({ replicaKeyAlias: undefined }) }] }),
      'Primary/Data', 'rules[0].destination', /replicaKeyArn \/ replicaKeyAlias/],
    ['a replica key ARN in another Region than the destination', (s) => new ReplicatedEncryptedBucket(s, 'Data', { rules: [{ destination: external({ replicaKeyArn: `arn:aws:kms:us-west-2:${SOURCE_ACCOUNT}:key/abc` }) }] }),
      'Primary/Data', 'rules[0].replicaKey', /use a key in eu-west-1/],
    ['a replica key object in another Region than the destination', (s) => new ReplicatedEncryptedBucket(s, 'Data', {
      rules: [{ destination: ReplicaTarget.newEncryptedBucket(), replicaKey: kms.Key.fromKeyArn(s, 'Far', `arn:aws:kms:us-west-2:${SOURCE_ACCOUNT}:key/abc`) }],
    }), 'Primary/Data', 'rules[0].replicaKey', /use a key in us-east-1/],
    ['several rules without priorities', (s) => new ReplicatedEncryptedBucket(s, 'Data', {
      rules: [{ destination: ReplicaTarget.newEncryptedBucket() }, { destination: ReplicaTarget.newEncryptedBucket(), priority: 1 }],
    }), 'Primary/Data', 'rules[0].priority', /distinct priority/],
    ['two rules with the same priority', (s) => new ReplicatedEncryptedBucket(s, 'Data', {
      rules: [{ destination: ReplicaTarget.newEncryptedBucket(), priority: 1 }, { destination: ReplicaTarget.newEncryptedBucket(), priority: 1 }],
    }), 'Primary/Data', 'rules[1].priority', /distinct priority/],
    ['Replication Time Control without metrics', (s) => new ReplicatedEncryptedBucket(s, 'Data', {
      rules: [{ destination: ReplicaTarget.newEncryptedBucket(), replicationTimeControl: true, metrics: false }],
    }), 'Primary/Data', 'rules[0].metrics', /remove metrics: false/],
    ['two buckets replicating to each other in one stack', (s) => {
      const a = new EncryptedBucket(s, 'A');
      const b = new EncryptedBucket(s, 'B');
      new ReplicatedEncryptedBucket(s, 'AToB', { source: a, rules: [{ destination: ReplicaTarget.encryptedBucket(b) }] });
      new ReplicatedEncryptedBucket(s, 'BToA', { source: b, rules: [{ destination: ReplicaTarget.encryptedBucket(a) }] });
    }, 'Primary/BToA', 'rules[0].destination', /its own stack.*deterministic names.*two deployments/],
    ['a bucket replicating into itself', (s) => {
      const a = new EncryptedBucket(s, 'A');
      new ReplicatedEncryptedBucket(s, 'AToA', { source: a, rules: [{ destination: ReplicaTarget.encryptedBucket(a) }] });
    }, 'Primary/AToA', 'rules[0].destination', /another bucket/],
    ['owner override in the same account', (s) => new ReplicatedEncryptedBucket(s, 'Data', { rules: [{ destination: external(), ownershipOverride: true }] }),
      'Primary/Data', 'rules[0].ownershipOverride', /remove ownershipOverride/],
    ['delete-marker replication with a tag filter', (s) => new ReplicatedEncryptedBucket(s, 'Data', {
      rules: [{ destination: ReplicaTarget.newEncryptedBucket(), tagFilters: { a: 'b' }, deleteMarkerReplication: true }],
    }), 'Primary/Data', 'rules[0].deleteMarkerReplication', /remove the tag filter/],
    ['a wildcard in the prefix', (s) => new ReplicatedEncryptedBucket(s, 'Data', { rules: [{ destination: ReplicaTarget.newEncryptedBucket(), prefix: 'logs/*' }] }),
      'Primary/Data', 'rules[0].prefix', /literal prefix/],
    ['an Object Lock source and a destination without Object Lock', (s) => new ReplicatedEncryptedBucket(s, 'Data', {
      objectLockEnabled: true, rules: [{ destination: ReplicaTarget.newEncryptedBucket() }],
    }), 'Primary/Data', 'rules[0].destination', /objectLockEnabled: true/],
    ['an SSE-C source and a destination that blocks SSE-C', (s) => new ReplicatedEncryptedBucket(s, 'Data', {
      sseC: { allowedRoles: [new iam.Role(s, 'Custodian', { assumedBy: new iam.AccountRootPrincipal() })] },
      rules: [{ destination: ReplicaTarget.newEncryptedBucket() }],
    }), 'Primary/Data', 'rules[0].destination', /sseC: \{ allowedRoles/],
    ['an SSE-S3 source and a KMS destination that refuses SSE-S3 replicas', (s) => new ReplicatedEncryptedBucket(s, 'Data', {
      encryption: BucketEncryptionMode.SSE_S3, rules: [{ destination: ReplicaTarget.newEncryptedBucket() }],
    }), 'Primary/Data', 'rules[0].destination', /acceptSseS3Replicas: true/],
    ['an SSE-S3 source and a ReplicationDestination that refuses SSE-S3 replicas', (s) => new ReplicatedEncryptedBucket(s, 'Data', {
      encryption: BucketEncryptionMode.SSE_S3, replicationRoleName: ROLE_NAME,
      rules: [{ destination: external({ encryption: BucketEncryptionMode.SSE_KMS, acceptsSseS3Replicas: false }) }],
    }), 'Primary/Data', 'rules[0].destination', /use an SSE-KMS source/],
    ['an SSE-KMS source and a DSSE-KMS destination (replicas stay SSE-KMS)', (s) => new ReplicatedEncryptedBucket(s, 'Data', {
      rules: [{ destination: ReplicaTarget.newEncryptedBucket({ encryption: BucketEncryptionMode.DSSE_KMS }) }],
    }), 'Primary/Data', 'rules[0].destination', /same KMS encryption mode/],
    ['a DSSE-KMS source and an SSE-KMS destination given by attributes', (s) => new ReplicatedEncryptedBucket(s, 'Data', {
      encryption: BucketEncryptionMode.DSSE_KMS, replicationRoleName: ROLE_NAME, rules: [{ destination: external({ encryption: BucketEncryptionMode.SSE_KMS }) }],
    }), 'Primary/Data', 'rules[0].destination', /DSSE_KMS on the destination too/],
    ['a replica key that is not the destination bucket\'s own key', (s) => new ReplicatedEncryptedBucket(s, 'Data', {
      rules: [{ destination: ReplicaTarget.newEncryptedBucket(), replicaKey: new KmsKeyWithRotation(s, 'OtherKey') }],
    }), 'Primary/Data', 'rules[0].replicaKey', /omit replicaKey/],
    ['a cross-account destination whose key is only known by alias', (s) => new ReplicatedEncryptedBucket(s, 'Data', { rules: [{ destination: external({ account: DEST_ACCOUNT }) }] }),
      'Primary/Data', 'rules[0].destination', /pass replicaKeyArn/],
    ['a role name the destination does not grant', (s) => new ReplicatedEncryptedBucket(s, 'Data', { replicationRoleName: 'other-role', rules: [{ destination: external() }] }),
      'Primary/Data', 'replicationRoleName', /replicationRoleName: 'data-replication'/],
    ['a key known by alias and a generated role name', (s) => new ReplicatedEncryptedBucket(s, 'Data', { rules: [{ destination: external({ replicationRoleName: undefined }) }] }),
      'Primary/Data', 'replicationRoleName', /set replicationRoleName/],
    ['an existing source and settings for a new one', (s) => new ReplicatedEncryptedBucket(s, 'Data', {
      source: new EncryptedBucket(s, 'Existing'), encryption: BucketEncryptionMode.SSE_S3, rules: [{ destination: ReplicaTarget.newEncryptedBucket() }],
    }), 'Primary/Data', 'source', /drop source/],
    ['a source that is already replicated', (s) => {
      const a = new EncryptedBucket(s, 'A');
      new ReplicatedEncryptedBucket(s, 'First', { source: a, rules: [{ destination: ReplicaTarget.newEncryptedBucket() }] });
      new ReplicatedEncryptedBucket(s, 'Second', { source: a, rules: [{ destination: ReplicaTarget.newEncryptedBucket() }] });
    }, 'Primary/Second', 'source', /addReplicationRule/],
    ['a source in another stack', (s) => {
      const other = new Stack(s.node.root, 'Other', { env: PRIMARY });
      new ReplicatedEncryptedBucket(s, 'Data', { source: new EncryptedBucket(other, 'A'), rules: [{ destination: ReplicaTarget.newEncryptedBucket() }] });
    }, 'Primary/Data', 'source', /source bucket's stack/],
    ['an EncryptedBucket of another stack as destination', (s) => {
      const other = new Stack(s.node.root, 'Other', { env: REPLICA });
      new ReplicatedEncryptedBucket(s, 'Data', { rules: [{ destination: ReplicaTarget.encryptedBucket(new EncryptedBucket(other, 'B')) }] });
    }, 'Primary/Data', 'rules[0].destination', /ReplicationDestination in its stack/],
    ['a key object for a destination given by attributes', (s) => new ReplicatedEncryptedBucket(s, 'Data', {
      rules: [{ destination: external(), replicaKey: new KmsKeyWithRotation(s, 'K') }],
    }), 'Primary/Data', 'rules[0].replicaKey', /replicaKeyArn or replicaKeyAlias/],
    ['tokens in the destination attributes', (s) => new ReplicatedEncryptedBucket(s, 'Data', { rules: [{ destination: external({ region: Aws.REGION }) }] }),
      'Primary/Data', 'rules[0].destination', /plain string/],
    ['no rule', (s) => new ReplicatedEncryptedBucket(s, 'Data', { rules: [] }), 'Primary/Data', 'rules', /at least one rule/],
  ])('%s', (_name, build, path, prop, fix) => {
    expectPropError(() => build(newStack()), path, prop, fix);
  });

  test('a rule added later for a destination that grants a role by name, when the role name is generated', () => {
    const stack = newStack();
    const replicated = new ReplicatedEncryptedBucket(stack, 'Data', { rules: [{ destination: ReplicaTarget.newEncryptedBucket(), priority: 1 }] });
    expectPropError(() => replicated.addReplicationRule({ destination: external(), priority: 2 }),
      'Primary/Data', 'replicationRoleName', /pass replicationRoleName: 'data-replication' when creating/);
  });

  test('owner override for a destination whose account is unknown (environment-agnostic stack)', () => {
    expectPropError(() => new ReplicatedEncryptedBucket(newStack({}), 'Data', { rules: [{ destination: ReplicaTarget.newEncryptedBucket(), ownershipOverride: true }] }),
      'Primary/Data', 'rules[0].ownershipOverride', /otherwise remove ownershipOverride/);
  });

  test('a rule added later is validated with the others', () => {
    const stack = newStack();
    const replicated = new ReplicatedEncryptedBucket(stack, 'Data', { rules: [{ destination: ReplicaTarget.newEncryptedBucket() }] });
    expectPropError(() => replicated.addReplicationRule({ destination: ReplicaTarget.newEncryptedBucket(), priority: 3 }),
      'Primary/Data', 'rules[0].priority', /distinct priority/);
  });
});

describe('validation: ReplicationDestination', () => {
  const source = { account: SOURCE_ACCOUNT, replicationRoleName: ROLE_NAME };
  test.each<[string, (stack: Stack) => void, string, RegExp]>([
    ['no bucket name', (s) => new ReplicationDestination(s, 'Dest', { source }), 'bucketName', /bucketName to a plain string/],
    ['a token bucket name', (s) => new ReplicationDestination(s, 'Dest', { source, bucketName: Token.asString(Aws.STACK_NAME) }), 'bucketName', /plain string/],
    ['a malformed source account', (s) => new ReplicationDestination(s, 'Dest', { bucketName: 'replica-bucket', source: { ...source, account: '12345' } }), 'source.account', /account id as a string/],
    ['a malformed role name', (s) => new ReplicationDestination(s, 'Dest', { bucketName: 'replica-bucket', source: { ...source, replicationRoleName: 'no spaces allowed' } }), 'source.replicationRoleName', /replicationRoleName/],
    ['a key alias for an SSE-S3 bucket', (s) => new ReplicationDestination(s, 'Dest', { bucketName: 'replica-bucket', source, encryption: BucketEncryptionMode.SSE_S3, replicaKeyAlias: 'x' }), 'replicaKeyAlias', /remove replicaKeyAlias/],
    ['two aliases', (s) => new ReplicationDestination(s, 'Dest', { bucketName: 'replica-bucket', source, replicaKeyAlias: 'x', encryptionKeyProps: { alias: 'y' } }), 'replicaKeyAlias', /only replicaKeyAlias/],
    ['an invalid alias', (s) => new ReplicationDestination(s, 'Dest', { bucketName: 'replica-bucket', source, replicaKeyAlias: 'has.dots' }), 'replicaKeyAlias', /s3-replica\/data/],
    ['owner override in the same account', (s) => new ReplicationDestination(s, 'Dest', { bucketName: 'replica-bucket', source, allowOwnershipOverride: true }), 'allowOwnershipOverride', /remove allowOwnershipOverride/],
    ['a key whose policy is not in this app', (s) => new ReplicationDestination(s, 'Dest', {
      bucketName: 'replica-bucket', source, encryptionKey: kms.Key.fromKeyArn(s, 'Imported', `arn:aws:kms:eu-west-1:${SOURCE_ACCOUNT}:key/abc`),
    }), 'encryptionKey', /key defined in this stack/],
  ])('%s', (_name, build, prop, fix) => {
    expectPropError(() => build(newStack(REPLICA)), 'Primary/Dest', prop, fix);
  });

  test('the profile decides the encryption: GENERAL_PURPOSE makes an SSE-S3 replica bucket without a replica key', () => {
    const stack = newStack(REPLICA);
    const destination = new ReplicationDestination(stack, 'Dest', { bucketName: 'replica-bucket', source, profile: EncryptedBucketProfile.GENERAL_PURPOSE });
    expect([destination.bucket.encryption, destination.replicaKey, destination.replicaKeyAlias]).toEqual([BucketEncryptionMode.SSE_S3, undefined, undefined]);
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 0);
    expectPropError(() => new ReplicationDestination(newStack(REPLICA), 'Dest', {
      bucketName: 'replica-bucket', source, profile: EncryptedBucketProfile.GENERAL_PURPOSE, replicaKeyAlias: 'x',
    }), 'Primary/Dest', 'replicaKeyAlias', /remove replicaKeyAlias/);
  });

  test('an environment-agnostic stack', () => {
    expectPropError(() => new ReplicationDestination(newStack({}), 'Dest', { bucketName: 'replica-bucket', source }), 'Primary/Dest', 'env', /env: \{ account, region \}/);
  });
});

describe('validation: KmsReplicaKey', () => {
  test.each<[string, Partial<{ primaryKeyArn: string; pendingWindow: Duration }>, string, RegExp]>([
    ['not a key ARN', { primaryKeyArn: 'mrk-123' }, 'primaryKeyArn', /full ARN of the primary key/],
    ['not a multi-Region key', { primaryKeyArn: `arn:aws:kms:us-east-1:${SOURCE_ACCOUNT}:key/1234abcd` }, 'primaryKeyArn', /multiRegion: true/],
    ['a primary in the same Region', { primaryKeyArn: `arn:aws:kms:eu-west-1:${SOURCE_ACCOUNT}:key/mrk-1` }, 'primaryKeyArn', /stack of the destination Region/],
    ['a pending window out of range', { primaryKeyArn: `arn:aws:kms:us-east-1:${SOURCE_ACCOUNT}:key/mrk-1`, pendingWindow: Duration.days(3) }, 'pendingWindow', /7 <= n <= 30/],
  ])('%s', (_name, props, prop, fix) => {
    expectPropError(() => new KmsReplicaKey(newStack(REPLICA), 'Key', props as { primaryKeyArn: string }), 'Primary/Key', prop, fix);
  });

  test('replicaArnOf a key that is not multi-Region', () => {
    const stack = newStack();
    const key = new KmsKeyWithRotation(stack, 'Single');
    expectPropError(() => KmsReplicaKey.replicaArnOf(key, 'eu-west-1'), 'Primary/Single', 'multiRegion', /multiRegion: true/);
  });
});
