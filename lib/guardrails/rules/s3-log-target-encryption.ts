import { defaultEncryptionOf, isAwsManagedS3Key } from '../bucket-encryption-facts';
import { type AwsServiceFacts, type BucketIntegration, cite, logDeliveriesTo, supportsOnlySseS3 } from '../bucket-integrations';
import { type NormalizedStatement } from '../policy-statement-match';
import { type S3EncryptionRule } from '../rule';
import { CFN_TYPES, displayPath } from '../template-index';

/** The principal that encrypts vended logs (VPC Flow Logs, NLB, CloudFront) under a customer managed key. */
const VENDED_LOG_DELIVERY_PRINCIPAL = 'delivery.logs.amazonaws.com';

/**
 * A bucket that receives logs is encrypted the way its log services document:
 * - S3 server access logs and Application/Classic Load Balancer logs: SSE-S3 only;
 * - VPC Flow Logs, Network Load Balancer logs, CloudFront standard logs and other CloudWatch Logs
 *   vended deliveries: SSE-S3, or SSE-KMS under a customer managed key whose policy lets
 *   `delivery.logs.amazonaws.com` generate data keys. The AWS managed `aws/s3` key is not supported
 *   and DSSE-KMS is not documented for any of them.
 * A bucket without a default-encryption rule gets SSE-S3 from S3 and passes.
 */
export const S3LogTargetEncryption: S3EncryptionRule = {
  id: 'S3LogTargetEncryption',
  appliesTo: [CFN_TYPES.bucket],
  info: 'The S3 bucket receives logs from an AWS service but is encrypted in a way that service cannot write.',
  explanation: 'S3 server access logs and Application/Classic Load Balancer access logs support only SSE-S3 ("Enabling Amazon S3 server access logging"; '
    + '"Enable access logs for your Application Load Balancer"): set SSEAlgorithm AES256 on their destination (e.g. new EncryptedBucket(this, \'Logs\', '
    + '{ profile: EncryptedBucketProfile.GENERAL_PURPOSE }) or s3.Bucket({ encryption: s3.BucketEncryption.S3_MANAGED })). '
    + 'VPC Flow Logs, Network Load Balancer and CloudFront standard logs also accept SSE-KMS under a customer managed key whose key policy lets '
    + 'delivery.logs.amazonaws.com call kms:GenerateDataKey*; not the AWS managed aws/s3 key, and DSSE-KMS is not documented. Otherwise logs are lost.',
  check(bucket, { index }) {
    const deliveries = logDeliveriesTo(bucket, index);
    if (deliveries.length === 0) return undefined;
    const facts = defaultEncryptionOf(bucket);
    const algorithm = facts.sseAlgorithm ?? 'AES256';
    const problems: string[] = [];
    const services = [...new Set(deliveries.map((d) => d.service))];
    const from = (service: AwsServiceFacts) => `(${evidenceOf(deliveries, service)})`;
    for (const service of services.filter(supportsOnlySseS3)) {
      if (algorithm !== 'AES256') {
        problems.push(`the bucket uses ${algorithm}, but ${service.name} supports only SSE-S3 (${cite(service.doc)}): set SSEAlgorithm AES256 ${from(service)}.`);
      }
    }
    const kmsCapable = services.filter((s) => !supportsOnlySseS3(s));
    if (kmsCapable.length > 0 && algorithm !== 'AES256') {
      const names = kmsCapable.map((s) => s.name).join(', ');
      const key = facts.kmsMasterKeyId;
      if (algorithm !== 'aws:kms') {
        problems.push(`the bucket uses ${algorithm}, which ${names} do not document; use SSE-S3, or SSE-KMS under a customer managed key ${from(kmsCapable[0])}.`);
      } else if (key === undefined || isAwsManagedS3Key(key)) {
        problems.push(`the bucket uses SSE-KMS with the AWS managed aws/s3 key, which ${names} cannot use (${cite(kmsCapable[0].doc)}); use a customer managed key or SSE-S3 ${from(kmsCapable[0])}.`);
      } else {
        const keyResource = index.findKey(key);
        if (keyResource && !allowsDataKeys(index.statementsOf(keyResource), VENDED_LOG_DELIVERY_PRINCIPAL)) {
          problems.push(`the bucket's key ${displayPath(keyResource.construct)} has no key-policy statement letting ${VENDED_LOG_DELIVERY_PRINCIPAL} call kms:GenerateDataKey*, `
            + `so ${names} cannot deliver (${cite(kmsCapable[0].doc)}) ${from(kmsCapable[0])}.`);
        }
      }
    }
    return problems;
  },
};

function evidenceOf(deliveries: readonly BucketIntegration[], service: AwsServiceFacts): string {
  return `logs from ${deliveries.filter((d) => d.service === service).map((d) => d.source ? displayPath(d.source.construct) : d.evidence).join(', ')}`;
}

function allowsDataKeys(statements: readonly NormalizedStatement[], principal: string): boolean {
  return statements.some((s) => s.effect === 'Allow' && !s.opaque
    && (s.everyone || s.servicePrincipals.includes(principal))
    && (s.actions ?? []).some((a) => /^(\*|kms:\*|kms:GenerateDataKey\*?)$/i.test(a)));
}
