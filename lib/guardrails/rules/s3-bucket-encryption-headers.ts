import { defaultEncryptionOf, isAwsManagedS3Key } from '../bucket-encryption-facts';
import { policySubjectOf } from '../bucket-policy-subject';
import {
  algorithmHeaderRequirement, anyCovers, kmsKeyHeaderRequirement, kmsKeyIdPresentRequirement,
} from '../required-statements';
import { type S3EncryptionRule } from '../rule';
import { CFN_TYPES } from '../template-index';

/**
 * The bucket policy pins uploads to the bucket's own encryption: uploads that ask for another
 * algorithm are denied, and for a customer-managed KMS key, uploads naming another key or naming
 * none (S3 would fall back to `aws/s3`) are denied too. DSSE-KMS is its own algorithm (terraform's
 * header policy demands AES256 on DSSE buckets; this rule compares with the bucket's algorithm).
 * Header-less uploads may be allowed (they get the default encryption) or denied (stricter).
 */
export const S3BucketEncryptionHeaders: S3EncryptionRule = {
  id: 'S3BucketEncryptionHeaders',
  appliesTo: [CFN_TYPES.bucket],
  info: 'The S3 bucket policy lets uploads choose another encryption algorithm or KMS key than the bucket\'s.',
  explanation: 'Default encryption only applies when a request sends no encryption headers; a client can still ask for SSE-S3, another KMS key, or aws:kms without a key (the AWS-managed aws/s3 key). '
    + 'Deny s3:PutObject when s3:x-amz-server-side-encryption is present and differs from the bucket\'s algorithm, and, with a customer-managed key, when s3:x-amz-server-side-encryption-aws-kms-key-id differs from the key ARN or is missing on a KMS upload '
    + '(EncryptedBucket renders DenyOtherEncryptionAlgorithms, DenyOtherKmsKeys and DenyKmsWithoutKeyId).',
  check(bucket, { index }) {
    const facts = defaultEncryptionOf(bucket);
    if (facts.unreadable.length > 0) return [`the default encryption (${facts.unreadable.join(', ')}) cannot be read at synth, so the header policy cannot be matched against it.`];
    const algorithm = facts.sseAlgorithm ?? 'AES256'; // what S3 applies without a configuration
    const subject = policySubjectOf(bucket, index)!;
    const problems: string[] = [];
    if (!anyCovers(subject.statements, algorithmHeaderRequirement(subject.spellings, algorithm), index)) {
      problems.push(`no statement denies uploads whose x-amz-server-side-encryption header asks for another algorithm than ${algorithm}.`);
    }
    const key = facts.kmsMasterKeyId;
    if (algorithm !== 'AES256' && key !== undefined && !isAwsManagedS3Key(key)) {
      if (!anyCovers(subject.statements, kmsKeyHeaderRequirement(subject.spellings, key), index)) {
        problems.push('no statement denies uploads whose x-amz-server-side-encryption-aws-kms-key-id names another key than the bucket\'s.');
      }
      if (!anyCovers(subject.statements, kmsKeyIdPresentRequirement(subject.spellings, algorithm), index)) {
        problems.push(`no statement denies ${algorithm} uploads that name no key, which S3 encrypts under the AWS-managed aws/s3 key instead of the bucket's.`);
      }
    }
    return problems;
  },
};
