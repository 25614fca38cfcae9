import { Duration, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { BucketEncryptionMode, EncryptedBucket, EncryptedBucketProfile, type EncryptedBucketProps, KmsKeyWithRotation } from '../../lib';
import { ConstructPropError } from '../../lib/private/construct-prop-error';
import { newStack, packViolations } from './support';

/** An SSE-S3 server access log bucket: "Enabling Amazon S3 server access logging" requires SSE-S3 on the destination. */
const logBucket = (stack: Stack, id = 'Logs') => new EncryptedBucket(stack, id, { profile: EncryptedBucketProfile.GENERAL_PURPOSE });

/** A stack holding a log bucket and a bucket with `props`. */
function profiled(props: EncryptedBucketProps) {
  const stack = newStack();
  const logs = logBucket(stack, 'AccessLogs');
  const bucket = new EncryptedBucket(stack, 'Data', { serverAccessLogsBucket: logs.bucket, ...props });
  const template = Template.fromStack(stack);
  const id = stack.getLogicalId(bucket.bucket.node.defaultChild as s3.CfnBucket);
  return { stack, bucket, template, properties: template.toJSON().Resources[id].Properties };
}

const encryptionRule = (properties: any) => properties.BucketEncryption.ServerSideEncryptionConfiguration[0];

describe('EncryptedBucketProfile: what each profile sets', () => {
  test('GENERAL_PURPOSE: SSE-S3, no key, TLS 1.2 and SSE-C blocked, logs optional', () => {
    const stack = newStack();
    const bucket = new EncryptedBucket(stack, 'Data', { profile: EncryptedBucketProfile.GENERAL_PURPOSE });
    const template = Template.fromStack(stack);
    const rule = encryptionRule(template.toJSON().Resources[stack.getLogicalId(bucket.bucket.node.defaultChild as s3.CfnBucket)].Properties);
    expect(rule).toEqual({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] } });
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'DenyOutdatedTls', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } })]) },
    });
    expect(bucket.encryption).toBe(BucketEncryptionMode.SSE_S3);
  });

  test('REGULATED: SSE-KMS under a new rotating key with Bucket Keys, access logs, versioning', () => {
    const { bucket, template, properties } = profiled({ profile: EncryptedBucketProfile.REGULATED });
    expect(encryptionRule(properties)).toEqual({
      BucketKeyEnabled: true,
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] } },
      BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
    });
    expect(properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: expect.stringMatching(/^AccessLogsBucket/) }, LogFilePrefix: expect.any(String) });
    expect(properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(properties.ObjectLockEnabled).toBeUndefined();
    expect(bucket.encryptionKey).toBeInstanceOf(KmsKeyWithRotation);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('REGULATED with Object Lock and no default retention: ObjectLockEnabled only (CloudFormation requires a Rule in any ObjectLockConfiguration)', () => {
    const { properties } = profiled({ profile: EncryptedBucketProfile.REGULATED, objectLockEnabled: true });
    expect(properties.ObjectLockEnabled).toBe(true);
    expect(properties.ObjectLockConfiguration).toBeUndefined();
  });

  test('STRICT: DSSE-KMS under a new rotating key, no Bucket Keys, access logs, versioning', () => {
    const { properties } = profiled({ profile: EncryptedBucketProfile.STRICT });
    expect(encryptionRule(properties)).toEqual({
      BucketKeyEnabled: false,
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms:dsse', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] } },
      BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
    });
    expect(properties.LoggingConfiguration).toBeDefined();
    expect(properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  test('minimumEncryption of each profile is its weakest accepted mode', () => {
    expect(EncryptedBucketProfile.GENERAL_PURPOSE.minimumEncryption).toBe(BucketEncryptionMode.SSE_S3);
    expect(EncryptedBucketProfile.REGULATED.minimumEncryption).toBe(BucketEncryptionMode.SSE_KMS);
    expect(EncryptedBucketProfile.STRICT.minimumEncryption).toBe(BucketEncryptionMode.DSSE_KMS);
  });
});

describe('EncryptedBucketProfile: explicit props', () => {
  test('override the profile when they keep its guarantees', () => {
    const stack = newStack();
    const logs = logBucket(stack);
    const key = new KmsKeyWithRotation(stack, 'Shared');
    const gpKms = new EncryptedBucket(stack, 'GpKms', { profile: EncryptedBucketProfile.GENERAL_PURPOSE, encryption: BucketEncryptionMode.SSE_KMS });
    const regulatedDsse = new EncryptedBucket(stack, 'RegDsse', { profile: EncryptedBucketProfile.REGULATED, encryption: BucketEncryptionMode.DSSE_KMS, serverAccessLogsBucket: logs.bucket });
    const regulatedKey = new EncryptedBucket(stack, 'RegKey', { profile: EncryptedBucketProfile.REGULATED, encryptionKey: key, serverAccessLogsBucket: logs.bucket, minimumTlsVersion: 1.3 });
    const gpUnversioned = new EncryptedBucket(stack, 'GpUnversioned', { profile: EncryptedBucketProfile.GENERAL_PURPOSE, versioned: false });
    expect([gpKms.encryption, gpKms.bucketKeyEnabled]).toEqual([BucketEncryptionMode.SSE_KMS, true]);
    expect([regulatedDsse.encryption, regulatedDsse.bucketKeyEnabled]).toEqual([BucketEncryptionMode.DSSE_KMS, false]);
    expect([regulatedKey.encryptionKey, regulatedKey.minimumTlsVersion]).toEqual([key, 1.3]);
    expect(gpUnversioned.versioned).toBe(false);
  });

  const role = (stack: any) => new iam.Role(stack, 'Custodian', { assumedBy: new iam.AccountRootPrincipal() });
  test.each([
    ['GENERAL_PURPOSE', 'sseC', EncryptedBucketProfile.GENERAL_PURPOSE, (s: any) => ({ sseC: { allowedRoles: [role(s)] } }), /GENERAL_PURPOSE profile keeps SSE-C blocked/],
    ['REGULATED', 'encryption', EncryptedBucketProfile.REGULATED, () => ({ encryption: BucketEncryptionMode.SSE_S3 }), /REGULATED profile requires SSE_KMS or DSSE_KMS, but encryption is SSE_S3/],
    ['REGULATED', 'bucketKeyEnabled', EncryptedBucketProfile.REGULATED, () => ({ bucketKeyEnabled: false }), /keeps S3 Bucket Keys on/],
    ['REGULATED', 'versioned', EncryptedBucketProfile.REGULATED, () => ({ versioned: false }), /REGULATED profile requires versioning/],
    ['STRICT', 'encryption', EncryptedBucketProfile.STRICT, () => ({ encryption: BucketEncryptionMode.SSE_KMS }), /STRICT profile requires DSSE_KMS/],
    ['STRICT', 'versioned', EncryptedBucketProfile.STRICT, () => ({ versioned: false }), /STRICT profile requires versioning/],
  ])('%s rejects %s that breaks its guarantee', (_name, prop, profile, props, message) => {
    const stack = newStack();
    const logs = logBucket(stack);
    let error: unknown;
    try {
      new EncryptedBucket(stack, 'Data', { profile, serverAccessLogsBucket: logs.bucket, ...props(stack) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConstructPropError);
    expect((error as ConstructPropError).message).toMatch(message);
    expect((error as ConstructPropError).prop).toBe(prop);
    expect((error as ConstructPropError).constructPath).toBe('Test/Data');
  });

  test.each([EncryptedBucketProfile.REGULATED, EncryptedBucketProfile.STRICT])('%s requires a log bucket and says how to make one', (profile) => {
    expect(() => new EncryptedBucket(newStack(), 'Data', { profile })).toThrow(
      /prop 'serverAccessLogsBucket': the .* profile requires server access logs, and no log bucket was given. Fix: pass serverAccessLogsBucket: a bucket .* encrypted with SSE-S3, .*EncryptedBucketProfile.GENERAL_PURPOSE/);
  });

  test('the foundation validation still applies after the profile (DSSE with Bucket Keys)', () => {
    const stack = newStack();
    const logs = logBucket(stack);
    expect(() => new EncryptedBucket(stack, 'Data', { profile: EncryptedBucketProfile.STRICT, bucketKeyEnabled: true, serverAccessLogsBucket: logs.bucket }))
      .toThrow(/Bucket Keys are not supported with DSSE-KMS/);
  });

  test('a profile does not change an abort-incomplete-uploads override', () => {
    const { properties } = profiled({ profile: EncryptedBucketProfile.REGULATED, abortIncompleteMultipartUploadAfter: Duration.days(2) });
    expect(properties.LifecycleConfiguration.Rules[0].AbortIncompleteMultipartUpload).toEqual({ DaysAfterInitiation: 2 });
  });
});

describe('each profile\'s bucket passes the rule pack', () => {
  test('GENERAL_PURPOSE passes the pack held to its own minimum (SSE-S3); the KMS default of the pack flags only its encryption', () => {
    const stack = newStack();
    new EncryptedBucket(stack, 'Data', { profile: EncryptedBucketProfile.GENERAL_PURPOSE });
    expect(packViolations(stack, { minimumEncryption: EncryptedBucketProfile.GENERAL_PURPOSE.minimumEncryption })).toEqual({});
    expect(packViolations(stack)).toEqual({ 'S3Encryption-S3BucketDefaultEncryption': ['Test/Data/Bucket/Resource'] });
  });

  test.each([EncryptedBucketProfile.REGULATED, EncryptedBucketProfile.STRICT])('%s and its SSE-S3 log bucket pass the default pack and the pack held to its own minimum', (profile) => {
    const { stack } = profiled({ profile });
    expect(packViolations(stack)).toEqual({});
    expect(packViolations(stack, { minimumEncryption: profile.minimumEncryption })).toEqual({});
  });

  test('the SSE-S3 log bucket passes because it receives server access logs: the same bucket alone fails the KMS minimum', () => {
    const stack = newStack();
    logBucket(stack, 'Unused');
    expect(packViolations(stack)).toEqual({ 'S3Encryption-S3BucketDefaultEncryption': ['Test/Unused/Bucket/Resource'] });
  });
});
