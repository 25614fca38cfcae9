import { logTargetEncryptionProblem } from '../../private/encrypted-bucket-validation';
import { defaultEncryptionOf, isAwsManagedS3Key } from '../bucket-encryption-facts';
import { type NormalizedStatement } from '../policy-statement-match';
import { type S3EncryptionRule } from '../rule';
import { CFN_TYPES, displayPath } from '../template-index';
import { S3_LOG_DELIVERY_PRINCIPAL } from '../../private/s3-log-delivery';


/**
 * A bucket that receives server access logs is encrypted in a way log delivery supports: SSE-S3,
 * or SSE-KMS under a customer-managed key whose policy lets `logging.s3.amazonaws.com` generate data
 * keys. DSSE-KMS and the AWS-managed `aws/s3` key make delivery fail silently.
 */
export const S3LogTargetEncryption: S3EncryptionRule = {
  id: 'S3LogTargetEncryption',
  appliesTo: [CFN_TYPES.bucket],
  info: 'The S3 bucket receives server access logs but is encrypted in a way log delivery cannot write.',
  explanation: 'S3 server access log delivery writes with the target bucket\'s default encryption and supports SSE-S3, or SSE-KMS with a customer-managed key whose policy allows '
    + 'logging.s3.amazonaws.com kms:GenerateDataKey. It does not support DSSE-KMS or aws/s3; logs are then silently lost. '
    + 'Encrypt the log bucket with SSE-KMS under a customer-managed key (EncryptedBucket adds the key-policy statement) or SSE-S3.',
  check(bucket, { index }) {
    const sources = index.logSourcesOf(bucket);
    if (sources.length === 0) return undefined;
    const facts = defaultEncryptionOf(bucket);
    const key = facts.kmsMasterKeyId;
    const problem = logTargetEncryptionProblem({
      sseAlgorithm: facts.sseAlgorithm,
      hasCustomerManagedKey: key !== undefined && !isAwsManagedS3Key(key),
    });
    const from = `(logs from ${sources.map((s) => displayPath(s.construct)).join(', ')})`;
    if (problem) return [`${problem} ${from}`];
    if (facts.sseAlgorithm === 'aws:kms' && key !== undefined) {
      const keyResource = index.findKey(key);
      if (keyResource && !allowsLogDelivery(index.statementsOf(keyResource))) {
        return [`the log bucket's key ${displayPath(keyResource.construct)} has no key-policy statement letting ${S3_LOG_DELIVERY_PRINCIPAL} call kms:GenerateDataKey, so deliveries fail ${from}.`];
      }
    }
    return [];
  },
};

function allowsLogDelivery(statements: readonly NormalizedStatement[]): boolean {
  return statements.some((s) => s.effect === 'Allow' && !s.opaque
    && (s.everyone || s.servicePrincipals.includes(S3_LOG_DELIVERY_PRINCIPAL))
    && (s.actions ?? []).some((a) => /^(\*|kms:\*|kms:GenerateDataKey\*?)$/i.test(a)));
}
