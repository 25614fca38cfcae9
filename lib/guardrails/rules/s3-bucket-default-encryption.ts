import { defaultEncryptionOf } from '../bucket-encryption-facts';
import { type S3EncryptionRule } from '../rule';
import { CFN_TYPES } from '../template-index';

/** How strong each `SSEAlgorithm` is, for comparing against the pack's minimum. */
const STRENGTH: Readonly<Record<string, number>> = { 'AES256': 0, 'aws:kms': 1, 'aws:kms:dsse': 2 };

/**
 * Default encryption is at least the pack's minimum: by default the KMS family, where SSE-KMS
 * and DSSE-KMS both count (Security Hub S3.17, CT.S3.PR.10). cdk-nag's S3DefaultEncryptionKMS
 * rejects DSSE-KMS; this rule does not. Under a DSSE-KMS minimum, a bucket receiving server access
 * logs may use SSE-KMS: log delivery cannot write DSSE-KMS.
 */
export const S3BucketDefaultEncryption: S3EncryptionRule = {
  id: 'S3BucketDefaultEncryption',
  appliesTo: [CFN_TYPES.bucket],
  info: 'The S3 bucket\'s default encryption is weaker than the pack requires (by default: SSE-KMS or DSSE-KMS).',
  explanation: 'Security Hub S3.17 and Control Tower CT.S3.PR.10 require default encryption with a KMS key; both SSE-KMS (aws:kms) and DSSE-KMS (aws:kms:dsse) count. '
    + 'Set BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm to aws:kms (with a customer-managed KMSMasterKeyID) or aws:kms:dsse, '
    + 'e.g. EncryptedBucket (SSE-KMS by default) or s3.Bucket({ encryption: s3.BucketEncryption.KMS }).',
  check(bucket, { index, minimumEncryption }) {
    const facts = defaultEncryptionOf(bucket);
    const required = minimumEncryption.sseAlgorithm;
    const wanted = required === 'AES256' ? 'SSE-S3 or stronger' : required === 'aws:kms' ? 'SSE-KMS or DSSE-KMS' : 'DSSE-KMS';
    if (facts.unreadable.includes('SSEAlgorithm') || facts.unreadable.includes('BucketEncryption')) {
      return ['the default encryption cannot be read at synth (it depends on a condition or parameter), so it cannot be shown to be ' + wanted + '.'];
    }
    if (facts.sseAlgorithm === undefined) {
      return [`no default encryption is configured (no ServerSideEncryptionByDefault); S3 falls back to SSE-S3, and ${wanted} is required.`];
    }
    const strength = STRENGTH[facts.sseAlgorithm];
    if (strength === undefined) return [`unknown SSEAlgorithm '${facts.sseAlgorithm}'; ${wanted} is required.`];
    // Log delivery cannot write DSSE-KMS: under a DSSE-KMS minimum, SSE-KMS is the most a log bucket can have.
    const floor = required === 'aws:kms:dsse' && index.logSourcesOf(bucket).length > 0 ? 'aws:kms' : required;
    if (strength < STRENGTH[floor]) return [`default encryption is ${facts.sseAlgorithm}; ${wanted} is required.`];
    return [];
  },
};
