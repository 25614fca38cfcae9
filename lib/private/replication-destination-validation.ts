import { Token } from 'aws-cdk-lib';
import { BucketEncryptionMode } from '../bucket-encryption-mode';
import { type PropProblem } from './construct-prop-error';
import { type ReplicationDestinationProps } from '../replication-destination';

/** Checks the destination's props and environment. Pure: returns problems, throws nothing. */
export function validateDestinationSettings(props: ReplicationDestinationProps, account: string, region: string): PropProblem[] {
  const problems: PropProblem[] = [];
  if (props.bucketName === undefined || Token.isUnresolved(props.bucketName)) {
    problems.push({
      prop: 'bucketName',
      problem: 'the replica bucket needs a deterministic name: the source stack names it without a cross-stack reference.',
      fix: 'set bucketName to a plain string, e.g. `<app>-replica-<account>-<region>`.',
    });
  }
  if (Token.isUnresolved(account) || Token.isUnresolved(region)) {
    problems.push({
      prop: 'env',
      problem: 'the stack has no explicit account and Region, so the source cannot be told where this bucket is.',
      fix: 'give the destination stack env: { account, region }.',
    });
  }
  const source = props.source;
  if (Token.isUnresolved(source.account) || !/^\d{12}$/.test(source.account)) {
    problems.push({
      prop: 'source.account',
      problem: `'${source.account}' is not a plain 12-digit account id.`,
      fix: 'pass the source account id as a string.',
    });
  }
  if (Token.isUnresolved(source.replicationRoleName) || !/^[\w+=,.@-]{1,64}$/.test(source.replicationRoleName)) {
    problems.push({
      prop: 'source.replicationRoleName',
      problem: `'${source.replicationRoleName}' is not a plain IAM role name (1-64 of letters, digits and +=,.@_-).`,
      fix: 'pass the name given as replicationRoleName to the source ReplicatedEncryptedBucket.',
    });
  }
  const usesKms = destinationEncryption(props).usesKms;
  if (!usesKms && props.replicaKeyAlias !== undefined) {
    problems.push({
      prop: 'replicaKeyAlias',
      problem: 'a replica key alias was set but the bucket uses SSE-S3 (no key).',
      fix: 'remove replicaKeyAlias, or use a KMS encryption mode.',
    });
  }
  if (props.replicaKeyAlias && props.encryptionKeyProps?.alias && strip(props.replicaKeyAlias) !== strip(props.encryptionKeyProps.alias)) {
    problems.push({
      prop: 'replicaKeyAlias',
      problem: `two aliases were given for the replica key ('${props.replicaKeyAlias}' and encryptionKeyProps.alias '${props.encryptionKeyProps.alias}').`,
      fix: 'set only replicaKeyAlias.',
    });
  }
  const alias = props.replicaKeyAlias;
  if (alias !== undefined && !Token.isUnresolved(alias) && !/^(alias\/)?[a-zA-Z0-9/_-]{1,250}$/.test(alias)) {
    problems.push({
      prop: 'replicaKeyAlias',
      problem: `'${alias}' is not a valid KMS alias name (letters, digits, / _ -).`,
      fix: 'use a name such as "s3-replica/data".',
    });
  }
  if (props.allowOwnershipOverride && !Token.isUnresolved(account) && source.account === account) {
    problems.push({
      prop: 'allowOwnershipOverride',
      problem: 'owner override is for a source in another account; this source is in the same account.',
      fix: 'remove allowOwnershipOverride.',
    });
  }
  return problems;
}

/** The replica bucket's encryption: explicit, else its profile's, else EncryptedBucket's default (SSE-KMS). */
export function destinationEncryption(props: ReplicationDestinationProps): BucketEncryptionMode {
  return props.encryption ?? props.profile?.encryption ?? BucketEncryptionMode.SSE_KMS;
}

function strip(alias: string): string {
  return alias.replace(/^alias\//, '');
}
