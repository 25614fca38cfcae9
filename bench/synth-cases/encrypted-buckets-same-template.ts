import { Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EncryptedBucket } from '../../lib';
import {
  denyInsecureTransportStatement,
  denyKmsWithoutKeyIdStatement,
  denyOtherEncryptionAlgorithmsStatement,
  denyOtherKmsKeysStatement,
  denyOutdatedTlsStatement,
  denySseCStatement,
} from '../../lib/private/encrypted-bucket-policy-statements';
import { denyGrantsNotForAwsResourcesStatement } from '../../lib/private/kms-key-policy-statements';
import { ENV, type SynthCase, spreadOverStacks } from './types';

/**
 * The construct's own cost: N EncryptedBuckets against plain aws-cdk-lib resources written by hand
 * to render the same template (same key settings and key-policy statement, same bucket settings,
 * lifecycle rule and six bucket-policy statements). The difference is what the construct layer
 * (validation, defaults, bookkeeping) adds on top of what it renders.
 */
export const encryptedBucketsSameTemplate: SynthCase = {
  name: 'encrypted-buckets-same-template',
  description: 'N EncryptedBucket vs N hand-written s3.Bucket + kms.Key rendering the same policies, lifecycle and key statement',
  sizes: [1, 100, 500],
  variants: { ours: 'EncryptedBucket', baseline: 'aws-cdk-lib written out to the same template' },
  goalRatio: 1.25,
  build(app, variant, size) {
    spreadOverStacks(size, (i) => new Stack(app, `Buckets${i}`, { env: ENV }), (stack, i) => {
      if (variant === 'ours') {
        new EncryptedBucket(stack, `Data${i}`);
        return;
      }
      const key = new kms.Key(stack, `Key${i}`, {
        enableKeyRotation: true,
        rotationPeriod: Duration.days(365),
        pendingWindow: Duration.days(30),
        keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
        keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
        description: `Rotating S3 encryption key created by ${stack.node.path}/Data${i}/Key`,
      });
      key.addToResourcePolicy(denyGrantsNotForAwsResourcesStatement());
      const bucket = new s3.Bucket(stack, `Data${i}`, {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: key,
        bucketKeyEnabled: true,
        versioned: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        blockedEncryptionTypes: [s3.BlockedEncryptionType.SSE_C],
        lifecycleRules: [{ id: 'AbortIncompleteMultipartUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      });
      const arn = bucket.bucketArn;
      for (const statement of [
        denyInsecureTransportStatement(arn),
        denyOutdatedTlsStatement(arn, 1.2),
        denyOtherEncryptionAlgorithmsStatement(arn, 'aws:kms'),
        denyOtherKmsKeysStatement(arn, key.keyArn),
        denyKmsWithoutKeyIdStatement(arn),
        denySseCStatement(arn),
      ]) bucket.addToResourcePolicy(statement);
    });
  },
};
