import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { KmsKeyWithRotation } from '../../../lib';
import { denyGrantsNotForAwsResourcesStatement } from '../../../lib/private/kms-key-policy-statements';
import { KmsKeyGrantsForAwsResourcesOnly } from '../../../lib/guardrails/rules';
import { check, newStack, packViolations } from '../support';

const grantDeny = (overrides: object) => ({
  Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:CreateGrant', Resource: '*',
  Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  ...overrides,
});

function keyWithPolicy(...statements: object[]) {
  return new kms.CfnKey(newStack(), 'K', { enableKeyRotation: true, keyPolicy: { Version: '2012-10-17', Statement: statements } });
}

describe('KmsKeyGrantsForAwsResourcesOnly', () => {
  test('passes KmsKeyWithRotation and a kms.Key given the same statement', () => {
    const stack = newStack();
    expect(check(KmsKeyGrantsForAwsResourcesOnly, new KmsKeyWithRotation(stack, 'Ours'))).toEqual([]);
    const plain = new kms.Key(stack, 'Plain', { enableKeyRotation: true });
    plain.addToResourcePolicy(denyGrantsNotForAwsResourcesStatement());
    expect(check(KmsKeyGrantsForAwsResourcesOnly, plain)).toEqual([]);
  });

  test('passes broader hand-written denies: Principal "*", kms:* actions, only the GrantIsForAWSResource condition', () => {
    expect(check(KmsKeyGrantsForAwsResourcesOnly, keyWithPolicy(grantDeny({ Principal: '*', Action: ['kms:*'] })))).toEqual([]);
    expect(check(KmsKeyGrantsForAwsResourcesOnly, keyWithPolicy(grantDeny({ Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': false } } })))).toEqual([]);
  });

  test('fails the aws-cdk-lib default key policy and a key without a policy', () => {
    const stack = newStack();
    expect(check(KmsKeyGrantsForAwsResourcesOnly, new kms.Key(stack, 'Default'))).toEqual([expect.stringMatching(/no key-policy statement denies kms:CreateGrant/)]);
    expect(check(KmsKeyGrantsForAwsResourcesOnly, new kms.CfnKey(stack, 'NoPolicy'))).toEqual([expect.stringMatching(/no key policy/)]);
  });

  test.each([
    ['Bool instead of BoolIfExists (lets requests without the key through)', { Condition: { Bool: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } } }],
    ['an extra narrowing condition', { Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false' }, StringEquals: { 'aws:SourceVpc': 'vpc-1' } } }],
    ['one principal', { Principal: { AWS: 'arn:aws:iam::111111111111:role/app' } }],
    ['another action', { Action: 'kms:RetireGrant' }],
    ['Allow', { Effect: 'Allow' }],
  ])('fails a grant statement with %s', (_name, overrides) => {
    expect(check(KmsKeyGrantsForAwsResourcesOnly, keyWithPolicy(grantDeny(overrides)))).toHaveLength(1);
  });

  test('the pack reports it', () => {
    const stack = newStack();
    new kms.Key(stack, 'Default', { enableKeyRotation: true, policy: new iam.PolicyDocument() });
    expect(packViolations(stack)['S3Encryption-KmsKeyGrantsForAwsResourcesOnly']).toEqual(['Test/Default/Resource']);
  });
});
