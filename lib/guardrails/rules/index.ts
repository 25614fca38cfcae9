import { type S3EncryptionRule } from '../rule';
import { KmsKeyGrantsForAwsResourcesOnly } from './kms-key-grants-for-aws-resources-only';
import { KmsKeyRotationEnabled } from './kms-key-rotation-enabled';
import { S3BucketDefaultEncryption } from './s3-bucket-default-encryption';
import { S3BucketEncryptionHeaders } from './s3-bucket-encryption-headers';
import { S3BucketKeyEnabled } from './s3-bucket-key-enabled';
import { S3BucketMinimumTls } from './s3-bucket-minimum-tls';
import { S3BucketSseCBlocked } from './s3-bucket-sse-c-blocked';
import { S3BucketTlsOnly } from './s3-bucket-tls-only';
import { S3LogTargetEncryption } from './s3-log-target-encryption';
import { S3ReplicaKmsEncrypted } from './s3-replica-kms-encrypted';

/** Every rule of the S3 encryption pack, in report order. */
export const S3_ENCRYPTION_RULES: readonly S3EncryptionRule[] = [
  S3BucketDefaultEncryption,
  S3BucketKeyEnabled,
  S3BucketSseCBlocked,
  S3BucketTlsOnly,
  S3BucketMinimumTls,
  S3BucketEncryptionHeaders,
  KmsKeyRotationEnabled,
  KmsKeyGrantsForAwsResourcesOnly,
  S3ReplicaKmsEncrypted,
  S3LogTargetEncryption,
];

export {
  KmsKeyGrantsForAwsResourcesOnly, KmsKeyRotationEnabled, S3BucketDefaultEncryption, S3BucketEncryptionHeaders, S3BucketKeyEnabled,
  S3BucketMinimumTls, S3BucketSseCBlocked, S3BucketTlsOnly, S3LogTargetEncryption, S3ReplicaKmsEncrypted,
};
