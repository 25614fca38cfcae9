import { type Duration, Token } from 'aws-cdk-lib';
import { BucketEncryptionMode } from '../bucket-encryption-mode';
import { type PropProblem } from './construct-prop-error';
import { ALLOWED_MINIMUM_TLS_VERSIONS } from './encrypted-bucket-policy-statements';
import { wholeDays } from './whole-days';

/** What validation needs to know about the bucket's props, already resolved to plain values. */
export interface EncryptedBucketSettings {
  readonly encryption: BucketEncryptionMode;
  readonly encryptionKeyGiven: boolean;
  readonly encryptionKeyPropsGiven: boolean;
  /** `keySpec` of the passed key, when it is a key defined in this app. */
  readonly encryptionKeySpec?: string;
  /** Region of the passed key, when known (imported by ARN, or defined in a stack with an explicit env). */
  readonly encryptionKeyRegion?: string;
  /** Region of the bucket's stack, when known. */
  readonly bucketRegion?: string;
  readonly bucketKeyEnabled?: boolean;
  readonly minimumTlsVersion?: number;
  readonly versioned?: boolean;
  readonly objectLockEnabled?: boolean;
  readonly objectLockDefaultRetentionGiven: boolean;
  readonly serverAccessLogsPrefix?: string;
  /** Facts about the server access log target, when one is given. */
  readonly logTarget?: LogTargetFacts;
  readonly abortIncompleteMultipartUploadAfter?: Duration;
  readonly acceptSseS3Replicas?: boolean;
  readonly replicaKeyAliases?: readonly string[];
}

/** What can be known about a server access log target bucket at synth time. */
export interface LogTargetFacts {
  /** The target's default `SSEAlgorithm`, when it is defined in this app; undefined when imported. */
  readonly sseAlgorithm?: string;
  /** Whether the target's default encryption names a customer-managed KMS key. */
  readonly hasCustomerManagedKey?: boolean;
}

/**
 * Server access logs: "The destination bucket must use Amazon S3 managed keys (SSE-S3). If the
 * destination bucket uses SSE-KMS, Amazon S3 might deliver log objects that are encrypted with a key
 * that you can't access." (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).
 * A target without a default encryption rule gets S3's default, SSE-S3.
 */
export function logTargetEncryptionProblem(target: LogTargetFacts): string | undefined {
  if (target.sseAlgorithm === undefined || target.sseAlgorithm === 'AES256') return undefined;
  const mode = target.sseAlgorithm === 'aws:kms:dsse' ? 'DSSE-KMS' : target.hasCustomerManagedKey ? 'SSE-KMS' : 'SSE-KMS with the AWS-managed aws/s3 key';
  return `the log bucket uses ${mode}; AWS documents that server access log destinations must use SSE-S3 (log objects delivered into a KMS bucket may be encrypted under a key you can't access).`;
}

/** Checks every combination of `EncryptedBucket` props. Pure: returns problems, throws nothing. */
export function validateEncryptedBucketSettings(s: EncryptedBucketSettings): PropProblem[] {
  const problems: PropProblem[] = [];
  const mode = s.encryption;
  if (!mode.usesKms && s.encryptionKeyGiven) {
    problems.push({
      prop: 'encryptionKey',
      problem: `a KMS key was passed, but encryption is ${mode.name}, which does not use KMS.`,
      fix: 'remove encryptionKey, or set encryption to BucketEncryptionMode.SSE_KMS or BucketEncryptionMode.DSSE_KMS.',
    });
  }
  if (!mode.usesKms && s.encryptionKeyPropsGiven) {
    problems.push({
      prop: 'encryptionKeyProps',
      problem: `key settings were passed, but encryption is ${mode.name}, which does not use KMS.`,
      fix: 'remove encryptionKeyProps, or choose a KMS encryption mode.',
    });
  }
  if (s.encryptionKeyGiven && s.encryptionKeyPropsGiven) {
    problems.push({
      prop: 'encryptionKeyProps',
      problem: 'both an existing key (encryptionKey) and settings for a new key (encryptionKeyProps) were passed.',
      fix: 'pass one of them: encryptionKeyProps only configures the key EncryptedBucket creates.',
    });
  }
  if (s.encryptionKeySpec !== undefined && s.encryptionKeySpec !== 'SYMMETRIC_DEFAULT') {
    problems.push({
      prop: 'encryptionKey',
      problem: `the key's spec is ${s.encryptionKeySpec}; S3 only encrypts with symmetric (SYMMETRIC_DEFAULT) keys.`,
      fix: 'pass a symmetric key, e.g. a KmsKeyWithRotation.',
    });
  }
  if (s.encryptionKeyRegion && s.bucketRegion && s.encryptionKeyRegion !== s.bucketRegion) {
    problems.push({
      prop: 'encryptionKey',
      problem: `the key is in ${s.encryptionKeyRegion} but the bucket is in ${s.bucketRegion}; S3 only uses KMS keys from the bucket's Region.`,
      fix: `use a key in ${s.bucketRegion} (for a multi-Region key, its replica in that Region).`,
    });
  }
  if (s.bucketKeyEnabled === true && mode === BucketEncryptionMode.DSSE_KMS) {
    problems.push({
      prop: 'bucketKeyEnabled',
      problem: 'S3 Bucket Keys are not supported with DSSE-KMS.',
      fix: 'remove bucketKeyEnabled (DSSE-KMS calls KMS for every object), or use BucketEncryptionMode.SSE_KMS.',
    });
  }
  if (s.bucketKeyEnabled !== undefined && !mode.usesKms) {
    problems.push({
      prop: 'bucketKeyEnabled',
      problem: `S3 Bucket Keys reduce KMS requests and only apply to SSE-KMS, but encryption is ${mode.name}.`,
      fix: 'remove bucketKeyEnabled.',
    });
  }
  if (s.minimumTlsVersion !== undefined && !ALLOWED_MINIMUM_TLS_VERSIONS.includes(s.minimumTlsVersion)) {
    problems.push({
      prop: 'minimumTlsVersion',
      problem: `${s.minimumTlsVersion} is not a TLS version the policy may require (a higher number locks every client out, a lower one allows broken TLS).`,
      fix: `use one of ${ALLOWED_MINIMUM_TLS_VERSIONS.join(', ')}, or omit it for 1.2.`,
    });
  }
  if (s.objectLockEnabled && s.versioned === false) {
    problems.push({
      prop: 'versioned',
      problem: 'Object Lock requires versioning.',
      fix: 'remove versioned: false (versioning is on by default), or turn Object Lock off.',
    });
  }
  if (s.objectLockDefaultRetentionGiven && !s.objectLockEnabled) {
    problems.push({
      prop: 'objectLockDefaultRetention',
      problem: 'a default retention was set but Object Lock is off.',
      fix: 'set objectLockEnabled: true, or remove objectLockDefaultRetention.',
    });
  }
  if (s.serverAccessLogsPrefix !== undefined && !s.logTarget) {
    problems.push({
      prop: 'serverAccessLogsPrefix',
      problem: 'a log prefix was set without a log bucket.',
      fix: 'set serverAccessLogsBucket, or remove serverAccessLogsPrefix.',
    });
  }
  if (s.logTarget) {
    const problem = logTargetEncryptionProblem(s.logTarget);
    if (problem) {
      problems.push({
        prop: 'serverAccessLogsBucket',
        problem,
        fix: 'log to a bucket encrypted with SSE-S3, e.g. new EncryptedBucket(this, \'AccessLogs\', { encryption: BucketEncryptionMode.SSE_S3 }).',
      });
    }
  }
  if (s.acceptSseS3Replicas !== undefined && !mode.usesKms) {
    problems.push({
      prop: 'acceptSseS3Replicas',
      problem: `the bucket is ${mode.name}, whose own algorithm is SSE-S3: SSE-S3 replicas are accepted anyway.`,
      fix: 'remove acceptSseS3Replicas; it is for KMS-encrypted replica buckets.',
    });
  }
  if (s.replicaKeyAliases !== undefined && s.replicaKeyAliases.length > 0 && !mode.usesKms) {
    problems.push({
      prop: 'replicaKeyAliases',
      problem: `key aliases were given, but encryption is ${mode.name}, which has no key.`,
      fix: 'remove replicaKeyAliases, or choose a KMS encryption mode.',
    });
  }
  for (const alias of s.replicaKeyAliases ?? []) {
    if (!Token.isUnresolved(alias) && !/^(alias\/)?[a-zA-Z0-9/_-]{1,250}$/.test(alias)) {
      problems.push({
        prop: 'replicaKeyAliases',
        problem: `'${alias}' is not a KMS alias name (letters, digits, / _ -, optionally after alias/).`,
        fix: 'give the alias name of this bucket\'s key, e.g. "s3-replica/data".',
      });
    }
  }
  const abortAfter = s.abortIncompleteMultipartUploadAfter;
  const abortDays = wholeDays(abortAfter);
  if (abortDays === null || (abortDays !== undefined && abortDays < 1)) {
    problems.push({
      prop: 'abortIncompleteMultipartUploadAfter',
      problem: `${abortAfter!.toHumanString()} is not a whole number of days of at least 1 (S3 lifecycle rules count in days).`,
      fix: 'use Duration.days(n) with n >= 1, or omit it for 7 days.',
    });
  }
  return problems;
}
