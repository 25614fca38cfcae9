import { App, Stack } from 'aws-cdk-lib';
import { BucketEncryptionMode, EncryptedBucket } from '../../lib';
import {
  ALLOW_EVERYTHING, evaluate, http, https, ResolvedTemplate, rolePrincipalContext, TEST_ENV,
} from '../support/iam-evaluation';

/**
 * The bucket policy of each encryption mode, evaluated by a real IAM engine against a matrix of
 * legitimate requests and attacks. The principal is a role of the bucket's account whose identity
 * policy allows everything, so every denial comes from the bucket policy.
 */
const APP_ROLE = `arn:aws:iam::${TEST_ENV.account}:role/app`;
const WRONG_KEY = `arn:aws:kms:${TEST_ENV.region}:${TEST_ENV.account}:key/00000000-0000-0000-0000-000000000bad`;

interface Fixture {
  readonly bucketPolicy: unknown;
  readonly bucketArn: string;
  readonly keyArn?: string;
}

function synth(props: ConstructorParameters<typeof EncryptedBucket>[2]): Fixture {
  const app = new App();
  const stack = new Stack(app, 'PolicyUnderTest', { env: TEST_ENV });
  const bucket = new EncryptedBucket(stack, 'Data', props);
  const t = new ResolvedTemplate(stack);
  const bucketId = t.logicalId(bucket.bucket.node.defaultChild);
  const keyId = bucket.encryptionKey ? t.logicalId(bucket.encryptionKey.node.defaultChild) : undefined;
  return { bucketPolicy: t.bucketPolicyFor(bucketId), bucketArn: t.arnOf(bucketId), keyArn: keyId && t.arnOf(keyId) };
}

/** 'Allowed', or the Sid of the statement that denies the request explicitly. */
type Expectation = string;

async function expectDecision(f: Fixture, action: string, context: Record<string, string>, expected: Expectation, onBucket = false) {
  const outcome = await evaluate({
    principal: APP_ROLE,
    action,
    resource: onBucket ? f.bucketArn : `${f.bucketArn}/reports/2026.csv`,
    context: { ...rolePrincipalContext(APP_ROLE), ...context },
    identityPolicies: [ALLOW_EVERYTHING],
    resourcePolicy: f.bucketPolicy,
  });
  if (expected === 'Allowed') {
    expect(outcome).toEqual({ decision: 'Allowed', denyingStatements: [] });
  } else {
    expect(outcome.decision).toBe('ExplicitlyDenied');
    expect(outcome.denyingStatements).toContain(expected);
  }
}

const sse = (algorithm: string, keyId?: string): Record<string, string> => ({
  's3:x-amz-server-side-encryption': algorithm,
  ...(keyId ? { 's3:x-amz-server-side-encryption-aws-kms-key-id': keyId } : {}),
});
const SSE_C = { 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' };

describe.each([
  ['SSE_S3', BucketEncryptionMode.SSE_S3],
  ['SSE_KMS', BucketEncryptionMode.SSE_KMS],
  ['DSSE_KMS', BucketEncryptionMode.DSSE_KMS],
])('EncryptedBucket policy, %s', (name, mode) => {
  const f = synth({ encryption: mode });
  const own = (algorithm: string) => sse(algorithm, f.keyArn);
  const wrongAlgorithm = 'DenyOtherEncryptionAlgorithms';

  test('transport: plain HTTP is denied for objects and the bucket', async () => {
    await expectDecision(f, 's3:GetObject', http(), 'DenyInsecureTransport');
    await expectDecision(f, 's3:PutObject', http(), 'DenyInsecureTransport');
    await expectDecision(f, 's3:ListBucket', http(), 'DenyInsecureTransport', true);
  });

  test.each([['1.0'], ['1.1']])('transport: TLS %s is denied', async (tls) => {
    await expectDecision(f, 's3:GetObject', https(tls), 'DenyOutdatedTls');
    await expectDecision(f, 's3:PutObject', https(tls), 'DenyOutdatedTls');
    await expectDecision(f, 's3:ListBucket', https(tls), 'DenyOutdatedTls', true);
  });

  test.each([['1.2'], ['1.3']])('transport: TLS %s is allowed for reads, lists and header-less writes', async (tls) => {
    await expectDecision(f, 's3:GetObject', https(tls), 'Allowed');
    await expectDecision(f, 's3:ListBucket', https(tls), 'Allowed', true);
    await expectDecision(f, 's3:PutObject', https(tls), 'Allowed');
  });

  test('upload with AES256 header', async () => {
    await expectDecision(f, 's3:PutObject', { ...https(), ...sse('AES256') }, name === 'SSE_S3' ? 'Allowed' : wrongAlgorithm);
  });

  test('upload with aws:kms and the bucket key', async () => {
    const context = { ...https(), ...(f.keyArn ? own('aws:kms') : sse('aws:kms', WRONG_KEY)) };
    await expectDecision(f, 's3:PutObject', context, name === 'SSE_KMS' ? 'Allowed' : wrongAlgorithm);
  });

  test('upload with aws:kms:dsse and the bucket key', async () => {
    const context = { ...https(), ...(f.keyArn ? own('aws:kms:dsse') : sse('aws:kms:dsse', WRONG_KEY)) };
    await expectDecision(f, 's3:PutObject', context, name === 'DSSE_KMS' ? 'Allowed' : wrongAlgorithm);
  });

  test('upload naming another KMS key is denied', async () => {
    const algorithm = name === 'DSSE_KMS' ? 'aws:kms:dsse' : 'aws:kms';
    await expectDecision(f, 's3:PutObject', { ...https(), ...sse(algorithm, WRONG_KEY) },
      name === 'SSE_S3' ? wrongAlgorithm : 'DenyOtherKmsKeys');
  });

  test.each([['aws:kms'], ['aws:kms:dsse']])('upload with %s but no key id (would use aws/s3) is denied', async (algorithm) => {
    const own = algorithm === mode.sseAlgorithm;
    await expectDecision(f, 's3:PutObject', { ...https(), ...sse(algorithm) }, own ? 'DenyKmsWithoutKeyId' : wrongAlgorithm);
  });

  test('upload with SSE-C headers is denied', async () => {
    await expectDecision(f, 's3:PutObject', { ...https(), ...SSE_C }, 'DenySseC');
  });
});

describe('EncryptedBucket policy, minimum TLS 1.3', () => {
  const f = synth({ minimumTlsVersion: 1.3 });
  test('TLS 1.2 is denied and 1.3 allowed', async () => {
    await expectDecision(f, 's3:GetObject', https('1.2'), 'DenyOutdatedTls');
    await expectDecision(f, 's3:GetObject', https('1.3'), 'Allowed');
  });
});
