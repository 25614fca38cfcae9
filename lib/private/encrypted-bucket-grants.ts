import { s3ServiceEndpoint } from './kms-key-policy-statements';

/**
 * What each `EncryptedBucket` grant allows. Explicit actions, no wildcards: the grants pass
 * cdk-nag's AwsSolutions-IAM5 action check and say exactly what the grantee can do.
 */
export interface AccessLevelActions {
  /** S3 actions on objects (`bucket/pattern`). */
  readonly objectActions: readonly string[];
  /** S3 actions on the bucket itself. */
  readonly bucketActions: readonly string[];
  /** KMS actions on the bucket's key (none for SSE-S3). */
  readonly kmsActions: readonly string[];
}

/** The access levels the grants build from. Multipart uploads need `kms:Decrypt` as well as `kms:GenerateDataKey`. */
export const ACCESS_LEVELS = {
  read: {
    objectActions: ['s3:GetObject', 's3:GetObjectVersion'],
    bucketActions: ['s3:ListBucket', 's3:GetBucketLocation'],
    kmsActions: ['kms:Decrypt'],
  },
  write: {
    objectActions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
    bucketActions: ['s3:ListBucketMultipartUploads'],
    kmsActions: ['kms:GenerateDataKey', 'kms:Decrypt'],
  },
  delete: {
    objectActions: ['s3:DeleteObject'],
    bucketActions: [],
    kmsActions: [],
  },
} satisfies Record<string, AccessLevelActions>;

/** Union of access levels, without duplicates, in a stable order. */
export function combineAccessLevels(...levels: AccessLevelActions[]): AccessLevelActions {
  const union = (pick: (l: AccessLevelActions) => readonly string[]) => [...new Set(levels.flatMap(pick))];
  return {
    objectActions: union((l) => l.objectActions),
    bucketActions: union((l) => l.bucketActions),
    kmsActions: union((l) => l.kmsActions),
  };
}

/**
 * Conditions that confine a KMS permission to S3 acting on one bucket: `kms:ViaService` is S3 in
 * `region`, and the encryption context S3 sends (`aws:s3:arn`) is an object ARN under
 * `objectsKeyPattern` or, when `bucketKeyContextPossible`, the bucket ARN too.
 *
 * The bucket ARN is the context of objects under an S3 Bucket Key, the object ARN that of objects
 * without one. Which one an object has is decided per request: the bucket's setting is only the
 * default, and a client may send `x-amz-server-side-encryption-bucket-key-enabled: false` (or `true`)
 * on PutObject/CopyObject ("Configuring an S3 Bucket Key at the object level",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-bucket-key-object.html). The
 * Service Authorization Reference has no condition key for that header, so a policy cannot deny
 * it: every SSE-KMS bucket (`bucketKeyContextPossible`) can hold objects of both forms, and
 * grantees must be able to read both. DSSE-KMS does not support Bucket Keys (object ARNs only).
 */
export function kmsThroughS3Conditions(
  region: string,
  bucketArn: string,
  bucketKeyContextPossible: boolean,
  objectsKeyPattern = '*',
): Record<string, Record<string, unknown>> {
  const objects = `${bucketArn}/${objectsKeyPattern}`;
  return {
    StringEquals: { 'kms:ViaService': s3ServiceEndpoint(region) },
    StringLike: { 'kms:EncryptionContext:aws:s3:arn': bucketKeyContextPossible ? [bucketArn, objects] : objects },
  };
}
