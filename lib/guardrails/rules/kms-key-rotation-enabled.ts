import { asBoolean } from '../bucket-encryption-facts';
import { renderCfnString } from '../cfn-expression';
import { type S3EncryptionRule } from '../rule';
import { CFN_TYPES } from '../template-index';

/**
 * Symmetric customer-managed keys rotate (Security Hub KMS.4, CT.KMS.PR.1, AwsSolutions-KMS5).
 * Keys KMS cannot rotate automatically are out of scope: asymmetric and HMAC keys, and keys whose
 * material is imported or lives in a custom key store (CT.KMS.PR.1 flags those even though no
 * setting can fix them).
 */
export const KmsKeyRotationEnabled: S3EncryptionRule = {
  id: 'KmsKeyRotationEnabled',
  appliesTo: [CFN_TYPES.key],
  info: 'The symmetric KMS key does not rotate.',
  explanation: 'Security Hub KMS.4 / CT.KMS.PR.1: set EnableKeyRotation: true (KmsKeyWithRotation always does; kms.Key: enableKeyRotation: true). '
    + 'Rotation keeps old key material for decryption, so it never breaks existing objects.',
  check(key) {
    const spec = renderCfnString(key.properties.KeySpec, key.ctx) ?? 'SYMMETRIC_DEFAULT';
    const usage = renderCfnString(key.properties.KeyUsage, key.ctx) ?? 'ENCRYPT_DECRYPT';
    const origin = renderCfnString(key.properties.Origin, key.ctx) ?? 'AWS_KMS';
    if (spec !== 'SYMMETRIC_DEFAULT' || usage !== 'ENCRYPT_DECRYPT' || origin !== 'AWS_KMS') return undefined;
    if (asBoolean(key.properties.EnableKeyRotation) === true) return [];
    return [`EnableKeyRotation is ${key.properties.EnableKeyRotation === undefined ? 'not set' : 'false'}.`];
  },
};
