import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BucketEncryptionMode, ReplicatedEncryptedBucket, ReplicaTarget, ReplicationDestination } from '../../lib';
import { ALLOW_EVERYTHING, type Decision, evaluate, http, https, ResolvedTemplate, rolePrincipalContext } from '../support/iam-evaluation';

/**
 * Item 2 of issue 11: replica destinations protect themselves. The source account chooses the
 * replicas' key (ReplicaKmsKeyID) and replicas keep the source's encryption type, so a compromised
 * source could fill a vault with replicas under a key it controls (and later revokes), as SSE-S3,
 * or under the AWS-managed aws/s3 key. Evaluated by the IAM engine with the request S3 replication
 * sends (s3:ReplicateObject by the replication role, carrying the replica's encryption):
 * - legitimate replication through the construct's own role is allowed, from the role's side (its
 *   identity policy) and the bucket's side (the bucket policy), same account and cross-account;
 * - the attacks are denied by the destination's bucket policy alone: the attacker's role may do
 *   everything in its own account.
 */
type Json = any;

const SOURCE_ACCOUNT = '111111111111';
const VAULT_ACCOUNT = '222222222222';
const ROLE_NAME = 'data-replication';
const SOURCE_CONTROLLED_KEY = `arn:aws:kms:eu-west-1:${SOURCE_ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
const SSE_ALGORITHM = 's3:x-amz-server-side-encryption';
const SSE_KEY_ID = 's3:x-amz-server-side-encryption-aws-kms-key-id';
const SSE_C = { 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' };
const sse = (algorithm: string, keyId?: string) => ({ [SSE_ALGORITHM]: algorithm, ...(keyId ? { [SSE_KEY_ID]: keyId } : {}) });

interface Request {
  readonly principal: string;
  readonly action?: string;
  readonly context: Record<string, string>;
  readonly identityPolicies: Json[];
  readonly resourcePolicy?: Json;
}

/** One ReplicateObject (or other action) into `objectArn` of an account, with the decision and the denying Sids. */
async function replicate(objectArn: string, account: string, r: Request): Promise<[Decision, string[]]> {
  const outcome = await evaluate({
    principal: r.principal,
    action: r.action ?? 's3:ReplicateObject',
    resource: objectArn,
    resourceAccount: account,
    context: { ...rolePrincipalContext(r.principal), ...r.context },
    identityPolicies: r.identityPolicies,
    resourcePolicy: r.resourcePolicy,
  });
  return [outcome.decision, outcome.denyingStatements];
}

/** The destination stack (deployed first) and the source stack, resolved with their own accounts. */
function twoStacks(options: { sourceAccount: string; destinationAccount: string; sourceEncryption?: BucketEncryptionMode; destinationProps?: Json; sseCSource?: boolean }) {
  const destStack = new Stack(new App(), 'Vault', { env: { account: options.destinationAccount, region: 'eu-west-1' } });
  const destination = new ReplicationDestination(destStack, 'Vault', {
    bucketName: `vault-${options.destinationAccount}-eu-west-1`,
    source: { account: options.sourceAccount, replicationRoleName: ROLE_NAME },
    ...(options.destinationProps ?? {}),
  });
  const d = new ResolvedTemplate(destStack, { account: options.destinationAccount, region: 'eu-west-1' });
  const bucketId = d.logicalId(destination.bucket.bucket.node.defaultChild);
  const keyArn = destination.replicaKey && d.arnOf(d.logicalId(destination.replicaKey.node.defaultChild));

  const sourceStack = new Stack(new App(), 'Source', { env: { account: options.sourceAccount, region: 'us-east-1' } });
  const crossAccount = options.sourceAccount !== options.destinationAccount;
  const custodian = options.sseCSource ? new iam.Role(sourceStack, 'Custodian', { assumedBy: new iam.AccountRootPrincipal() }) : undefined;
  const replicated = new ReplicatedEncryptedBucket(sourceStack, 'Data', {
    encryption: options.sourceEncryption,
    ...(custodian ? { sseC: { allowedRoles: [custodian] } } : {}),
    rules: [{ destination: ReplicaTarget.fromAttributes({ ...destination.replicaTargetAttributes(), ...(crossAccount && keyArn ? { replicaKeyArn: keyArn } : {}) }) }],
  });
  const s = new ResolvedTemplate(sourceStack, { account: options.sourceAccount, region: 'us-east-1' });
  const roleId = s.logicalId(replicated.replicationRole.node.defaultChild);
  return {
    role: s.arnOf(roleId),
    rolePolicies: s.identityPoliciesOf(roleId),
    object: `${d.arnOf(bucketId)}/invoices/2026-11.pdf`,
    bucketPolicy: d.bucketPolicyFor(bucketId),
    keyArn: keyArn!,
    aliasArn: destination.replicaKeyAlias && `arn:aws:kms:eu-west-1:${options.destinationAccount}:${destination.replicaKeyAlias}`,
    account: options.destinationAccount,
    attacker: `arn:aws:iam::${options.sourceAccount}:role/${ROLE_NAME}`,
  };
}

describe.each([
  ['cross-account vault', SOURCE_ACCOUNT, VAULT_ACCOUNT],
  ['same account, another Region (replica key named by alias)', SOURCE_ACCOUNT, SOURCE_ACCOUNT],
])('ReplicationDestination, %s', (_name, sourceAccount, destinationAccount) => {
  const f = twoStacks({ sourceAccount, destinationAccount });
  const asRole = (context: Record<string, string>, identityPolicies: Json[] = f.rolePolicies, resourcePolicy: Json = f.bucketPolicy) =>
    replicate(f.object, f.account, { principal: f.role, context, identityPolicies, resourcePolicy });

  test('the source names the key the way the destination accepts it', () => {
    expect(f.role).toBe(f.attacker);
    expect(JSON.stringify(f.bucketPolicy)).toContain(f.aliasArn);
  });

  test('legitimate replicas through the construct\'s role: the role\'s policy and the bucket policy both allow them', async () => {
    expect(await asRole({ ...https(), ...sse('aws:kms', f.keyArn) })).toEqual(['Allowed', []]);
    // S3 may put the configured ReplicaKmsKeyID (the alias ARN) in the request context: accepted too.
    expect(await asRole({ ...https(), ...sse('aws:kms', f.aliasArn) })).toEqual(['Allowed', []]);
    // A replica of an object that was unencrypted at the source takes the destination's default: no header.
    expect(await asRole(https())).toEqual(['Allowed', []]);
    if (sourceAccount !== destinationAccount) {
      // Across accounts neither side alone is enough: the role's own grant and the bucket's grant.
      expect((await asRole({ ...https(), ...sse('aws:kms', f.keyArn) }, [], f.bucketPolicy))[0]).toBe('ImplicitlyDenied');
      expect((await asRole({ ...https(), ...sse('aws:kms', f.keyArn) }, f.rolePolicies, { Version: '2012-10-17', Statement: [] }))[0]).toBe('ImplicitlyDenied');
    }
  });

  test.each<[string, () => Record<string, string>, string]>([
    ['under a key the source controls (and can revoke)', () => ({ ...https(), ...sse('aws:kms', SOURCE_CONTROLLED_KEY) }), 'DenyOtherKmsKeys'],
    ['as SSE-S3', () => ({ ...https(), ...sse('AES256') }), 'DenyOtherEncryptionAlgorithms'],
    ['as SSE-KMS without a key id (the AWS-managed aws/s3 key)', () => ({ ...https(), ...sse('aws:kms') }), 'DenyKmsWithoutKeyId'],
    ['as DSSE-KMS under the vault key (another algorithm)', () => ({ ...https(), ...sse('aws:kms:dsse', f.keyArn) }), 'DenyOtherEncryptionAlgorithms'],
    ['as SSE-C', () => ({ ...https(), ...SSE_C }), 'DenySseC'],
    ['over plain HTTP', () => ({ ...http(), ...sse('aws:kms', f.keyArn) }), 'DenyInsecureTransport'],
  ])('a compromised source role replicating %s is denied by the bucket policy alone', async (_label, context, sid) => {
    // The attacker controls the source account: its role may do everything there.
    const [decision, denied] = await replicate(f.object, f.account, { principal: f.attacker, context: context(), identityPolicies: [ALLOW_EVERYTHING], resourcePolicy: f.bucketPolicy });
    expect([decision, denied.includes(sid)]).toEqual(['ExplicitlyDenied', true]);
  });
});

describe('ReplicationDestination that accepts SSE-S3 replicas (an SSE-S3 source), cross-account', () => {
  const f = twoStacks({ sourceAccount: SOURCE_ACCOUNT, destinationAccount: VAULT_ACCOUNT, sourceEncryption: BucketEncryptionMode.SSE_S3, destinationProps: { acceptSseS3Replicas: true } });
  const as = (principal: string, action: string, context: Record<string, string>, identityPolicies: Json[]) =>
    replicate(f.object, f.account, { principal, action, context, identityPolicies, resourcePolicy: f.bucketPolicy });

  test('SSE-S3 replicas from the source role are allowed', async () => {
    expect(await as(f.role, 's3:ReplicateObject', { ...https(), ...sse('AES256') }, f.rolePolicies)).toEqual(['Allowed', []]);
  });

  test('only replicas: uploads asking for SSE-S3 are still denied, and replicas under another key too', async () => {
    const put = await as(f.attacker, 's3:PutObject', { ...https(), ...sse('AES256') }, [ALLOW_EVERYTHING]);
    expect([put[0], put[1].includes('DenyOtherEncryptionAlgorithms')]).toEqual(['ExplicitlyDenied', true]);
    const otherKey = await as(f.attacker, 's3:ReplicateObject', { ...https(), ...sse('aws:kms', SOURCE_CONTROLLED_KEY) }, [ALLOW_EVERYTHING]);
    expect([otherKey[0], otherKey[1].includes('DenyOtherKmsKeys')]).toEqual(['ExplicitlyDenied', true]);
    const dsse = await as(f.attacker, 's3:ReplicateObject', { ...https(), ...sse('aws:kms:dsse', f.keyArn) }, [ALLOW_EVERYTHING]);
    expect([dsse[0], dsse[1].includes('DenyOtherReplicaEncryptionAlgorithms')]).toEqual(['ExplicitlyDenied', true]);
  });
});

describe('ReplicationDestination with the SSE-C opt-in, cross-account: SSE-C replicas from the source role only', () => {
  const f = twoStacks({ sourceAccount: SOURCE_ACCOUNT, destinationAccount: VAULT_ACCOUNT, sseCSource: true, destinationProps: { sseC: {} } });

  test('the source role replicates SSE-C objects as SSE-C', async () => {
    expect(await replicate(f.object, f.account, { principal: f.role, context: { ...https(), ...SSE_C }, identityPolicies: f.rolePolicies, resourcePolicy: f.bucketPolicy }))
      .toEqual(['Allowed', []]);
  });

  test('any other principal sending SSE-C is denied, even a vault-account role that may do everything', async () => {
    const insider = `arn:aws:iam::${VAULT_ACCOUNT}:role/admin`;
    const [decision, denied] = await replicate(f.object, f.account, { principal: insider, action: 's3:PutObject', context: { ...https(), ...SSE_C }, identityPolicies: [ALLOW_EVERYTHING], resourcePolicy: f.bucketPolicy });
    expect([decision, denied]).toEqual(['ExplicitlyDenied', ['DenySseC']]);
    const replica = await replicate(f.object, f.account, { principal: insider, context: { ...https(), ...SSE_C }, identityPolicies: [ALLOW_EVERYTHING], resourcePolicy: f.bucketPolicy });
    expect(replica).toEqual(['ExplicitlyDenied', ['DenySseC']]);
  });
});

describe('EncryptedBucket destination in the same stack (ReplicatedEncryptedBucket)', () => {
  const stack = new Stack(new App(), 'OneStack', { env: { account: SOURCE_ACCOUNT, region: 'eu-west-1' } });
  const custodian = new iam.Role(stack, 'Custodian', { assumedBy: new iam.AccountRootPrincipal() });
  const replicated = new ReplicatedEncryptedBucket(stack, 'Data', {
    sseC: { allowedRoles: [custodian] },
    rules: [{ destination: ReplicaTarget.newEncryptedBucket({ sseC: { allowedRoles: [custodian] } }) }],
  });
  const replica = replicated.replicaBuckets[0];
  const t = new ResolvedTemplate(stack, { account: SOURCE_ACCOUNT, region: 'eu-west-1' });
  const roleId = t.logicalId(replicated.replicationRole.node.defaultChild);
  const f = {
    role: t.arnOf(roleId),
    rolePolicies: t.identityPoliciesOf(roleId),
    object: `${t.arnOf(t.logicalId(replica.bucket.node.defaultChild))}/a/b.txt`,
    bucketPolicy: t.bucketPolicyFor(t.logicalId(replica.bucket.node.defaultChild)),
    keyArn: t.arnOf(t.logicalId(replica.encryptionKey!.node.defaultChild)),
  };
  const asRole = (context: Record<string, string>, identityPolicies: Json[] = f.rolePolicies, resourcePolicy: Json = f.bucketPolicy, action?: string) =>
    replicate(f.object, SOURCE_ACCOUNT, { principal: f.role, action, context, identityPolicies, resourcePolicy });

  test('legitimate replicas: granted by the destination\'s bucket policy (the role\'s own policy names no destination object)', async () => {
    expect(await asRole({ ...https(), ...sse('aws:kms', f.keyArn) })).toEqual(['Allowed', []]);
    expect(await asRole({ ...https(), ...SSE_C })).toEqual(['Allowed', []]);
    expect((await asRole({ ...https(), ...sse('aws:kms', f.keyArn) }, f.rolePolicies, { Version: '2012-10-17', Statement: [] }))[0]).toBe('ImplicitlyDenied');
    // The SSE-C exemption lets the role replicate SSE-C objects, nothing more: it still may not upload.
    expect((await asRole({ ...https(), ...SSE_C }, f.rolePolicies, f.bucketPolicy, 's3:PutObject'))[0]).toBe('ImplicitlyDenied');
  });

  test.each<[string, Record<string, string>, string]>([
    ['under another key', { ...https(), ...sse('aws:kms', SOURCE_CONTROLLED_KEY) }, 'DenyOtherKmsKeys'],
    ['as SSE-S3', { ...https(), ...sse('AES256') }, 'DenyOtherEncryptionAlgorithms'],
    ['without a key id', { ...https(), ...sse('aws:kms') }, 'DenyKmsWithoutKeyId'],
  ])('the construct\'s own role replicating %s is denied, even if its policy allowed everything', async (_label, context, sid) => {
    const [decision, denied] = await asRole(context, [ALLOW_EVERYTHING]);
    expect([decision, denied.includes(sid)]).toEqual(['ExplicitlyDenied', true]);
  });
});
