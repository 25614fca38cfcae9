import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { EncryptedBucket, SseCKeyRotation } from '../../lib';
import { ALLOW_EVERYTHING, evaluate, http, https, OTHER_ACCOUNT, ResolvedTemplate, rolePrincipalContext, TEST_ENV } from '../support/iam-evaluation';

/**
 * The SSE-C custodian policy (EncryptedBucket `sseC` opt-in + SseCKeyRotation), evaluated by the IAM engine:
 * the custodians (the re-key function's role and the named application role) may send SSE-C, every other
 * principal sending SSE-C is denied even with an allow-everything identity policy, and requests without
 * SSE-C get exactly the decisions they get on a bucket without the opt-in.
 */
interface Fixture {
  readonly bucketPolicy: unknown;
  readonly objectArn: string;
  readonly bucketArn: string;
  readonly keyArn: string;
  readonly roles: Record<'function' | 'app' | 'stranger', string>;
  readonly functionPolicies: unknown[];
}

function synth(optIn: boolean): Fixture {
  const stack = new Stack(new App(), 'Custodian', { env: TEST_ENV });
  const app = new iam.Role(stack, 'AppRole', { assumedBy: new iam.AccountRootPrincipal() });
  const stranger = new iam.Role(stack, 'StrangerRole', { assumedBy: new iam.AccountRootPrincipal() });
  const bucket = new EncryptedBucket(stack, 'Data', optIn ? { sseC: {} } : {});
  let functionRole: iam.IRole = stranger;
  if (optIn) {
    const rotation = new SseCKeyRotation(stack, 'Rotation', { bucket, keySecret: new secretsmanager.Secret(stack, 'SseCKey'), sseCRoles: [app] });
    functionRole = rotation.functionRole;
  }
  const t = new ResolvedTemplate(stack);
  const bucketId = t.logicalId(bucket.bucket.node.defaultChild);
  const roleArn = (r: iam.IRole) => t.arnOf(t.logicalId(r.node.defaultChild));
  const functionRoleId = t.logicalId(functionRole.node.defaultChild);
  return {
    bucketPolicy: t.bucketPolicyFor(bucketId),
    bucketArn: t.arnOf(bucketId),
    objectArn: `${t.arnOf(bucketId)}/tenants/7/ledger.parquet`,
    keyArn: t.arnOf(t.logicalId(bucket.encryptionKey!.node.defaultChild)),
    roles: { function: roleArn(functionRole), app: roleArn(app), stranger: roleArn(stranger) },
    functionPolicies: optIn ? t.identityPoliciesOf(functionRoleId) : [],
  };
}

const SSE_C = { 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' };

async function decide(f: Fixture, principal: string, action: string, context: Record<string, string>, options: { resource?: string; identity?: unknown[] } = {}) {
  return evaluate({
    principal,
    action,
    resource: options.resource ?? f.objectArn,
    context: { ...rolePrincipalContext(principal), ...context },
    identityPolicies: options.identity ?? [ALLOW_EVERYTHING],
    resourcePolicy: f.bucketPolicy,
  });
}

describe('SSE-C custodian bucket policy (EncryptedBucket sseC opt-in + SseCKeyRotation)', () => {
  const f = synth(true);
  const plain = synth(false);

  test.each([['function'], ['app']] as const)('the %s role (a custodian) may PUT with SSE-C over TLS', async (who) => {
    expect(await decide(f, f.roles[who], 's3:PutObject', { ...https(), ...SSE_C })).toEqual({ decision: 'Allowed', denyingStatements: [] });
  });

  test('any other principal sending SSE-C is denied, although its identity policy allows everything', async () => {
    const outcome = await decide(f, f.roles.stranger, 's3:PutObject', { ...https(), ...SSE_C });
    expect(outcome).toEqual({ decision: 'ExplicitlyDenied', denyingStatements: ['DenySseC'] });
  });

  test('a principal of another account sending SSE-C is denied', async () => {
    const outsider = `arn:aws:iam::${OTHER_ACCOUNT}:role/attacker`;
    const outcome = await decide(f, outsider, 's3:PutObject', { ...https(), ...SSE_C });
    expect(outcome.decision).toBe('ExplicitlyDenied');
    expect(outcome.denyingStatements).toContain('DenySseC');
  });

  test('custodians still need TLS: SSE-C over plain HTTP is denied', async () => {
    const outcome = await decide(f, f.roles.function, 's3:PutObject', { ...http(), ...SSE_C });
    expect(outcome.decision).toBe('ExplicitlyDenied');
    expect(outcome.denyingStatements).toContain('DenyInsecureTransport');
  });

  test("end to end with the function's own identity policy: it may re-key objects of this bucket only", async () => {
    const identity = f.functionPolicies;
    expect(identity.length).toBeGreaterThan(0);
    for (const action of ['s3:GetObject', 's3:PutObject']) {
      const ok = await decide(f, f.roles.function, action, { ...https(), ...(action === 's3:PutObject' ? SSE_C : {}) }, { identity });
      expect({ action, decision: ok.decision }).toEqual({ action, decision: 'Allowed' });
    }
    const otherBucket = await decide(f, f.roles.function, 's3:PutObject', { ...https(), ...SSE_C }, { identity, resource: 'arn:aws:s3:::someone-elses-bucket/x' });
    expect(otherBucket.decision).toBe('ImplicitlyDenied');
    const deletion = await decide(f, f.roles.function, 's3:DeleteObject', https(), { identity });
    expect(deletion.decision).toBe('ImplicitlyDenied');
  });

  // Requests without SSE-C: the opt-in must not change a single decision.
  const withoutSseC: Array<[string, string, () => Record<string, string>, boolean]> = [
    ['GetObject over TLS', 's3:GetObject', () => https(), false],
    ['GetObject over HTTP', 's3:GetObject', () => http(), false],
    ['GetObject over TLS 1.1', 's3:GetObject', () => https('1.1'), false],
    ['PutObject without encryption headers', 's3:PutObject', () => https(), false],
    ['PutObject with aws:kms and the bucket key', 's3:PutObject', () => ({ ...https(), 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': 'KEY' }), false],
    ['PutObject with aws:kms and no key id', 's3:PutObject', () => ({ ...https(), 's3:x-amz-server-side-encryption': 'aws:kms' }), false],
    ['PutObject with AES256', 's3:PutObject', () => ({ ...https(), 's3:x-amz-server-side-encryption': 'AES256' }), false],
    ['PutObject over HTTP', 's3:PutObject', () => http(), false],
    ['DeleteObject', 's3:DeleteObject', () => https(), false],
    ['ListBucket', 's3:ListBucket', () => https(), true],
  ];
  test.each(withoutSseC)('non-SSE-C request unchanged for every principal: %s', async (_label, action, context, onBucket) => {
    for (const who of ['function', 'app', 'stranger'] as const) {
      const resolve = (fx: Fixture) => {
        const ctx = context();
        if (ctx['s3:x-amz-server-side-encryption-aws-kms-key-id'] === 'KEY') ctx['s3:x-amz-server-side-encryption-aws-kms-key-id'] = fx.keyArn;
        return ctx;
      };
      const optIn = await decide(f, f.roles[who], action, resolve(f), onBucket ? { resource: f.bucketArn } : {});
      // the same principal name on the bucket without the opt-in (where no custodian exists)
      const baseline = await decide(plain, f.roles[who], action, resolve(plain), onBucket ? { resource: plain.bucketArn } : { resource: `${plain.bucketArn}/tenants/7/ledger.parquet` });
      expect({ who, decision: optIn.decision, denied: optIn.denyingStatements }).toEqual({ who, decision: baseline.decision, denied: baseline.denyingStatements });
    }
  });

  test('without the opt-in, even the would-be custodians are denied SSE-C', async () => {
    const outcome = await decide(plain, f.roles.app, 's3:PutObject', { ...https(), ...SSE_C }, { resource: `${plain.bucketArn}/k` });
    expect(outcome).toEqual({ decision: 'ExplicitlyDenied', denyingStatements: ['DenySseC'] });
  });
});
