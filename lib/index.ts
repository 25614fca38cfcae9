// The public API of s3-encryption-constructs, listed name by name: constructs, their props and option
// structs, enum-like classes, the guardrail pack and Aspect, and S3EncryptionErrors. Everything else
// (policy-statement builders, validation, tables, constants) lives in lib/private/ and may change
// in any release. jsii compiles exactly this list into the Python, Java, .NET and Go bindings.

export { BucketEncryptionMode } from './bucket-encryption-mode';
export { S3EncryptionErrors } from './errors';

export { KmsKeyWithRotation, type KmsKeyWithRotationProps } from './kms-key-with-rotation';
export { KmsReplicaKey, type KmsReplicaKeyProps } from './kms-replica-key';

export { EncryptedBucket, type EncryptedBucketProps, type SseCOptions } from './encrypted-bucket';
export { EncryptedBucketProfile } from './encrypted-bucket-profiles';
export {
  ServiceIntegration,
  type CloudFrontOriginAccessControlOptions,
  type CloudFrontOriginAccessIdentityOptions,
  type CloudTrailIntegrationOptions,
  type ConfigIntegrationOptions,
  type LogDeliveryIntegrationOptions,
  type RoleIntegrationOptions,
  type S3InventoryIntegrationOptions,
  type ServerAccessLogsIntegrationOptions,
  type StorageLensIntegrationOptions,
} from './service-integration';

export {
  ReplicatedEncryptedBucket,
  ReplicaTarget,
  type ReplicaBucketAttributes,
  type ReplicatedEncryptedBucketProps,
  type ReplicationRuleOptions,
} from './replicated-encrypted-bucket';
export { ReplicationDestination, type ReplicationDestinationProps, type ReplicationSourceReference } from './replication-destination';

export { type BatchOperationsJobOptions } from './batch-operations-job-options';
export { SseCKeyRotation, type SseCKeyRotationProps } from './sse-c-key-rotation';
export {
  ClientSideKeyRotation,
  KeyEncryptionKey,
  type ClientSideKeyRotationProps,
  type SecretKeyEncryptionKeyOptions,
} from './client-side-key-rotation';

export { GuardrailMode } from './guardrails/guardrail-mode';
export { S3EncryptionChecks, type S3EncryptionChecksProps } from './guardrails/s3-encryption-checks';
export { EncryptionGuardrails, type EncryptionGuardrailsProps } from './guardrails/encryption-guardrails';

export { EncryptionAudit, type EncryptionAuditProps } from './encryption-audit';
export { EncryptedAlarmTopic, type EncryptedAlarmTopicProps } from './encrypted-alarm-topic';
export { KmsRequestRate, type KmsRequestRateEstimate, type KmsRequestRateProps } from './kms-request-rate';
export { KmsRequestRateAlarm, type KmsRequestRateAlarmProps } from './kms-request-rate-alarm';
