import * as iam from 'aws-cdk-lib/aws-iam';
import { SSE_CONDITION_KEYS, coveredActionsWith, coveredActionsWithAlgorithmAndKeyId } from './encryption-setting-actions';
import { S3_LOG_DELIVERY_PRINCIPAL } from './s3-log-delivery';

/**
 * The bucket-policy statements `EncryptedBucket` renders, as pure functions of ARNs, so that the
 * guardrails can check for them and add them to buckets we did not create.
 *
 * Header-conditional denies pair `Null <header> false` with the comparison, so they fire only when
 * the header is present: header-less uploads still get the bucket's default encryption.
 *
 * The encryption denies cover every S3 action through which a request can choose an object's
 * encryption (the Service Authorization Reference lists the condition keys per action; the
 * decision per action is in lib/private/encryption-setting-actions.ts): PutObject (also CopyObject
 * and multipart uploads), ReplicateObject (replicas), UpdateObjectEncryption and
 * BypassGovernanceRetention.
 */
export const BUCKET_POLICY_SIDS = {
  denyInsecureTransport: 'DenyInsecureTransport',
  denyOutdatedTls: 'DenyOutdatedTls',
  denyOtherEncryptionAlgorithms: 'DenyOtherEncryptionAlgorithms',
  denyOtherReplicaEncryptionAlgorithms: 'DenyOtherReplicaEncryptionAlgorithms',
  denyOtherKmsKeys: 'DenyOtherKmsKeys',
  denyKmsWithoutKeyId: 'DenyKmsWithoutKeyId',
  denySseC: 'DenySseC',
  allowServerAccessLogDelivery: 'AllowServerAccessLogDelivery',
} as const;

/** The S3 condition keys the statements use. */
export const S3_CONDITION_KEYS = {
  secureTransport: 'aws:SecureTransport',
  tlsVersion: 's3:TlsVersion',
  sseAlgorithm: SSE_CONDITION_KEYS.algorithm,
  kmsKeyId: SSE_CONDITION_KEYS.kmsKeyId,
  sseCustomerAlgorithm: SSE_CONDITION_KEYS.customerAlgorithm,
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
 * Deny requests whose `x-amz-server-side-encryption` asks for another algorithm than
 * `sseAlgorithm` (`AES256`, `aws:kms` or `aws:kms:dsse`: DSSE is its own algorithm), on every
 * action that can set it. Requests without the header are not affected and get the default
 * encryption. With `includeReplicaWrites: false` replicas are left to
 * `denyOtherReplicaEncryptionAlgorithmsStatement` (a bucket that accepts SSE-S3 replicas).
 */
export function denyOtherEncryptionAlgorithmsStatement(bucketArn: string, sseAlgorithm: string, includeReplicaWrites = true): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: BUCKET_POLICY_SIDS.denyOtherEncryptionAlgorithms,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: coveredActionsWith(SSE_CONDITION_KEYS.algorithm, includeReplicaWrites ? {} : { replicaWrites: false }),
    resources: [`${bucketArn}/*`],
    conditions: {
      StringNotEquals: { [S3_CONDITION_KEYS.sseAlgorithm]: sseAlgorithm },
      Null: { [S3_CONDITION_KEYS.sseAlgorithm]: 'false' },
    },
  });
}

/**
 * Deny replicas (the replication write actions that carry the algorithm) whose algorithm is none
 * of `acceptedAlgorithms`: the bucket's own, plus `AES256` for a destination that accepts SSE-S3
 * replicas (S3 replicates SSE-S3 objects as SSE-S3). Pair with
 * `denyOtherEncryptionAlgorithmsStatement(arn, algorithm, false)`.
 */
export function denyOtherReplicaEncryptionAlgorithmsStatement(bucketArn: string, acceptedAlgorithms: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: BUCKET_POLICY_SIDS.denyOtherReplicaEncryptionAlgorithms,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: coveredActionsWith(SSE_CONDITION_KEYS.algorithm, { replicaWrites: true }),
    resources: [`${bucketArn}/*`],
    conditions: {
      StringNotEquals: { [S3_CONDITION_KEYS.sseAlgorithm]: acceptedAlgorithms.length === 1 ? acceptedAlgorithms[0] : acceptedAlgorithms },
      Null: { [S3_CONDITION_KEYS.sseAlgorithm]: 'false' },
    },
  });
}

/**
 * Deny requests whose KMS key id names anything but `keyArn`, on every action that can set it
 * (replicas included: the source account picks `ReplicaKmsKeyID`). Clients that send the header
 * must send the full key ARN; clients that omit it get the bucket's key by default.
 * `otherSpellingsOfTheKey` are further ids of the same key that a request may carry, e.g. the ARN
 * of an alias of the bucket's account and Region that a replication source names instead of the key.
 */
export function denyOtherKmsKeysStatement(bucketArn: string, keyArn: string, otherSpellingsOfTheKey: string[] = []): iam.PolicyStatement {
  const accepted = [keyArn, ...otherSpellingsOfTheKey];
  return new iam.PolicyStatement({
    sid: BUCKET_POLICY_SIDS.denyOtherKmsKeys,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: coveredActionsWith(SSE_CONDITION_KEYS.kmsKeyId),
    resources: [`${bucketArn}/*`],
    conditions: {
      StringNotEquals: { [S3_CONDITION_KEYS.kmsKeyId]: accepted.length === 1 ? keyArn : accepted },
      Null: { [S3_CONDITION_KEYS.kmsKeyId]: 'false' },
    },
  });
}

/**
 * Deny `aws:kms` / `aws:kms:dsse` requests that name no key: S3 would encrypt them under the
 * AWS-managed `aws/s3` key instead of the bucket's key.
 */
export function denyKmsWithoutKeyIdStatement(bucketArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: BUCKET_POLICY_SIDS.denyKmsWithoutKeyId,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: coveredActionsWithAlgorithmAndKeyId(),
    resources: [`${bucketArn}/*`],
    conditions: {
      StringEquals: { [S3_CONDITION_KEYS.sseAlgorithm]: ['aws:kms', 'aws:kms:dsse'] },
      Null: { [S3_CONDITION_KEYS.kmsKeyId]: 'true' },
    },
  });
}

/**
 * Deny requests with SSE-C headers, uploads and replicas alike. With `exemptRoleArns` (may be a
 * lazy list), those roles (the SSE-C custodians, and the replication roles that write SSE-C
 * replicas) remain able to use SSE-C and everyone else is still denied.
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
    actions: coveredActionsWith(SSE_CONDITION_KEYS.customerAlgorithm),
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
