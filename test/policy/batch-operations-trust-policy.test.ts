import { App, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ClientSideKeyRotation, EncryptedBucket, KeyEncryptionKey, KmsKeyWithRotation, SseCKeyRotation } from '../../lib';
import { evaluate, ResolvedTemplate, rolePrincipalContext, TEST_ENV } from '../support/iam-evaluation';

/**
 * The role S3 Batch Operations assumes to invoke the rotation functions, evaluated by the IAM engine
 * with the request Batch Operations sends: sts:AssumeRole by the service principal
 * batchoperations.s3.amazonaws.com. AWS's trust policy for that role ("Granting permissions for
 * Batch Operations", https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-iam-role-policies.html)
 * has no condition, and no AWS document says Batch Operations sets aws:SourceArn or
 * aws:SourceAccount, so the request carries only what every service principal's request carries.
 * A condition on either key would make every job fail to assume the role.
 */
const SERVICE = 'batchoperations.s3.amazonaws.com';

function synth() {
  const stack = new Stack(new App(), 'Rotation', { env: TEST_ENV });
  const sseCBucket = new EncryptedBucket(stack, 'SseC', { sseC: {} });
  const sseC = new SseCKeyRotation(stack, 'SseCRotation', { bucket: sseCBucket, keySecret: new secretsmanager.Secret(stack, 'Key') });
  const cse = new ClientSideKeyRotation(stack, 'CseRotation', {
    bucket: new EncryptedBucket(stack, 'Cse').bucket,
    fromKeys: [KeyEncryptionKey.fromKmsKey(new KmsKeyWithRotation(stack, 'Old'))],
    toKey: KeyEncryptionKey.fromKmsKey(new KmsKeyWithRotation(stack, 'New')),
  });
  const t = new ResolvedTemplate(stack);
  const trust = (role: iam.IRole) => {
    const id = t.logicalId(role.node.defaultChild);
    return { roleArn: t.arnOf(id), trustPolicy: t.resolve(t.template.Resources[id].Properties.AssumeRolePolicyDocument) };
  };
  return { sseC: trust(sseC.batchOperationsRole), cse: trust(cse.batchOperationsRole), lambdaRole: trust(sseC.functionRole) };
}

/** The service principal's request: no identity policy, only the trust policy decides. */
function assumeAsService(service: string, roleArn: string, trustPolicy: unknown, extra: Record<string, string> = {}) {
  return evaluate({
    principal: service,
    action: 'sts:AssumeRole',
    resource: roleArn,
    context: { 'aws:PrincipalIsAWSService': 'true', 'aws:PrincipalServiceName': service, ...extra },
    resourcePolicy: trustPolicy,
  });
}

describe.each(['sseC', 'cse'] as const)('the Batch Operations role of the %s rotation', (which) => {
  const roles = synth();
  const { roleArn, trustPolicy } = roles[which];

  test('S3 Batch Operations can assume it with the request it sends (no aws:SourceArn / aws:SourceAccount)', async () => {
    expect(await assumeAsService(SERVICE, roleArn, trustPolicy)).toEqual({ decision: 'Allowed', denyingStatements: [] });
  });

  test('no other service and no IAM principal can assume it', async () => {
    expect((await assumeAsService('lambda.amazonaws.com', roleArn, trustPolicy)).decision).toBe('ImplicitlyDenied');
    const admin = `arn:aws:iam::${TEST_ENV.account}:role/admin`;
    const byRole = await evaluate({
      principal: admin, action: 'sts:AssumeRole', resource: roleArn, context: rolePrincipalContext(admin),
      identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }],
      resourcePolicy: trustPolicy,
    });
    // An identity policy never allows sts:AssumeRole on its own: the role's trust policy must name the principal.
    expect(byRole.decision).toBe('ImplicitlyDenied');
  });

  test('the trust policy is exactly AWS\'s documented one', () => {
    expect(trustPolicy).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: SERVICE }, Action: 'sts:AssumeRole' }] });
  });
});

test('the function\'s own role trusts Lambda only, not Batch Operations', async () => {
  const { roleArn, trustPolicy } = synth().lambdaRole;
  expect((await assumeAsService(SERVICE, roleArn, trustPolicy)).decision).toBe('ImplicitlyDenied');
  expect((await assumeAsService('lambda.amazonaws.com', roleArn, trustPolicy)).decision).toBe('Allowed');
});
