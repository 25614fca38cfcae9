import { ALLOWED_MINIMUM_TLS_VERSIONS, S3_CONDITION_KEYS } from '../../private/encrypted-bucket-policy-statements';
import { policySubjectOf } from '../bucket-policy-subject';
import { baseOperator, covers } from '../policy-statement-match';
import { minimumTlsRequirement, valueNormalizer } from '../required-statements';
import { type S3EncryptionRule } from '../rule';
import { CFN_TYPES } from '../template-index';

const TLS_VERSION = S3_CONDITION_KEYS.tlsVersion.toLowerCase();
/** TLS versions a client can negotiate with S3, oldest first. */
const TLS_VERSIONS = [1.0, 1.1, 1.2, 1.3];

/**
 * The bucket policy requires TLS 1.2 or 1.3: a Deny of `NumericLessThan s3:TlsVersion <v>` for
 * everyone on the bucket and its objects, with v 1.2 or 1.3. Higher values lock every client out
 * (aws-cdk-lib accepts them, aws/aws-cdk#30226), lower ones allow broken TLS.
 */
export const S3BucketMinimumTls: S3EncryptionRule = {
  id: 'S3BucketMinimumTls',
  appliesTo: [CFN_TYPES.bucket, CFN_TYPES.bucketPolicy],
  info: 'The S3 bucket policy does not require TLS 1.2 or 1.3.',
  explanation: 'TLS 1.0 and 1.1 are deprecated; S3 supports 1.2 and 1.3, and a minimum above 1.3 denies every request. '
    + 'Add a Deny for Principal *, Action s3:*, Resource [bucket ARN, bucket ARN/*] with Condition NumericLessThan s3:TlsVersion 1.2 (or 1.3) '
    + '(EncryptedBucket minimumTlsVersion, default 1.2; s3.Bucket: enforceSSL: true, minimumTLSVersion: 1.2).',
  check(resource, { index }) {
    const subject = policySubjectOf(resource, index);
    if (!subject) return undefined;
    const normalize = valueNormalizer(index);
    let effective: number | undefined;
    for (const statement of subject.statements) {
      for (const clause of statement.conditions) {
        const op = baseOperator(clause.operator);
        if (clause.key !== TLS_VERSION || (op !== 'NumericLessThan' && op !== 'NumericLessThanEquals') || clause.values.length !== 1) continue;
        const value = Number(clause.values[0]);
        if (!Number.isFinite(value)) continue;
        if (!covers(statement, minimumTlsRequirement(subject.spellings, value), normalize)) continue;
        const minimum = op === 'NumericLessThan' ? value : TLS_VERSIONS.find((v) => v > value) ?? Infinity;
        effective = Math.max(effective ?? -Infinity, minimum);
      }
    }
    if (effective === undefined) return ['no statement denies requests over TLS older than 1.2 (NumericLessThan s3:TlsVersion) on the bucket and its objects.'];
    if (effective > Math.max(...ALLOWED_MINIMUM_TLS_VERSIONS)) {
      return [`the policy requires TLS newer than ${Math.max(...ALLOWED_MINIMUM_TLS_VERSIONS)}, which no client can use: every request is denied.`];
    }
    if (!ALLOWED_MINIMUM_TLS_VERSIONS.includes(effective)) {
      return [`the oldest TLS version the policy accepts is ${effective}; it must be one of ${ALLOWED_MINIMUM_TLS_VERSIONS.join(', ')}.`];
    }
    return [];
  },
};
