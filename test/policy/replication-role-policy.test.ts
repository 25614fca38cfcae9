import { App, Stack } from 'aws-cdk-lib';
import { EncryptedBucket, ReplicatedEncryptedBucket, ReplicaTarget, ReplicationDestination } from '../../lib';
import { ALLOW_EVERYTHING, type Decision, evaluate, http, https, ResolvedTemplate, rolePrincipalContext } from '../support/iam-evaluation';

/**
 * What the replication role can do, evaluated by a real IAM engine on the role's identity
 * policies together with the bucket and key policies: read the source only for replication,
 * decrypt the source key only through S3 in the source Region for the source bucket's context,
 * encrypt only with the replica key through S3 in the destination Region for the destination's
 * context, and nothing else; across accounts, the destination's bucket and key policies let
 * exactly this role replicate.
 */
type Json = any;  

const ACCOUNT = '111111111111';
const DEST_ACCOUNT = '222222222222';
const ROLE_NAME = 'data-replication';
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/someone-else`;
const viaS3 = (region: string) => ({ 'kms:ViaService': `s3.${region}.amazonaws.com` });
const context = (arn: string) => ({ 'kms:EncryptionContext:aws:s3:arn': arn });

interface Request {
  principal: string;
  action: string;
  resource: string;
  resourceAccount?: string;
  context?: Record<string, string>;
  identityPolicies: Json[];
  resourcePolicy?: Json;
}

async function decide(r: Request): Promise<Decision> {
  const { decision } = await evaluate({
    principal: r.principal,
    action: r.action,
    resource: r.resource,
    resourceAccount: r.resourceAccount ?? ACCOUNT,
    context: { ...rolePrincipalContext(r.principal), ...(r.context ?? {}) },
    identityPolicies: r.identityPolicies,
    resourcePolicy: r.resourcePolicy,
  });
  return decision;
}

/** [label, decision] pairs, so a failure names the request. */
async function table(rows: Array<[string, Request]>): Promise<Array<[string, Decision]>> {
  return Promise.all(rows.map(async ([label, r]) => [label, await decide(r)] as [string, Decision]));
}

describe('same Region, same stack', () => {
  const app = new App();
  const stack = new Stack(app, 'Replication', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const replicated = new ReplicatedEncryptedBucket(stack, 'Data', { rules: [{ destination: ReplicaTarget.newEncryptedBucket() }] });
  const other = new EncryptedBucket(stack, 'Other');
  const t = new ResolvedTemplate(stack, { account: ACCOUNT, region: 'eu-west-1' });
  const id = (c: unknown) => t.logicalId(c);
  const bucketId = (b: EncryptedBucket) => id(b.bucket.node.defaultChild);
  const keyId = (b: EncryptedBucket) => id(b.encryptionKey!.node.defaultChild);
  const replica = replicated.replicaBuckets[0];
  const f = {
    role: t.arnOf(id(replicated.replicationRole.node.defaultChild)),
    policies: t.identityPoliciesOf(id(replicated.replicationRole.node.defaultChild)),
    source: t.arnOf(bucketId(replicated.source)),
    sourcePolicy: t.bucketPolicyFor(bucketId(replicated.source)),
    sourceKey: t.arnOf(keyId(replicated.source)),
    sourceKeyPolicy: t.keyPolicyOf(keyId(replicated.source)),
    replica: t.arnOf(bucketId(replica)),
    replicaPolicy: t.bucketPolicyFor(bucketId(replica)),
    replicaKey: t.arnOf(keyId(replica)),
    replicaKeyPolicy: t.keyPolicyOf(keyId(replica)),
    other: t.arnOf(bucketId(other)),
    otherPolicy: t.bucketPolicyFor(bucketId(other)),
    otherKey: t.arnOf(keyId(other)),
    otherKeyPolicy: t.keyPolicyOf(keyId(other)),
  };
  const asRole = (action: string, resource: string, resourcePolicy: Json, ctx: Record<string, string> = https()): Request => ({
    principal: f.role, action, resource, context: ctx, identityPolicies: f.policies, resourcePolicy,
  });

  test('the identity policy is a single customer-managed policy', () => {
    expect(f.policies).toHaveLength(1);
  });

  test('reads source objects only for replication, writes replicas only into its destination', async () => {
    expect(await table([
      ['read for replication', asRole('s3:GetObjectVersionForReplication', `${f.source}/a/b.txt`, f.sourcePolicy)],
      ['read ACL', asRole('s3:GetObjectVersionAcl', `${f.source}/a/b.txt`, f.sourcePolicy)],
      ['read tags', asRole('s3:GetObjectVersionTagging', `${f.source}/a/b.txt`, f.sourcePolicy)],
      ['replication configuration', asRole('s3:GetReplicationConfiguration', f.source, f.sourcePolicy)],
      ['list source', asRole('s3:ListBucket', f.source, f.sourcePolicy)],
      ['replicate', asRole('s3:ReplicateObject', `${f.replica}/a/b.txt`, f.replicaPolicy)],
      ['replicate delete', asRole('s3:ReplicateDelete', `${f.replica}/a/b.txt`, f.replicaPolicy)],
      ['replicate tags', asRole('s3:ReplicateTags', `${f.replica}/a/b.txt`, f.replicaPolicy)],
      ['check versioning', asRole('s3:GetBucketVersioning', f.replica, f.replicaPolicy)],
      ['plain GetObject on the source', asRole('s3:GetObject', `${f.source}/a/b.txt`, f.sourcePolicy)],
      ['Object Lock metadata (source not locked)', asRole('s3:GetObjectRetention', `${f.source}/a/b.txt`, f.sourcePolicy)],
      ['PutObject into the replica', asRole('s3:PutObject', `${f.replica}/a/b.txt`, f.replicaPolicy)],
      ['owner override', asRole('s3:ObjectOwnerOverrideToBucketOwner', `${f.replica}/a/b.txt`, f.replicaPolicy)],
      ['replicate into another bucket', asRole('s3:ReplicateObject', `${f.other}/a/b.txt`, f.otherPolicy)],
      ['read another bucket for replication', asRole('s3:GetObjectVersionForReplication', `${f.other}/a/b.txt`, f.otherPolicy)],
      ['another bucket\'s replication configuration', asRole('s3:GetReplicationConfiguration', f.other, f.otherPolicy)],
      ['replicate over plain HTTP', asRole('s3:ReplicateObject', `${f.replica}/a/b.txt`, f.replicaPolicy, http())],
    ])).toEqual([
      ['read for replication', 'Allowed'],
      ['read ACL', 'Allowed'],
      ['read tags', 'Allowed'],
      ['replication configuration', 'Allowed'],
      ['list source', 'Allowed'],
      ['replicate', 'Allowed'],
      ['replicate delete', 'Allowed'],
      ['replicate tags', 'Allowed'],
      ['check versioning', 'Allowed'],
      ['plain GetObject on the source', 'ImplicitlyDenied'],
      ['Object Lock metadata (source not locked)', 'ImplicitlyDenied'],
      ['PutObject into the replica', 'ImplicitlyDenied'],
      ['owner override', 'ImplicitlyDenied'],
      ['replicate into another bucket', 'ImplicitlyDenied'],
      ['read another bucket for replication', 'ImplicitlyDenied'],
      ['another bucket\'s replication configuration', 'ImplicitlyDenied'],
      ['replicate over plain HTTP', 'ExplicitlyDenied'],
    ]);
  });

  test('decrypts the source key only through S3 in the source Region for the source bucket context', async () => {
    const kmsAs = (action: string, key: string, ctx: Record<string, string>): Request => ({
      principal: f.role, action, resource: key, context: ctx, identityPolicies: f.policies,
      resourcePolicy: key === f.sourceKey ? f.sourceKeyPolicy : key === f.replicaKey ? f.replicaKeyPolicy : f.otherKeyPolicy,
    });
    expect(await table([
      ['decrypt via S3 for the source', kmsAs('kms:Decrypt', f.sourceKey, { ...viaS3('eu-west-1'), ...context(f.source) })],
      ['decrypt called directly', kmsAs('kms:Decrypt', f.sourceKey, context(f.source))],
      ['decrypt via S3 in another Region', kmsAs('kms:Decrypt', f.sourceKey, { ...viaS3('us-east-1'), ...context(f.source) })],
      ['decrypt for another bucket', kmsAs('kms:Decrypt', f.sourceKey, { ...viaS3('eu-west-1'), ...context(f.other) })],
      // Bucket Keys are the bucket's default only: an object uploaded without one has its object ARN as context
      ['decrypt an object uploaded without a Bucket Key', kmsAs('kms:Decrypt', f.sourceKey, { ...viaS3('eu-west-1'), ...context(`${f.source}/a.txt`) })],
      ['decrypt an object of another bucket uploaded without a Bucket Key', kmsAs('kms:Decrypt', f.sourceKey, { ...viaS3('eu-west-1'), ...context(`${f.other}/a.txt`) })],
      ['encrypt with the source key', kmsAs('kms:Encrypt', f.sourceKey, { ...viaS3('eu-west-1'), ...context(f.source) })],
      ['decrypt another key', kmsAs('kms:Decrypt', f.otherKey, { ...viaS3('eu-west-1'), ...context(f.other) })],
    ])).toEqual([
      ['decrypt via S3 for the source', 'Allowed'],
      ['decrypt called directly', 'ImplicitlyDenied'],
      ['decrypt via S3 in another Region', 'ImplicitlyDenied'],
      ['decrypt for another bucket', 'ImplicitlyDenied'],
      ['decrypt an object uploaded without a Bucket Key', 'Allowed'],
      ['decrypt an object of another bucket uploaded without a Bucket Key', 'ImplicitlyDenied'],
      ['encrypt with the source key', 'ImplicitlyDenied'],
      ['decrypt another key', 'ImplicitlyDenied'],
    ]);
  });

  test('encrypts only with the replica key, through S3, for the replica bucket context', async () => {
    const onReplicaKey = (action: string, ctx: Record<string, string>): Request => ({
      principal: f.role, action, resource: f.replicaKey, context: ctx, identityPolicies: f.policies, resourcePolicy: f.replicaKeyPolicy,
    });
    const good = { ...viaS3('eu-west-1'), ...context(f.replica) };
    expect(await table([
      ['encrypt', onReplicaKey('kms:Encrypt', good)],
      ['generate data key', onReplicaKey('kms:GenerateDataKey', good)],
      ['decrypt (Bucket Key check)', onReplicaKey('kms:Decrypt', good)],
      ['encrypt called directly', onReplicaKey('kms:Encrypt', context(f.replica))],
      ['encrypt for the source bucket', onReplicaKey('kms:Encrypt', { ...viaS3('eu-west-1'), ...context(f.source) })],
      ['encrypt for another bucket', onReplicaKey('kms:GenerateDataKey', { ...viaS3('eu-west-1'), ...context(f.other) })],
      ['re-encrypt', onReplicaKey('kms:ReEncryptFrom', good)],
      ['create a grant', onReplicaKey('kms:CreateGrant', good)],
      ['encrypt with another key', { ...onReplicaKey('kms:Encrypt', { ...viaS3('eu-west-1'), ...context(f.other) }), resource: f.otherKey, resourcePolicy: f.otherKeyPolicy }],
    ])).toEqual([
      ['encrypt', 'Allowed'],
      ['generate data key', 'Allowed'],
      ['decrypt (Bucket Key check)', 'Allowed'],
      ['encrypt called directly', 'ImplicitlyDenied'],
      ['encrypt for the source bucket', 'ImplicitlyDenied'],
      ['encrypt for another bucket', 'ImplicitlyDenied'],
      ['re-encrypt', 'ImplicitlyDenied'],
      ['create a grant', 'ExplicitlyDenied'],
      ['encrypt with another key', 'ImplicitlyDenied'],
    ]);
  });
});

describe('cross-Region, two stacks (replica key named by alias, granted by its key policy)', () => {
  const app = new App();
  const replicaStack = new Stack(app, 'Replica', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const destination = new ReplicationDestination(replicaStack, 'DataReplica', {
    bucketName: `data-replica-${ACCOUNT}-eu-west-1`,
    source: { account: ACCOUNT, replicationRoleName: ROLE_NAME },
  });
  const primaryStack = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const replicated = new ReplicatedEncryptedBucket(primaryStack, 'Data', {
    rules: [{ destination: ReplicaTarget.fromAttributes(destination.replicaTargetAttributes()) }],
  });
  const p = new ResolvedTemplate(primaryStack, { account: ACCOUNT, region: 'us-east-1' });
  const r = new ResolvedTemplate(replicaStack, { account: ACCOUNT, region: 'eu-west-1' });
  const roleId = p.logicalId(replicated.replicationRole.node.defaultChild);
  const f = {
    role: p.arnOf(roleId),
    policies: p.identityPoliciesOf(roleId),
    source: p.arnOf(p.logicalId(replicated.source.bucket.node.defaultChild)),
    sourceKey: p.arnOf(p.logicalId(replicated.source.encryptionKey!.node.defaultChild)),
    sourceKeyPolicy: p.keyPolicyOf(p.logicalId(replicated.source.encryptionKey!.node.defaultChild)),
    replica: r.arnOf(r.logicalId(destination.bucket.bucket.node.defaultChild)),
    replicaPolicy: r.bucketPolicyFor(r.logicalId(destination.bucket.bucket.node.defaultChild)),
    replicaKey: r.arnOf(r.logicalId(destination.replicaKey!.node.defaultChild)),
    replicaKeyPolicy: r.keyPolicyOf(r.logicalId(destination.replicaKey!.node.defaultChild)),
  };

  test('both stacks name the same role and bucket: the deterministic names agree', () => {
    expect(f.role).toBe(`arn:aws:iam::${ACCOUNT}:role/${ROLE_NAME}`);
    expect(f.replica).toBe(`arn:aws:s3:::data-replica-${ACCOUNT}-eu-west-1`);
    expect(JSON.stringify(f.replicaKeyPolicy)).toContain(f.role);
  });

  test('writes replicas into the replica bucket only, over TLS', async () => {
    expect(await table([
      ['replicate', { principal: f.role, action: 's3:ReplicateObject', resource: `${f.replica}/k`, context: https(), identityPolicies: f.policies, resourcePolicy: f.replicaPolicy }],
      ['replicate into another bucket', { principal: f.role, action: 's3:ReplicateObject', resource: 'arn:aws:s3:::someone-elses-bucket/k', context: https(), identityPolicies: f.policies }],
      ['replicate over HTTP', { principal: f.role, action: 's3:ReplicateObject', resource: `${f.replica}/k`, context: http(), identityPolicies: f.policies, resourcePolicy: f.replicaPolicy }],
    ])).toEqual([['replicate', 'Allowed'], ['replicate into another bucket', 'ImplicitlyDenied'], ['replicate over HTTP', 'ExplicitlyDenied']]);
  });

  test('the replica key policy lets exactly this role encrypt, through S3 in eu-west-1, for the replica context', async () => {
    const onReplicaKey = (principal: string, action: string, ctx: Record<string, string>, identityPolicies: Json[] = f.policies): Request => ({
      principal, action, resource: f.replicaKey, context: ctx, identityPolicies, resourcePolicy: f.replicaKeyPolicy,
    });
    const good = { ...viaS3('eu-west-1'), ...context(f.replica) };
    expect(await table([
      ['encrypt', onReplicaKey(f.role, 'kms:Encrypt', good)],
      ['generate data key', onReplicaKey(f.role, 'kms:GenerateDataKey', good)],
      ['decrypt (Bucket Key check)', onReplicaKey(f.role, 'kms:Decrypt', good)],
      ['via S3 in the source Region', onReplicaKey(f.role, 'kms:Encrypt', { ...viaS3('us-east-1'), ...context(f.replica) })],
      ['for the source bucket', onReplicaKey(f.role, 'kms:Encrypt', { ...viaS3('eu-west-1'), ...context(f.source) })],
      ['called directly', onReplicaKey(f.role, 'kms:Encrypt', context(f.replica))],
      ['another role of the account, no IAM grant', onReplicaKey(OTHER_ROLE, 'kms:Encrypt', good, [])],
    ])).toEqual([
      ['encrypt', 'Allowed'],
      ['generate data key', 'Allowed'],
      ['decrypt (Bucket Key check)', 'Allowed'],
      ['via S3 in the source Region', 'ImplicitlyDenied'],
      ['for the source bucket', 'ImplicitlyDenied'],
      ['called directly', 'ImplicitlyDenied'],
      ['another role of the account, no IAM grant', 'ImplicitlyDenied'],
    ]);
  });

  test('decrypts the source key only through S3 in us-east-1; cannot encrypt with it', async () => {
    const onSourceKey = (action: string, ctx: Record<string, string>): Request => ({
      principal: f.role, action, resource: f.sourceKey, context: ctx, identityPolicies: f.policies, resourcePolicy: f.sourceKeyPolicy,
    });
    expect(await table([
      ['decrypt', onSourceKey('kms:Decrypt', { ...viaS3('us-east-1'), ...context(f.source) })],
      ['decrypt via S3 in eu-west-1', onSourceKey('kms:Decrypt', { ...viaS3('eu-west-1'), ...context(f.source) })],
      ['encrypt replicas with the source key', onSourceKey('kms:Encrypt', { ...viaS3('us-east-1'), ...context(f.replica) })],
    ])).toEqual([['decrypt', 'Allowed'], ['decrypt via S3 in eu-west-1', 'ImplicitlyDenied'], ['encrypt replicas with the source key', 'ImplicitlyDenied']]);
  });
});

describe('cross-account: the destination lets exactly this role replicate', () => {
  // The destination account deploys first and hands over its key ARN (its ReplicaKeyArn output).
  const destApp = new App();
  const destStack = new Stack(destApp, 'Destination', { env: { account: DEST_ACCOUNT, region: 'eu-west-1' } });
  const destination = new ReplicationDestination(destStack, 'DataReplica', {
    bucketName: `data-replica-${DEST_ACCOUNT}-eu-west-1`,
    source: { account: ACCOUNT, replicationRoleName: ROLE_NAME },
  });
  const d = new ResolvedTemplate(destStack, { account: DEST_ACCOUNT, region: 'eu-west-1' });
  const replicaKey = d.arnOf(d.logicalId(destination.replicaKey!.node.defaultChild));

  const sourceApp = new App();
  const sourceStack = new Stack(sourceApp, 'Source', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const replicated = new ReplicatedEncryptedBucket(sourceStack, 'Data', {
    rules: [{ destination: ReplicaTarget.fromAttributes({ ...destination.replicaTargetAttributes(), replicaKeyArn: replicaKey }), ownershipOverride: true }],
  });
  const s = new ResolvedTemplate(sourceStack, { account: ACCOUNT, region: 'us-east-1' });
  const roleId = s.logicalId(replicated.replicationRole.node.defaultChild);
  const f = {
    role: s.arnOf(roleId),
    policies: s.identityPoliciesOf(roleId),
    replica: d.arnOf(d.logicalId(destination.bucket.bucket.node.defaultChild)),
    replicaPolicy: d.bucketPolicyFor(d.logicalId(destination.bucket.bucket.node.defaultChild)),
    replicaKeyPolicy: d.keyPolicyOf(d.logicalId(destination.replicaKey!.node.defaultChild)),
  };
  const inDest = (principal: string, action: string, resource: string, ctx: Record<string, string>, identityPolicies: Json[], resourcePolicy: Json): Request => ({
    principal, action, resource, resourceAccount: DEST_ACCOUNT, context: ctx, identityPolicies, resourcePolicy,
  });

  test('S3: the role replicates and hands over ownership; another role of the source account cannot', async () => {
    expect(await table([
      ['replicate', inDest(f.role, 's3:ReplicateObject', `${f.replica}/k`, https(), f.policies, f.replicaPolicy)],
      ['replicate delete markers', inDest(f.role, 's3:ReplicateDelete', `${f.replica}/k`, https(), f.policies, f.replicaPolicy)],
      ['owner override', inDest(f.role, 's3:ObjectOwnerOverrideToBucketOwner', `${f.replica}/k`, https(), f.policies, f.replicaPolicy)],
      ['check versioning', inDest(f.role, 's3:GetBucketVersioning', f.replica, https(), f.policies, f.replicaPolicy)],
      ['suspend versioning', inDest(f.role, 's3:PutBucketVersioning', f.replica, https(), f.policies, f.replicaPolicy)],
      ['list the replica bucket', inDest(f.role, 's3:ListBucket', f.replica, https(), f.policies, f.replicaPolicy)],
      ['PutObject', inDest(f.role, 's3:PutObject', `${f.replica}/k`, https(), f.policies, f.replicaPolicy)],
      ['over HTTP', inDest(f.role, 's3:ReplicateObject', `${f.replica}/k`, http(), f.policies, f.replicaPolicy)],
      ['another role, allowed everything at home', inDest(OTHER_ROLE, 's3:ReplicateObject', `${f.replica}/k`, https(), [ALLOW_EVERYTHING], f.replicaPolicy)],
    ])).toEqual([
      ['replicate', 'Allowed'],
      ['replicate delete markers', 'Allowed'],
      ['owner override', 'Allowed'],
      ['check versioning', 'Allowed'],
      ['suspend versioning', 'ImplicitlyDenied'],
      ['list the replica bucket', 'ImplicitlyDenied'],
      ['PutObject', 'ImplicitlyDenied'],
      ['over HTTP', 'ExplicitlyDenied'],
      ['another role, allowed everything at home', 'ImplicitlyDenied'],
    ]);
  });

  test('KMS: the role encrypts with the destination key via S3 there; nobody else, and not without its own grant', async () => {
    const good = { ...viaS3('eu-west-1'), ...context(f.replica) };
    expect(await table([
      ['encrypt', inDest(f.role, 'kms:Encrypt', replicaKey, good, f.policies, f.replicaKeyPolicy)],
      ['generate data key', inDest(f.role, 'kms:GenerateDataKey', replicaKey, good, f.policies, f.replicaKeyPolicy)],
      ['for another bucket', inDest(f.role, 'kms:Encrypt', replicaKey, { ...viaS3('eu-west-1'), ...context('arn:aws:s3:::another-bucket') }, f.policies, f.replicaKeyPolicy)],
      ['called directly', inDest(f.role, 'kms:Encrypt', replicaKey, context(f.replica), f.policies, f.replicaKeyPolicy)],
      ['the role without its own grant (why replicaKeyArn is required)', inDest(f.role, 'kms:Encrypt', replicaKey, good, [], f.replicaKeyPolicy)],
      ['another role, allowed everything at home', inDest(OTHER_ROLE, 'kms:Encrypt', replicaKey, good, [ALLOW_EVERYTHING], f.replicaKeyPolicy)],
    ])).toEqual([
      ['encrypt', 'Allowed'],
      ['generate data key', 'Allowed'],
      ['for another bucket', 'ImplicitlyDenied'],
      ['called directly', 'ImplicitlyDenied'],
      ['the role without its own grant (why replicaKeyArn is required)', 'ImplicitlyDenied'],
      ['another role, allowed everything at home', 'ImplicitlyDenied'],
    ]);
  });
});
