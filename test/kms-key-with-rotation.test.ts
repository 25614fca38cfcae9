import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { KmsKeyWithRotation, type KmsKeyWithRotationProps } from '../lib';
import { ConstructPropError } from '../lib/private/construct-prop-error';

function synth(props?: KmsKeyWithRotationProps) {
  const stack = new Stack(new App(), 'Keys', { env: { account: '111111111111', region: 'eu-west-1' } });
  const key = new KmsKeyWithRotation(stack, 'Key', props);
  return { key, template: Template.fromStack(stack) };
}

describe('KmsKeyWithRotation defaults', () => {
  const { template } = synth();

  test('rotation on every 365 days, 30-day deletion window, symmetric, retained', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({
        EnableKeyRotation: true,
        RotationPeriodInDays: 365,
        PendingWindowInDays: 30,
        KeySpec: 'SYMMETRIC_DEFAULT',
        KeyUsage: 'ENCRYPT_DECRYPT',
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('account administrators keep full control (no lock-out)', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Action: 'kms:*',
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } },
          Resource: '*',
        }]),
      },
    });
  });

  test('grants only for AWS resources, in the shape Control Tower CT.KMS.PR.3 requires', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Sid: 'DenyCreateGrantUnlessForAwsResource',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'kms:CreateGrant',
          Resource: '*',
          Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
        }]),
      },
    });
  });

  test('no S3 account-wide statement unless asked for', () => {
    expect(JSON.stringify(template.toJSON())).not.toContain('kms:ViaService');
  });
});

describe('KmsKeyWithRotation options', () => {
  test('alias, custom periods, removal policy and multi-Region', () => {
    const { template } = synth({
      alias: 'alias/orders', rotationPeriod: Duration.days(90), pendingWindow: Duration.days(7),
      removalPolicy: RemovalPolicy.DESTROY, multiRegion: true,
    });
    template.hasResourceProperties('AWS::KMS::Key', { RotationPeriodInDays: 90, PendingWindowInDays: 7, MultiRegion: true });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/orders' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('allowUseThroughS3 lets only this account use the key, only through S3 in this Region', () => {
    const { template } = synth({ allowUseThroughS3: true });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Sid: 'AllowUseThroughS3ForThisAccount',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: '*',
          Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:CallerAccount': '111111111111' } },
        }]),
      },
    });
  });

  test('allowUseThroughS3() is idempotent', () => {
    const { key } = synth({ allowUseThroughS3: true });
    key.allowUseThroughS3();
    const resources = Template.fromStack(key.stack).toJSON().Resources;
    const keyPolicy = Object.values<any>(resources).find((r) => r.Type === 'AWS::KMS::Key').Properties.KeyPolicy;
    expect(keyPolicy.Statement.filter((s: any) => s.Sid === 'AllowUseThroughS3ForThisAccount')).toHaveLength(1);
  });
});

describe('KmsKeyWithRotation validation', () => {
  const cases: Array<[string, KmsKeyWithRotationProps, string, RegExp]> = [
    ['rotation below 90 days', { rotationPeriod: Duration.days(89) }, 'rotationPeriod', /90-2560 days/],
    ['rotation above 2560 days', { rotationPeriod: Duration.days(2561) }, 'rotationPeriod', /90-2560 days/],
    ['rotation not whole days', { rotationPeriod: Duration.hours(2500) }, 'rotationPeriod', /whole number of days/],
    ['pending window below 7 days', { pendingWindow: Duration.days(6) }, 'pendingWindow', /7-30/],
    ['pending window above 30 days', { pendingWindow: Duration.days(31) }, 'pendingWindow', /7-30/],
    ['pending window not whole days', { pendingWindow: Duration.hours(200) }, 'pendingWindow', /8 days 8 hours is outside .*7-30 whole days/],
    ['asymmetric key spec', { keySpec: kms.KeySpec.RSA_2048 }, 'keySpec', /RSA_2048 is not a symmetric/],
    ['HMAC key spec', { keySpec: kms.KeySpec.HMAC_256 }, 'keySpec', /HMAC_256/],
    ['signing key usage', { keyUsage: kms.KeyUsage.SIGN_VERIFY }, 'keyUsage', /SIGN_VERIFY/],
  ];

  test.each(cases)('%s throws at synth naming path, prop and fix', (_name, props, prop, message) => {
    let error: unknown;
    try {
      synth(props);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConstructPropError);
    const e = error as ConstructPropError;
    expect(e.constructPath).toBe('Keys/Key');
    expect(e.prop).toBe(prop);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/^Keys\/Key: prop '\w+': .+ Fix: .+/);
  });

  test('boundaries 90, 2560, 7 and 30 days are accepted', () => {
    expect(() => synth({ rotationPeriod: Duration.days(90), pendingWindow: Duration.days(7) })).not.toThrow();
    expect(() => synth({ rotationPeriod: Duration.days(2560), pendingWindow: Duration.days(30) })).not.toThrow();
  });
});
