/**
 * Every S3 action whose request context can carry the server-side-encryption condition keys, per
 * the Service Authorization Reference ("Actions, resources, and condition keys for Amazon S3",
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html), and
 * what the bucket policy does about it. `test/policy/encryption-setting-actions.test.ts` derives
 * the list from the SAR data at test time and fails on an action without a decision here.
 */

/** The condition keys through which a request names an object's encryption. */
export const SSE_CONDITION_KEYS = {
  algorithm: 's3:x-amz-server-side-encryption',
  kmsKeyId: 's3:x-amz-server-side-encryption-aws-kms-key-id',
  customerAlgorithm: 's3:x-amz-server-side-encryption-customer-algorithm',
} as const;

/** The decision about one action. */
export interface EncryptionSettingActionDecision {
  /** The IAM action, e.g. `s3:PutObject`. */
  readonly action: string;
  /** The SSE condition keys the SAR lists for it (checked against the SAR data by the test). */
  readonly conditionKeys: readonly string[];
  /** Whether the bucket policy's encryption denies cover it. */
  readonly covered: boolean;
  /** Whether S3 replication writes replicas through it (the replica statements may treat it apart). */
  readonly writesReplicas: boolean;
  /** Why. */
  readonly reason: string;
  /** The AWS page the reason rests on. */
  readonly awsDocument: string;
}

const ALL_THREE = [SSE_CONDITION_KEYS.algorithm, SSE_CONDITION_KEYS.kmsKeyId, SSE_CONDITION_KEYS.customerAlgorithm];

/** The decisions, one per action. */
export const ENCRYPTION_SETTING_ACTIONS: readonly EncryptionSettingActionDecision[] = [
  {
    action: 's3:PutObject',
    conditionKeys: ALL_THREE,
    covered: true,
    writesReplicas: false,
    reason: 'PutObject, CopyObject and CreateMultipartUpload are authorized as s3:PutObject, and their x-amz-server-side-encryption* headers choose the new object\'s algorithm and key (or SSE-C) over the bucket default.',
    awsDocument: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html',
  },
  {
    action: 's3:ReplicateObject',
    conditionKeys: ALL_THREE,
    covered: true,
    writesReplicas: true,
    reason: 'Replication writes replicas through it. The source account chooses their key (ReplicaKmsKeyID in its replication configuration), and replicas keep the source object\'s encryption type (SSE-S3, SSE-KMS, DSSE-KMS, SSE-C), so a destination must check both.',
    awsDocument: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html',
  },
  {
    action: 's3:UpdateObjectEncryption',
    conditionKeys: [SSE_CONDITION_KEYS.algorithm, SSE_CONDITION_KEYS.kmsKeyId],
    covered: true,
    writesReplicas: false,
    reason: 'Changes the server-side encryption of an existing object in place (SSE-S3 to SSE-KMS, or to another KMS key) without rewriting it, so it can move objects off the bucket\'s key. SSE-C is not a target, so the SAR lists no customer-algorithm key for it.',
    awsDocument: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/update-sse-encryption.html',
  },
  {
    action: 's3:BypassGovernanceRetention',
    conditionKeys: ALL_THREE,
    covered: true,
    writesReplicas: false,
    reason: 'A permission S3 checks in addition to the operation\'s own action when a request sends x-amz-bypass-governance-retention (deleting or shortening governance-mode retention). Those requests choose no encryption, but the SAR lists the SSE keys in its request context and AWS documents no complete list of the requests that check it; '
      + 'covering it costs nothing (the denies fire only on a request naming another encryption) and leaves no permission that carries these keys outside the denies.',
    awsDocument: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html#object-lock-managing-bypass',
  },
];

/** Covered actions whose request context carries `conditionKey`, in table order. */
export function coveredActionsWith(conditionKey: string, options: { replicaWrites?: boolean } = {}): string[] {
  return ENCRYPTION_SETTING_ACTIONS
    .filter((d) => d.covered && d.conditionKeys.includes(conditionKey))
    .filter((d) => options.replicaWrites === undefined || d.writesReplicas === options.replicaWrites)
    .map((d) => d.action);
}

/** Covered actions that carry both the algorithm and the key-id keys (where `aws:kms` without a key id can be asked for). */
export function coveredActionsWithAlgorithmAndKeyId(): string[] {
  const keyId = new Set(coveredActionsWith(SSE_CONDITION_KEYS.kmsKeyId));
  return coveredActionsWith(SSE_CONDITION_KEYS.algorithm).filter((a) => keyId.has(a));
}
