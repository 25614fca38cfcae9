import * as iam from 'aws-cdk-lib/aws-iam';
import { S3_LOG_DELIVERY_PRINCIPAL } from './private/s3-log-delivery';

/**
 * The bucket-policy statements `EncryptedBucket` renders, as pure functions of ARNs, so that the
 * guardrails can check for them and add them to buckets we did not create.
 *
 * Header-conditional denies pair `Null <header> false` with the comparison, so they fire only when
 * the header is present: header-less uploads still get the bucket's default encryption.
 */
export const BUCKET_POLICY_SIDS = {
  denyInsecureTransport: 'DenyInsecureTransport',
  denyOutdatedTls: 'DenyOutdatedTls',
  denyOtherEncryptionAlgorithms: 'DenyOtherEncryptionAlgorithms',
  denyOtherKmsKeys: 'DenyOtherKmsKeys',
  denyKmsWithoutKeyId: 'DenyKmsWithoutKeyId',
  denySseC: 'DenySseC',
  allowServerAccessLogDelivery: 'AllowServerAccessLogDelivery',
} as const;

/** The S3 condition keys the statements use. */
export const S3_CONDITION_KEYS = {
  secureTransport: 'aws:SecureTransport',
  tlsVersion: 's3:TlsVersion',
  sseAlgorithm: 's3:x-amz-server-side-encryption',
  kmsKeyId: 's3:x-amz-server-side-encryption-aws-kms-key-id',
  sseCustomerAlgorithm: 's3:x-amz-server-side-encryption-customer-algorithm',
  principalArn: 'aws:PrincipalArn',
} as const;

/** The minimum TLS versions a bucket may require. Anything else locks clients out or is not TLS. */
export const ALLOWED_MINIMUM_TLS_VERSIONS: readonly number[] = [1.2, 1.3];

/**
 * Deny every request that does not use TLS, on the bucket and its objects. This is the exact shape
 * cdk-nag's S3BucketSSLRequestsOnly (AwsSolutions-S10) and Security Hub S3.5 accept.
 */
export function denyInsecureTransportStatement(bucketArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: BUCKET_POLICY_SIDS.denyInsecureTransport,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:*'],
    resources: [bucketArn, `${bucketArn}/*`],
    conditions: { Bool: { [S3_CONDITION_KEYS.secureTransport]: 'false' } },
  });
}

/** Deny every request made over a TLS version older than `minimumVersion` (1.2 or 1.3). */
export function denyOutdatedTlsStatement(bucketArn: string, minimumVersion: number): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: BUCKET_POLICY_SIDS.denyOutdatedTls,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:*'],
    resources: [bucketArn, `${bucketArn}/*`],
    conditions: { NumericLessThan: { [S3_CONDITION_KEYS.tlsVersion]: minimumVersion } },
  });
}

/**
 * Deny uploads whose `x-amz-server-side-encryption` header names another algorithm than
 * `sseAlgorithm` (`AES256`, `aws:kms` or `aws:kms:dsse`: DSSE is its own algorithm).
 * Uploads without the header are not affected and get the default encryption.
 */
export function denyOtherEncryptionAlgorithmsStatement(bucketArn: string, sseAlgorithm: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: BUCKET_POLICY_SIDS.denyOtherEncryptionAlgorithms,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:PutObject'],
    resources: [`${bucketArn}/*`],
    conditions: {
      StringNotEquals: { [S3_CONDITION_KEYS.sseAlgorithm]: sseAlgorithm },
      Null: { [S3_CONDITION_KEYS.sseAlgorithm]: 'false' },
    },
  });
}

/**
 * Deny uploads whose KMS key id header names anything but `keyArn`. Clients that send the header
 * must send the full key ARN; clients that omit it get the bucket's key by default.
 */
export function denyOtherKmsKeysStatement(bucketArn: string, keyArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: BUCKET_POLICY_SIDS.denyOtherKmsKeys,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:PutObject'],
    resources: [`${bucketArn}/*`],
    conditions: {
      StringNotEquals: { [S3_CONDITION_KEYS.kmsKeyId]: keyArn },
      Null: { [S3_CONDITION_KEYS.kmsKeyId]: 'false' },
    },
  });
}

/**
 * Deny `aws:kms` / `aws:kms:dsse` uploads that name no key: S3 would encrypt them under the
 * AWS-managed `aws/s3` key instead of the bucket's key.
 */
export function denyKmsWithoutKeyIdStatement(bucketArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: BUCKET_POLICY_SIDS.denyKmsWithoutKeyId,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:PutObject'],
    resources: [`${bucketArn}/*`],
    conditions: {
      StringEquals: { [S3_CONDITION_KEYS.sseAlgorithm]: ['aws:kms', 'aws:kms:dsse'] },
      Null: { [S3_CONDITION_KEYS.kmsKeyId]: 'true' },
    },
  });
}

/**
 * Deny uploads with SSE-C headers. With `exemptRoleArns` (may be a lazy list), those roles (the
 * SSE-C custodians) remain able to use SSE-C and everyone else is still denied.
 */
export function denySseCStatement(bucketArn: string, exemptRoleArns?: string[]): iam.PolicyStatement {
  const conditions: Record<string, Record<string, unknown>> = {
    Null: { [S3_CONDITION_KEYS.sseCustomerAlgorithm]: 'false' },
  };
  if (exemptRoleArns !== undefined) {
    conditions.ArnNotEquals = { [S3_CONDITION_KEYS.principalArn]: exemptRoleArns };
  }
  return new iam.PolicyStatement({
    sid: BUCKET_POLICY_SIDS.denySseC,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:PutObject'],
    resources: [`${bucketArn}/*`],
    conditions,
  });
}

/**
 * Let S3 server access logging deliver logs of `sourceBucketArn` (owned by `sourceAccount`)
 * under `prefix` in the log bucket. `sidSuffix` (alphanumeric) keeps Sids unique when several
 * buckets log into one.
 */
export function allowServerAccessLogDeliveryStatement(
  logBucketArn: string,
  prefix: string,
  sourceBucketArn: string,
  sourceAccount: string,
  sidSuffix = '',
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: `${BUCKET_POLICY_SIDS.allowServerAccessLogDelivery}${sidSuffix}`,
    effect: iam.Effect.ALLOW,
    principals: [new iam.ServicePrincipal(S3_LOG_DELIVERY_PRINCIPAL)],
    actions: ['s3:PutObject'],
    resources: [`${logBucketArn}/${prefix}*`],
    conditions: {
      ArnLike: { 'aws:SourceArn': sourceBucketArn },
      StringEquals: { 'aws:SourceAccount': sourceAccount },
    },
  });
}
