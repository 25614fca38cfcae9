import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EncryptedBucket } from '../../lib';
import { ENV, type SynthCase, spreadOverStacks } from './types';

/**
 * N EncryptedBuckets (SSE-KMS, new rotating key each) against the closest plain aws-cdk-lib
 * equivalent: s3.Bucket + kms.Key with the same encryption, Bucket Keys, TLS, versioning and
 * public-access settings. Ours also renders the encryption-header and SSE-C policies, the
 * CT.KMS.PR.3 key-policy statement and the lifecycle rule, which the baseline lacks.
 */
export const encryptedBuckets: SynthCase = {
  name: 'encrypted-buckets',
  description: 'N EncryptedBucket vs N (s3.Bucket + kms.Key) with the same encryption, TLS, versioning and public-access settings',
  sizes: [1, 100, 500],
  variants: { ours: 'EncryptedBucket', baseline: 'aws-cdk-lib s3.Bucket + kms.Key' },
  goalRatio: 1.25,
  build(app, variant, size) {
    spreadOverStacks(size, (i) => new Stack(app, `Buckets${i}`, { env: ENV }), (stack, i) => {
      if (variant === 'ours') {
        new EncryptedBucket(stack, `Data${i}`);
        return;
      }
      baselineBucket(stack, `Data${i}`, new kms.Key(stack, `Key${i}`, { enableKeyRotation: true }));
    });
  },
};

/** The baseline's bucket: the closest plain aws-cdk-lib equivalent of an EncryptedBucket's settings (also used by replicated-pairs). */
export function baselineBucket(stack: Stack, id: string, key: kms.IKey, replicationRules?: s3.ReplicationRule[]): s3.Bucket {
  return new s3.Bucket(stack, id, {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    blockedEncryptionTypes: [s3.BlockedEncryptionType.SSE_C],
    replicationRules,
  });
}
