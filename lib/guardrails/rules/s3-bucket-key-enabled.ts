import { defaultEncryptionOf } from '../bucket-encryption-facts';
import { type S3EncryptionRule } from '../rule';
import { CFN_TYPES } from '../template-index';

/** S3 Bucket Keys are on for SSE-KMS (DSSE-KMS does not support them; SSE-S3 does not need them). */
export const S3BucketKeyEnabled: S3EncryptionRule = {
  id: 'S3BucketKeyEnabled',
  appliesTo: [CFN_TYPES.bucket],
  info: 'The SSE-KMS S3 bucket does not use S3 Bucket Keys.',
  explanation: 'Without Bucket Keys S3 calls KMS for every object, which costs up to 100x more and can hit KMS request quotas. '
    + 'Set BucketKeyEnabled: true on the default-encryption rule (EncryptedBucket does by default; s3.Bucket: bucketKeyEnabled: true).',
  check(bucket) {
    const facts = defaultEncryptionOf(bucket);
    if (facts.sseAlgorithm !== 'aws:kms') return undefined;
    if (facts.bucketKeyEnabled === true) return [];
    return [`BucketKeyEnabled is ${facts.bucketKeyEnabled === false ? 'false' : 'not set'} on an SSE-KMS bucket.`];
  },
};
