import * as iam from 'aws-cdk-lib/aws-iam';
import { s3ServiceEndpoint } from './kms-key-policy-statements';

/**
 * The policy statements S3 replication needs, as pure functions of ARNs and names: the role's own
 * (identity) statements, the statements a source or destination bucket policy uses to grant the
 * role object access, and the statements a destination (possibly in another account) adds to its
 * bucket and key policies. No wildcard actions; object resources are exactly `bucket/prefix*`.
 */
export const REPLICATION_ACTIONS = {
  /** On the source bucket: read the replication configuration, list (S3 needs it for delete markers). */
  sourceBucket: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
  /** On source objects: read each version with its ACL and tags, for replication only. */
  sourceObjects: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
  /** On source objects when the source uses Object Lock: read retention and legal holds. */
  sourceObjectLock: ['s3:GetObjectRetention', 's3:GetObjectLegalHold'],
  /** On destination objects: write replicas, delete markers and tags. */
  destinationObjects: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
  /** On destination objects, with owner override: hand replica ownership to the destination account. */
  ownershipOverride: ['s3:ObjectOwnerOverrideToBucketOwner'],
  /** On the destination bucket: check that versioning is on (the only bucket-level read S3 asks for). */
  destinationBucket: ['s3:GetBucketVersioning'],
  /** On the source key: decrypt source objects (SSE-KMS / DSSE-KMS). */
  sourceKey: ['kms:Decrypt'],
  /** On the replica key: encrypt replicas. */
  replicaKey: ['kms:Encrypt', 'kms:GenerateDataKey'],
  /** On the replica key when replicas use S3 Bucket Keys: S3 decrypts the Bucket Key to check it. */
  replicaKeyBucketKey: ['kms:Decrypt'],
} as const;

/** Sids of the statements, so checks and tests can find them. */
export const REPLICATION_SIDS = {
  sourceBucket: 'ReplicationReadSourceBucket',
  sourceObjects: 'ReplicationReadSourceObjects',
  sourceKey: 'ReplicationDecryptSourceObjects',
  destinationObjects: 'ReplicationWriteReplicas',
  destinationBucket: 'ReplicationCheckDestinationVersioning',
  replicaKey: 'ReplicationEncryptReplicas',
} as const;

/** The key-name pattern of the objects a rule replicates: `prefix*`, or `*` without a prefix. */
export function replicatedKeysPattern(prefix?: string): string {
  return `${prefix ?? ''}*`;
}

/** Key-name patterns for a set of rule prefixes (`*` covers every prefix, so it wins). */
export function keyPatterns(prefixes: readonly (string | undefined)[]): string[] {
  return prefixes.some((p) => !p) ? ['*'] : [...new Set(prefixes.map(replicatedKeysPattern))];
}

/** Object ARNs of `bucketArn` for each prefix. */
export function objectArns(bucketArn: string, prefixes: readonly (string | undefined)[]): string[] {
  return keyPatterns(prefixes).map((p) => `${bucketArn}/${p}`);
}

/** Which `aws:s3:arn` encryption contexts S3 may send for a bucket's objects. */
export interface EncryptionContextForms {
  /** The bucket ARN: objects under an S3 Bucket Key. */
  readonly bucket: boolean;
  /** Object ARNs under these prefixes: objects encrypted without a Bucket Key. */
  readonly objectPrefixes: readonly (string | undefined)[];
}

/**
 * The encryption contexts a replica can carry. Replicas keep the source object's encryption type,
 * so SSE-KMS sources give SSE-KMS replicas, which may be under an S3 Bucket Key (context: the
 * destination bucket ARN) or not (the replica's object ARN): S3 documents the bucket ARN when a
 * Bucket Key is on for the source or the destination, and the Bucket Key of each source object can
 * be turned off or on per upload, so both forms are allowed (still only for the destination
 * bucket). DSSE-KMS replicas have no Bucket Key: object ARNs only.
 */
export function replicaContextForms(sseKmsReplicas: boolean, prefixes: readonly (string | undefined)[]): EncryptionContextForms {
  return { bucket: sseKmsReplicas, objectPrefixes: prefixes };
}

/**
 * `kms:ViaService` = S3 in `region` and `kms:EncryptionContext:aws:s3:arn` = one of the allowed
 * forms for `bucketArn` (the bucket ARN, object ARNs under the prefixes).
 */
export function kmsViaS3ForBucket(region: string, bucketArn: string, forms: EncryptionContextForms): Record<string, Record<string, unknown>> {
  const contexts: string[] = [
    ...(forms.bucket ? [bucketArn] : []),
    ...(forms.objectPrefixes.length === 0 ? [] : keyPatterns(forms.objectPrefixes).map((p) => `${bucketArn}/${p}`)),
  ];
  if (contexts.length === 0) throw new Error('an encryption context form is required');
  return {
    StringEquals: { 'kms:ViaService': s3ServiceEndpoint(region) },
    StringLike: { 'kms:EncryptionContext:aws:s3:arn': contexts.length === 1 ? contexts[0] : contexts },
  };
}

/** Identity: read the replication configuration of the source bucket and list it. */
export function sourceBucketStatement(sourceBucketArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: REPLICATION_SIDS.sourceBucket,
    actions: [...REPLICATION_ACTIONS.sourceBucket],
    resources: [sourceBucketArn],
  });
}

/**
 * Read the source objects a set of rules replicates (with Object Lock metadata when the source
 * uses Object Lock). With `principal`, a bucket-policy statement for the source bucket.
 */
export function sourceObjectsStatement(
  sourceBucketArn: string,
  prefixes: readonly (string | undefined)[],
  objectLock: boolean,
  principal?: iam.IPrincipal,
  sidSuffix = '',
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: `${REPLICATION_SIDS.sourceObjects}${sidSuffix}`,
    principals: principal ? [principal] : undefined,
    actions: [...REPLICATION_ACTIONS.sourceObjects, ...(objectLock ? REPLICATION_ACTIONS.sourceObjectLock : [])],
    resources: objectArns(sourceBucketArn, prefixes),
  });
}

/**
 * Write replicas of the replicated objects into a destination (and take ownership with
 * `ownershipOverride`). With `principal`, a bucket-policy statement for the destination bucket.
 */
export function destinationObjectsStatement(
  destinationBucketArn: string,
  prefixes: readonly (string | undefined)[],
  ownershipOverride: boolean,
  options: { principal?: iam.IPrincipal; sidSuffix?: string; conditions?: Record<string, Record<string, unknown>> } = {},
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: `${REPLICATION_SIDS.destinationObjects}${options.sidSuffix ?? ''}`,
    principals: options.principal ? [options.principal] : undefined,
    actions: [...REPLICATION_ACTIONS.destinationObjects, ...(ownershipOverride ? REPLICATION_ACTIONS.ownershipOverride : [])],
    resources: objectArns(destinationBucketArn, prefixes),
    conditions: options.conditions,
  });
}

/** Check the destination's versioning. With `principal`, a bucket-policy statement. */
export function destinationBucketStatement(
  destinationBucketArn: string,
  options: { principal?: iam.IPrincipal; sidSuffix?: string; conditions?: Record<string, Record<string, unknown>> } = {},
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: `${REPLICATION_SIDS.destinationBucket}${options.sidSuffix ?? ''}`,
    principals: options.principal ? [options.principal] : undefined,
    actions: [...REPLICATION_ACTIONS.destinationBucket],
    resources: [destinationBucketArn],
    conditions: options.conditions,
  });
}

/**
 * Identity: decrypt source objects with the source key, only through S3 in the source Region and
 * only for the source bucket's encryption contexts: object ARNs under the replicated prefixes and,
 * when `bucketKeyContextPossible` (an SSE-KMS source, whose objects may each be under a Bucket Key
 * or not, whatever the bucket's default), the bucket ARN.
 */
export function sourceKeyStatement(
  sourceKeyArn: string,
  sourceRegion: string,
  sourceBucketArn: string,
  bucketKeyContextPossible: boolean,
  prefixes: readonly (string | undefined)[],
  sidSuffix = '',
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: `${REPLICATION_SIDS.sourceKey}${sidSuffix}`,
    actions: [...REPLICATION_ACTIONS.sourceKey],
    resources: [sourceKeyArn],
    conditions: kmsViaS3ForBucket(sourceRegion, sourceBucketArn, { bucket: bucketKeyContextPossible, objectPrefixes: prefixes }),
  });
}

/**
 * Encrypt replicas with the replica key, only through S3 in the destination Region and only for
 * the destination bucket's encryption contexts; `kms:Decrypt` too when replicas can use a Bucket
 * Key. Identity form (resource = the key ARN) without `principal`.
 */
export function replicaKeyStatement(
  replicaKeyArn: string,
  destinationRegion: string,
  destinationBucketArn: string,
  forms: EncryptionContextForms,
  sidSuffix = '',
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: `${REPLICATION_SIDS.replicaKey}${sidSuffix}`,
    actions: replicaKeyActions(forms),
    resources: [replicaKeyArn],
    conditions: kmsViaS3ForBucket(destinationRegion, destinationBucketArn, forms),
  });
}

/** The KMS actions replication needs on a replica key. */
export function replicaKeyActions(forms: EncryptionContextForms): string[] {
  return [...REPLICATION_ACTIONS.replicaKey, ...(forms.bucket ? REPLICATION_ACTIONS.replicaKeyBucketKey : [])];
}

/** `arn:<partition>:iam::<account>:role/<name>`, for policies that must name a role before it exists. */
export function roleArnFromName(partition: string, account: string, roleName: string): string {
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}

/**
 * Destination side, key policy: let the source's replication role (named by ARN, so the role need
 * not exist yet when the destination deploys first) use the replica key, only through S3 in the
 * destination Region and only for the destination bucket's encryption contexts.
 * `Principal: *` narrowed by `aws:PrincipalArn` is a direct grant in the same account (an account
 * principal would only delegate to IAM, and the source stack cannot name a key whose ARN it does
 * not know); across accounts the role's own policy must allow the key too.
 */
export function allowReplicaKeyUseStatement(
  replicationRoleArn: string,
  destinationRegion: string,
  destinationBucketArn: string,
  forms: EncryptionContextForms,
  sidSuffix = '',
): iam.PolicyStatement {
  const conditions = kmsViaS3ForBucket(destinationRegion, destinationBucketArn, forms);
  return new iam.PolicyStatement({
    sid: `AllowReplicationRoleToEncryptReplicas${sidSuffix}`,
    principals: [new iam.AnyPrincipal()],
    actions: replicaKeyActions(forms),
    resources: ['*'],
    conditions: { ...conditions, ArnEquals: { 'aws:PrincipalArn': replicationRoleArn } },
  });
}

/**
 * Destination side, bucket policy for a source in another account: let exactly the source's
 * replication role write replicas (and take ownership with `ownershipOverride`) and check
 * versioning. The principal is the source account (it always exists, so the destination can
 * deploy first), narrowed to the role by `aws:PrincipalArn`. Deliberately without the
 * `s3:List*` and `s3:PutBucketVersioning` of AWS's example policy: a foreign role must not be able
 * to list the replica bucket or suspend its versioning.
 */
export function allowReplicationIntoBucketStatements(
  destinationBucketArn: string,
  sourceAccount: string,
  replicationRoleArn: string,
  ownershipOverride: boolean,
  sidSuffix = '',
): iam.PolicyStatement[] {
  const principal = new iam.AccountPrincipal(sourceAccount);
  const conditions = { ArnEquals: { 'aws:PrincipalArn': replicationRoleArn } };
  return [
    destinationObjectsStatement(destinationBucketArn, [undefined], ownershipOverride, { principal, sidSuffix: `FromSource${sidSuffix}`, conditions }),
    destinationBucketStatement(destinationBucketArn, { principal, sidSuffix: `FromSource${sidSuffix}`, conditions }),
  ];
}
