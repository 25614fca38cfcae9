import * as kms from 'aws-cdk-lib/aws-kms';
import { KmsKeyWithRotation } from '../../../lib';
import { KmsKeyRotationEnabled } from '../../../lib/guardrails/rules';
import { check, newStack, packViolations } from '../support';

describe('KmsKeyRotationEnabled', () => {
  test('passes KmsKeyWithRotation, kms.Key with rotation, and a CfnKey saying "true"', () => {
    const stack = newStack();
    expect(check(KmsKeyRotationEnabled, new KmsKeyWithRotation(stack, 'Ours'))).toEqual([]);
    expect(check(KmsKeyRotationEnabled, new kms.Key(stack, 'Plain', { enableKeyRotation: true }))).toEqual([]);
    const l1 = new kms.CfnKey(stack, 'L1');
    l1.addPropertyOverride('EnableKeyRotation', 'true');
    expect(check(KmsKeyRotationEnabled, l1)).toEqual([]);
  });

  test('fails a symmetric key without rotation (the kms.Key default) or with rotation off', () => {
    const stack = newStack();
    expect(check(KmsKeyRotationEnabled, new kms.Key(stack, 'Default'))).toEqual(['EnableKeyRotation is not set.']);
    expect(check(KmsKeyRotationEnabled, new kms.CfnKey(stack, 'Off', { enableKeyRotation: false }))).toEqual(['EnableKeyRotation is false.']);
  });

  test('does not apply to keys KMS cannot rotate automatically (CT.KMS.PR.1 flags imported key material anyway)', () => {
    const stack = newStack();
    expect(check(KmsKeyRotationEnabled, new kms.Key(stack, 'Rsa', { keySpec: kms.KeySpec.RSA_3072, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT }))).toBeUndefined();
    expect(check(KmsKeyRotationEnabled, new kms.Key(stack, 'Hmac', { keySpec: kms.KeySpec.HMAC_256, keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC }))).toBeUndefined();
    expect(check(KmsKeyRotationEnabled, new kms.CfnKey(stack, 'Imported', { origin: 'EXTERNAL' }))).toBeUndefined();
  });

  test('the pack reports it', () => {
    const stack = newStack();
    new kms.Key(stack, 'Default');
    expect(packViolations(stack)['S3Encryption-KmsKeyRotationEnabled']).toEqual(['Test/Default/Resource']);
  });
});
