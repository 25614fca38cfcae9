import { anyCovers, grantsForAwsResourcesRequirement } from '../required-statements';
import { type S3EncryptionRule } from '../rule';
import { CFN_TYPES } from '../template-index';

/**
 * The key policy denies `kms:CreateGrant` unless an AWS service creates the grant for an AWS
 * resource (Control Tower CT.KMS.PR.3). aws-cdk-lib's default key policy has no such statement.
 */
export const KmsKeyGrantsForAwsResourcesOnly: S3EncryptionRule = {
  id: 'KmsKeyGrantsForAwsResourcesOnly',
  appliesTo: [CFN_TYPES.key],
  info: 'The KMS key policy lets principals create grants that are not for AWS resources.',
  explanation: 'A grant is a second, policy-invisible way to give someone use of a key. CT.KMS.PR.3: add a Deny for Principal *, Action kms:CreateGrant, Resource * '
    + 'with Condition BoolIfExists { kms:GrantIsForAWSResource: false, aws:PrincipalIsAWSService: false } (KmsKeyWithRotation does; see denyGrantsNotForAwsResourcesStatement()).',
  check(key, { index }) {
    if (key.properties.KeyPolicy === undefined) return ['the key has no key policy (KMS applies its default policy, which allows any grant).'];
    if (anyCovers(index.statementsOf(key), grantsForAwsResourcesRequirement(), index)) return [];
    return ['no key-policy statement denies kms:CreateGrant when kms:GrantIsForAWSResource is false.'];
  },
};
