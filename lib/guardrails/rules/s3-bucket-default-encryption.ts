import { defaultEncryptionOf } from '../bucket-encryption-facts';
import { AWS_SERVICES, type AwsServiceFacts, cite, integrationsOf, logDeliveriesTo, supportsOnlySseS3 } from '../bucket-integrations';
import { type RuleContext, type S3EncryptionRule } from '../rule';
import { CFN_TYPES, type IndexedResource, displayPath } from '../template-index';

/** How strong each `SSEAlgorithm` is, for comparing against the pack's minimum. */
const STRENGTH: Readonly<Record<string, number>> = { 'AES256': 0, 'aws:kms': 1, 'aws:kms:dsse': 2 };

/**
 * Default encryption is at least the pack's minimum: by default the KMS family, where SSE-KMS
 * and DSSE-KMS both count (Security Hub S3.17, CT.S3.PR.10). cdk-nag's S3DefaultEncryptionKMS
 * rejects DSSE-KMS; this rule does not.
 *
 * Log destinations are held to what their services can write:
 * - a bucket receiving S3 server access logs or Application/Classic Load Balancer logs, which AWS
 *   documents as SSE-S3 only, is accepted with an explicit SSE-S3 default: an exception by design,
 *   reported with its reason (`exception`), never a demand for KMS the service cannot use;
 * - under a DSSE-KMS minimum, any other log destination may be SSE-KMS (no log service documents
 *   DSSE-KMS).
 */
export const S3BucketDefaultEncryption: S3EncryptionRule = {
  id: 'S3BucketDefaultEncryption',
  appliesTo: [CFN_TYPES.bucket],
  info: 'The S3 bucket\'s default encryption is weaker than the pack requires (by default: SSE-KMS or DSSE-KMS).',
  explanation: 'Security Hub S3.17 and Control Tower CT.S3.PR.10 require default encryption with a KMS key; both SSE-KMS (aws:kms) and DSSE-KMS (aws:kms:dsse) count. '
    + 'Set BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm to aws:kms (with a customer-managed KMSMasterKeyID) or aws:kms:dsse, '
    + 'e.g. EncryptedBucket (SSE-KMS by default) or s3.Bucket({ encryption: s3.BucketEncryption.KMS }). '
    + 'Exception by design: a destination of S3 server access logs or Application/Classic Load Balancer access logs must be SSE-S3 (AES256), which AWS documents as '
    + 'the only encryption those services can write; such a bucket passes with SSEAlgorithm AES256.',
  check(bucket, context) {
    const { minimumEncryption } = context;
    const facts = defaultEncryptionOf(bucket);
    const required = minimumEncryption.sseAlgorithm;
    const wanted = required === 'AES256' ? 'SSE-S3 or stronger' : required === 'aws:kms' ? 'SSE-KMS or DSSE-KMS' : 'DSSE-KMS';
    if (facts.unreadable.includes('SSEAlgorithm') || facts.unreadable.includes('BucketEncryption')) {
      return ['the default encryption cannot be read at synth (it depends on a condition or parameter), so it cannot be shown to be ' + wanted + '.'];
    }
    if (facts.sseAlgorithm === undefined) {
      const sseS3Only = sseS3OnlyLogServices(bucket, context);
      if (sseS3Only.length > 0) {
        return [`no default encryption is configured; the bucket receives ${names(sseS3Only)}, which support only SSE-S3 (${cite(sseS3Only[0].doc)}): `
          + 'set SSEAlgorithm AES256, which this rule accepts for such a log bucket.'];
      }
      return [`no default encryption is configured (no ServerSideEncryptionByDefault); S3 falls back to SSE-S3, and ${wanted} is required.${oaiNote(bucket, context)}`];
    }
    const strength = STRENGTH[facts.sseAlgorithm];
    if (strength === undefined) return [`unknown SSEAlgorithm '${facts.sseAlgorithm}'; ${wanted} is required.`];
    if (facts.sseAlgorithm === 'AES256' && sseS3OnlyLogServices(bucket, context).length > 0) return []; // see exception()
    // No log service documents DSSE-KMS: under a DSSE-KMS minimum, SSE-KMS is the most a log bucket can have.
    const floor = required === 'aws:kms:dsse' && logDeliveriesTo(bucket, context.index).length > 0 ? 'aws:kms' : required;
    if (strength < STRENGTH[floor]) return [`default encryption is ${facts.sseAlgorithm}; ${wanted} is required.${oaiNote(bucket, context)}`];
    return [];
  },
  exception(bucket, context) {
    if (defaultEncryptionOf(bucket).sseAlgorithm !== 'AES256' || context.minimumEncryption.sseAlgorithm === 'AES256') return undefined;
    const sseS3Only = sseS3OnlyLogServices(bucket, context);
    if (sseS3Only.length === 0) return undefined;
    const sources = logDeliveriesTo(bucket, context.index).filter((d) => sseS3Only.includes(d.service))
      .map((d) => (d.source ? displayPath(d.source.construct) : d.evidence));
    return `SSE-S3 instead of ${context.minimumEncryption.name}: the bucket receives ${names(sseS3Only)} (from ${[...new Set(sources)].join(', ')}), `
      + `which AWS documents as SSE-S3 only: ${sseS3Only.map((s) => `${s.fact} (${cite(s.doc)})`).join('; ')}.`;
  },
};

function sseS3OnlyLogServices(bucket: IndexedResource, { index }: RuleContext): AwsServiceFacts[] {
  return [...new Set(logDeliveriesTo(bucket, index).map((d) => d.service).filter(supportsOnlySseS3))];
}

function names(services: readonly AwsServiceFacts[]): string {
  return services.map((s) => s.name).join(' and ');
}

/** A hint for buckets a CloudFront origin access identity reads: KMS would break the site. */
function oaiNote(bucket: IndexedResource, { index }: RuleContext): string {
  const oai = integrationsOf(bucket, index).find((i) => i.service === AWS_SERVICES.cloudFrontOai);
  return oai ? ` Note: the bucket is read through a CloudFront origin access identity (${oai.evidence}); ${oai.service.fact} (${cite(oai.service.doc)}).` : '';
}
