import { Duration } from 'aws-cdk-lib';
import { BucketEncryptionMode, KmsRequestRate } from '../../lib';
import { ConstructPropError } from '../../lib/private/construct-prop-error';

/**
 * The KMS request-rate estimator. Its model: AWS KMS "Request quotas" (one GenerateDataKey per SSE-KMS
 * upload, one Decrypt per download, https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html)
 * and "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys" ("up to 99 percent",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html).
 */
describe('KmsRequestRate.estimate', () => {
  test('SSE-KMS without Bucket Keys: one GenerateDataKey per upload, one Decrypt per download', () => {
    const e = KmsRequestRate.estimate({ putsPerSecond: 100, getsPerSecond: 300, bucketKeyEnabled: false });
    expect(e).toMatchObject({
      requestsPerSecond: 400, generateDataKeyRequestsPerSecond: 100, decryptRequestsPerSecond: 300,
      withoutBucketKeysRequestsPerSecond: 400, quotaName: 'Cryptographic operations (symmetric) request rate',
    });
    expect(e.percentOfQuota).toBeUndefined();
  });

  test('SSE-KMS with Bucket Keys (the default): busy buckets save the documented 99% at most', () => {
    const e = KmsRequestRate.estimate({ putsPerSecond: 100, getsPerSecond: 300 });
    expect(e.generateDataKeyRequestsPerSecond).toBeCloseTo(1);
    expect(e.decryptRequestsPerSecond).toBeCloseTo(3);
    expect(e.requestsPerSecond / e.withoutBucketKeysRequestsPerSecond).toBeCloseTo(0.01);
    expect(e.assumptions.join(' ')).toMatch(/AWS does not document the reuse period/);
  });

  test('with Bucket Keys, a quiet bucket saves nothing (fewer requests than one per reuse period) and a moderate one is capped by the reuse period', () => {
    const quiet = KmsRequestRate.estimate({ putsPerSecond: 0.01, getsPerSecond: 0 });
    expect(quiet.requestsPerSecond).toBeCloseTo(0.01);
    const moderate = KmsRequestRate.estimate({ putsPerSecond: 1, getsPerSecond: 1, bucketKeyReusePeriod: Duration.seconds(10), bucketKeysReadPerPeriod: 5 });
    expect(moderate.generateDataKeyRequestsPerSecond).toBeCloseTo(0.1);
    expect(moderate.decryptRequestsPerSecond).toBeCloseTo(0.5);
  });

  test('DSSE-KMS: no Bucket Keys, a stated number of KMS requests per object request', () => {
    expect(KmsRequestRate.estimate({ putsPerSecond: 10, getsPerSecond: 10, encryption: BucketEncryptionMode.DSSE_KMS }).requestsPerSecond).toBe(20);
    const doubled = KmsRequestRate.estimate({ putsPerSecond: 10, getsPerSecond: 10, encryption: BucketEncryptionMode.DSSE_KMS, dsseKmsRequestsPerObjectRequest: 2 });
    expect(doubled.requestsPerSecond).toBe(40);
    expect(doubled.assumptions.join(' ')).toMatch(/no number/);
  });

  test('SSE-S3 makes no KMS requests', () => {
    expect(KmsRequestRate.estimate({ putsPerSecond: 1000, getsPerSecond: 1000, encryption: BucketEncryptionMode.SSE_S3 })).toMatchObject({ requestsPerSecond: 0, quotaName: '' });
  });

  test('share of the quota, with AWS\'s Regional defaults', () => {
    const e = KmsRequestRate.estimate({ putsPerSecond: 5000, getsPerSecond: 5000, bucketKeyEnabled: false, quotaRequestsPerSecond: KmsRequestRate.defaultSymmetricQuota('us-east-2') });
    expect(e.percentOfQuota).toBeCloseTo(50);
    expect(KmsRequestRate.defaultSymmetricQuota('us-east-1')).toBe(100_000);
    expect(KmsRequestRate.defaultSymmetricQuota('eu-west-2')).toBe(20_000);
    expect(KmsRequestRate.defaultSymmetricQuota('sa-east-1')).toBe(10_000);
  });

  test.each([
    [{ putsPerSecond: -1, getsPerSecond: 0 }, 'putsPerSecond'],
    [{ putsPerSecond: 0, getsPerSecond: Number.NaN }, 'getsPerSecond'],
    [{ putsPerSecond: 1, getsPerSecond: 1, encryption: BucketEncryptionMode.DSSE_KMS, bucketKeyEnabled: true }, 'bucketKeyEnabled'],
    [{ putsPerSecond: 1, getsPerSecond: 1, dsseKmsRequestsPerObjectRequest: 2 }, 'dsseKmsRequestsPerObjectRequest'],
    [{ putsPerSecond: 1, getsPerSecond: 1, bucketKeyReusePeriod: Duration.seconds(0) }, 'bucketKeyReusePeriod'],
    [{ putsPerSecond: 1, getsPerSecond: 1, quotaRequestsPerSecond: 0 }, 'quotaRequestsPerSecond'],
  ])('bad input %p names the prop %s', (props, prop) => {
    let error: unknown;
    try { KmsRequestRate.estimate(props); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConstructPropError);
    expect((error as ConstructPropError).prop).toBe(prop);
    expect((error as Error).message).toMatch(/Fix: /);
  });
});
