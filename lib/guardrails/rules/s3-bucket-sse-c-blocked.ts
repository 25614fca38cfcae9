import { S3_CONDITION_KEYS } from '../../private/encrypted-bucket-policy-statements';
import { defaultEncryptionOf } from '../bucket-encryption-facts';
import { policySubjectOf } from '../bucket-policy-subject';
import { hasIamWildcard } from '../cfn-expression';
import { baseOperator, covers, withoutClauses } from '../policy-statement-match';
import { sseCRequirement, valueNormalizer } from '../required-statements';
import { type S3EncryptionRule } from '../rule';
import { CFN_TYPES } from '../template-index';

const PRINCIPAL_ARN = S3_CONDITION_KEYS.principalArn.toLowerCase();
const EXEMPTION_OPERATORS = new Set(['ArnNotEquals', 'StringNotEquals', 'ArnNotLike', 'StringNotLike']);

/**
 * SSE-C is blocked on the bucket (`BlockedEncryptionTypes: SSE-C`), or denied by the bucket policy
 * to everyone except named roles (a DenySseC statement whose only exemption is
 * `ArnNotEquals aws:PrincipalArn [role ARNs]`).
 */
export const S3BucketSseCBlocked: S3EncryptionRule = {
  id: 'S3BucketSseCBlocked',
  appliesTo: [CFN_TYPES.bucket],
  info: 'The S3 bucket accepts SSE-C (customer-provided keys) from any principal.',
  explanation: 'With SSE-C the keys live outside KMS: no key policy, no CloudTrail record of key use, and losing a key loses the data. '
    + 'Block it with BlockedEncryptionTypes: { EncryptionType: [SSE-C] } (EncryptedBucket default; s3.Bucket: blockedEncryptionTypes: [BlockedEncryptionType.SSE_C]), '
    + 'or allow it only to named custodian roles with a bucket-policy Deny on s3:x-amz-server-side-encryption-customer-algorithm whose only exemption is ArnNotEquals aws:PrincipalArn (EncryptedBucket sseC: { allowedRoles }).',
  check(bucket, { index }) {
    const facts = defaultEncryptionOf(bucket);
    if (facts.blockedEncryptionTypes?.includes('SSE-C')) return [];
    const subject = policySubjectOf(bucket, index)!;
    const requirement = sseCRequirement(subject.spellings);
    const normalize = valueNormalizer(index);
    const problems: string[] = [];
    for (const statement of subject.statements) {
      if (covers(statement, requirement, normalize)) return [];
      const exemptions = statement.conditions.filter((c) => c.key === PRINCIPAL_ARN && EXEMPTION_OPERATORS.has(baseOperator(c.operator)));
      if (exemptions.length !== 1) continue;
      const narrowed = withoutClauses(statement, (c) => c === exemptions[0]);
      if (!covers(narrowed, requirement, normalize)) continue;
      const wildcards = exemptions[0].values.filter(hasIamWildcard);
      if (wildcards.length === 0) return [];
      problems.push(`the SSE-C deny (${statement.sid ?? 'no Sid'}) exempts principals by wildcard (${wildcards.join(', ')}), not by named roles.`);
    }
    const blockedState = facts.blockedEncryptionTypes?.includes('NONE') ? 'explicitly allowed (BlockedEncryptionTypes NONE)'
      : 'not blocked (no BlockedEncryptionTypes)';
    return problems.length > 0 ? problems : [`SSE-C is ${blockedState} and no bucket-policy statement denies SSE-C uploads to everyone but named roles.`];
  },
};
