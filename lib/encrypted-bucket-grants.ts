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
 * `region`, and the encryption context S3 sends (`aws:s3:arn`) is the bucket ARN when S3 Bucket
 * Keys are on, or an object ARN under `objectsKeyPattern` when they are off.
 */
export function kmsThroughS3Conditions(
  region: string,
  bucketArn: string,
  bucketKeyEnabled: boolean,
  objectsKeyPattern = '*',
): Record<string, Record<string, unknown>> {
  const contextKey = 'kms:EncryptionContext:aws:s3:arn';
  return bucketKeyEnabled
    ? { StringEquals: { 'kms:ViaService': s3ServiceEndpoint(region), [contextKey]: bucketArn } }
    : {
      StringEquals: { 'kms:ViaService': s3ServiceEndpoint(region) },
      StringLike: { [contextKey]: `${bucketArn}/${objectsKeyPattern}` },
    };
}
