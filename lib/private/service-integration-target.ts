import type { Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { BucketEncryptionMode } from '../bucket-encryption-mode';

/** What a service integration may do to the bucket it is added to (implemented by `EncryptedBucket`, internal). */
export interface IServiceIntegrationTarget {
  /** The construct path, for messages. */
  readonly path: string;
  /** The bucket's stack. */
  readonly stack: Stack;
  /** The bucket ARN. */
  readonly bucketArn: string;
  /** The bucket's default encryption. */
  readonly encryption: BucketEncryptionMode;
  /** Whether S3 Bucket Keys are on. */
  readonly bucketKeyEnabled: boolean;
  /** Next unique Sid suffix for statements of this bucket's policies. */
  nextSidSuffix(): string;
  /** Adds statements to the bucket policy. */
  addBucketStatements(statements: iam.PolicyStatement[]): void;
  /** Adds statements to the key policy; throws, printing them, when the key is not editable here. */
  addKeyStatements(service: string, statements: iam.PolicyStatement[]): void;
  /** Lets `service` write objects matching `objectArns` with `algorithm`, besides the bucket's own. */
  allowServiceAlgorithm(service: string, algorithm: string, objectArns: string[]): void;
  /** Grants `grantee` read and/or write on objects under `keyPattern` (S3 and, for KMS modes, the key). */
  grantObjects(grantee: iam.IGrantable, keyPattern: string, read: boolean, write: boolean): void;
}
