import { Aws, CfnOutput, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { throwIfProblems } from './private/construct-prop-error';
import { EncryptedBucket, type EncryptedBucketProps } from './encrypted-bucket';
import { bucketKeyContextPossible } from './private/bucket-key-context';
import { KmsKeyWithRotation } from './kms-key-with-rotation';
import { type ReplicaBucketAttributes } from './replicated-encrypted-bucket';
import {
  allowReplicaKeyUseStatement,
  allowReplicationIntoBucketStatements,
  replicaContextForms,
  roleArnFromName,
} from './private/replication-role-statements';
import { destinationEncryption, validateDestinationSettings } from './private/replication-destination-validation';

/** The replication source, as the destination stack knows it: plain values, no tokens. */
export interface ReplicationSourceReference {
  /** The account of the source bucket and its replication role. */
  readonly account: string;
  /** The name of the source's replication role (`ReplicatedEncryptedBucket` `replicationRoleName`). */
  readonly replicationRoleName: string;
  /**
   * Whether the source bucket uses S3 Bucket Keys. Informational: replicas of SSE-KMS objects may
   * carry either encryption context whatever the Bucket Key settings (each object's Bucket Key is
   * chosen per upload), so the key policy allows both forms of this bucket's context.
   * @default true
   */
  readonly bucketKeyEnabled?: boolean;
}

/** Props of {@link ReplicationDestination}: the replica bucket's settings plus the source. */
export interface ReplicationDestinationProps extends EncryptedBucketProps {
  /** The replication source that may write here. */
  readonly source: ReplicationSourceReference;

  /**
   * Alias of the replica key, with or without `alias/`. The source names the key by this alias
   * (`ReplicaKmsKeyID`), so it needs no cross-stack reference to the key.
   * @default - `s3-replica/<bucketName>` (dots replaced by dashes)
   */
  readonly replicaKeyAlias?: string;

  /**
   * Let the source hand ownership of replicas to this account (`s3:ObjectOwnerOverrideToBucketOwner`).
   * Only for a source in another account.
   * @default true when the source is in another account
   */
  readonly allowOwnershipOverride?: boolean;
}

/**
 * A bucket and key ready to receive replicas, for the destination stack (another Region or
 * account than the source). It is an `EncryptedBucket` (versioned, SSE-KMS under a rotating key
 * with an alias by default) that protects itself from its source, since the source account
 * chooses the replicas' key (`ReplicaKmsKeyID`) and replicas keep the source's encryption type:
 * its bucket policy refuses replicas (`s3:ReplicateObject`) under any key but its own (key ARN, or
 * the alias ARN the source names it by), of another algorithm (SSE-S3 replicas only with
 * `acceptSseS3Replicas`), KMS replicas naming no key (`aws/s3`), and SSE-C replicas unless it opted
 * in to SSE-C (then only from the source's role). Its policies let exactly the source's
 * replication role replicate:
 * - the key policy lets the role (named by ARN, so it need not exist yet) encrypt replicas, only
 *   through S3 in this Region and only for this bucket's encryption context;
 * - for a source in another account, the bucket policy lets the role write replicas (and take
 *   ownership), principal the source account narrowed to the role.
 *
 * Publishing without cycles: the bucket has a deterministic name (`bucketName` is required) and
 * the key a deterministic alias, so `replicaTargetAttributes()` returns plain strings the source
 * stack can use without any cross-stack reference, in any Region. Nothing here refers to the
 * source stack either. Deploy this stack first: S3 rejects a rule whose destination does not
 * exist. Across accounts, the role's policy must name the key by ARN: this construct outputs it
 * (`ReplicaKeyArn`) for the source stack's configuration.
 */
export class ReplicationDestination extends Construct {
  /** The replica bucket. */
  public readonly bucket: EncryptedBucket;
  /** The key that encrypts replicas (undefined for SSE-S3). */
  public readonly replicaKey?: kms.IKey;
  /** The replica key's alias, `alias/...` (undefined for SSE-S3). */
  public readonly replicaKeyAlias?: string;
  /** The source this destination accepts. */
  public readonly sourceReference: ReplicationSourceReference;
  /** The replica bucket's (deterministic) name. */
  public readonly bucketName: string;

  /**
   * @param scope the construct this one is defined in
   * @param id its id, unique within `scope`
   * @param props its settings
   */
  constructor(scope: Construct, id: string, props: ReplicationDestinationProps) {
    super(scope, id);
    const stack = Stack.of(this);
    throwIfProblems(this, validateDestinationSettings(props, stack.account, stack.region));
    this.sourceReference = props.source;
    this.bucketName = props.bucketName!;
    const usesKms = destinationEncryption(props).usesKms;
    const { source, replicaKeyAlias, allowOwnershipOverride, encryptionKeyProps, ...bucketProps } = props;
    const roleArn = roleArnFromName(Aws.PARTITION, source.account, source.replicationRoleName);
    // By name, not GetAtt: the bucket's encryption already refers to the key (a GetAtt here would
    // be a circular dependency).
    const bucketArn = `arn:${Aws.PARTITION}:s3:::${this.bucketName}`;
    if (usesKms) {
      const alias = replicaKeyAlias ?? encryptionKeyProps?.alias ?? `s3-replica/${this.bucketName.replace(/\./g, '-')}`;
      this.replicaKeyAlias = alias.startsWith('alias/') ? alias : `alias/${alias}`;
      this.replicaKey = props.encryptionKey
        ?? new KmsKeyWithRotation(this, 'ReplicaKey', { ...encryptionKeyProps, alias: this.replicaKeyAlias });
    }
    this.bucket = new EncryptedBucket(this, 'Bucket', {
      ...bucketProps,
      encryptionKey: usesKms ? this.replicaKey : props.encryptionKey,
      encryptionKeyProps: usesKms ? undefined : encryptionKeyProps,
      // The source may name the key by this alias (ReplicaKmsKeyID): accept its alias ARN next to the key ARN.
      replicaKeyAliases: usesKms ? [...new Set([...(bucketProps.replicaKeyAliases ?? []), this.replicaKeyAlias!])] : bucketProps.replicaKeyAliases,
    });
    if (this.bucket.sseCAllowed) {
      // SSE-C objects replicate as SSE-C: exempt exactly the source's replication role from the SSE-C deny.
      this.bucket.allowSseCFrom(iam.Role.fromRoleArn(this, 'SourceReplicationRole', roleArn, { mutable: false }));
    }
    if (this.replicaKey && this.replicaKeyAlias) {
      // Validation on the source side requires the source's algorithm to match this bucket's.
      const forms = replicaContextForms(bucketKeyContextPossible(this.bucket.encryption.sseAlgorithm), [undefined]);
      const added = this.replicaKey.addToResourcePolicy(
        allowReplicaKeyUseStatement(roleArn, stack.region, bucketArn, forms, 'FromSource'));
      if (!added.statementAdded) {
        throwIfProblems(this, [{
          prop: 'encryptionKey',
          problem: 'the key is not defined in this app, so its key policy cannot grant the replication role.',
          fix: 'pass a key defined in this stack (KmsKeyWithRotation, KmsReplicaKey), or omit encryptionKey to create one.',
        }]);
      }
      if (props.encryptionKey) this.replicaKey.addAlias(this.replicaKeyAlias);
      new CfnOutput(this, 'ReplicaKeyArn', {
        value: this.replicaKey.keyArn,
        description: `ARN of the key that encrypts replicas in ${this.bucketName}; a source in another account needs it as replicaKeyArn.`,
      });
    }

    const crossAccount = source.account !== stack.account;
    if (crossAccount) {
      for (const statement of allowReplicationIntoBucketStatements(
        this.bucket.bucketArn, source.account, roleArn, allowOwnershipOverride ?? true)) {
        this.bucket.bucket.addToResourcePolicy(statement);
      }
    }
    new CfnOutput(this, 'BucketArn', { value: this.bucket.bucketArn, description: 'ARN of the replica bucket.' });
  }

  /**
   * The destination as plain values for the source stack's `ReplicaTarget.fromAttributes`: bucket
   * name, account, Region, key alias, and the facts validation checks (versioning, Object Lock,
   * SSE-C, Bucket Keys, the role name it grants). No tokens, so no cross-stack reference.
   */
  public replicaTargetAttributes(): ReplicaBucketAttributes {
    const stack = Stack.of(this);
    return {
      bucketName: this.bucketName,
      account: stack.account,
      region: stack.region,
      replicaKeyAlias: this.replicaKeyAlias,
      bucketKeyEnabled: this.bucket.bucketKeyEnabled,
      versioned: this.bucket.versioned,
      objectLockEnabled: this.bucket.objectLockEnabled,
      sseCBlocked: !this.bucket.sseCAllowed,
      encryption: this.bucket.encryption,
      acceptsSseS3Replicas: this.bucket.acceptsSseS3Replicas,
      replicationRoleName: this.sourceReference.replicationRoleName,
    };
  }
}
