import { policySubjectOf, severalPoliciesProblem } from '../bucket-policy-subject';
import { anyCovers, tlsOnlyRequirement } from '../required-statements';
import { type S3EncryptionRule } from '../rule';
import { CFN_TYPES } from '../template-index';

/**
 * The bucket policy denies every request made without TLS, on the bucket and all its objects.
 * Judged per bucket: unlike CT.S3.PR.8 (which only looks at existing policies), a bucket with no
 * policy at all fails. Statements may name the bucket by ARN, name or reference, use `Principal: "*"`
 * or `{AWS: "*"}`, and write the condition value as `"false"` or `false`.
 */
export const S3BucketTlsOnly: S3EncryptionRule = {
  id: 'S3BucketTlsOnly',
  appliesTo: [CFN_TYPES.bucket, CFN_TYPES.bucketPolicy],
  info: 'The S3 bucket policy does not deny requests made without TLS.',
  explanation: 'Security Hub S3.5 / CT.S3.PR.8 / cdk-nag S3BucketSSLRequestsOnly: the policy needs a Deny for Principal *, Action s3:*, '
    + 'Resource [bucket ARN, bucket ARN/*] with Condition Bool aws:SecureTransport false (EncryptedBucket does this; s3.Bucket: enforceSSL: true).',
  check(resource, { index }) {
    const subject = policySubjectOf(resource, index);
    if (!subject) return undefined;
    const problems: string[] = [];
    const several = severalPoliciesProblem(subject);
    if (several) problems.push(several);
    if (!anyCovers(subject.statements, tlsOnlyRequirement(subject.spellings), index)) {
      problems.push(subject.policies.length === 0
        ? 'the bucket has no bucket policy, so nothing denies plaintext HTTP requests.'
        : 'no statement denies every request without TLS (aws:SecureTransport false) on both the bucket and its objects.');
    }
    return problems;
  },
};
