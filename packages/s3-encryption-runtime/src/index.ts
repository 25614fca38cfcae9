/**
 * `s3-encryption-runtime`: SSE-C and client-side encryption for Amazon S3 on Node.js and AWS Lambda.
 * Never imports aws-cdk-lib or constructs.
 *
 * The public API is what the README's runtime sections document, listed here by name: S3 clients,
 * SSE-C, client-side encryption (client, keyrings, streams and pipeline pieces, errors), key rotation
 * and the Batch Operations handlers. Everything else is internal and may change without notice.
 */

// ---------------------------------------------------------------------------------------------------
// Errors every other error extends, and S3 clients that refuse plain HTTP
// ---------------------------------------------------------------------------------------------------
export { S3EncryptionError } from './errors';
export { createS3Client, InsecureEndpointError, type ChecksumMode, type S3ClientFactoryOptions } from './s3-client-factory';

// ---------------------------------------------------------------------------------------------------
// SSE-C: customer-provided keys (README "SSE-C: customer-provided keys, done safely")
// ---------------------------------------------------------------------------------------------------
export {
  SseCObjectClient,
  type ObjectAttributes,
  type SseCCopyMethod,
  type SseCCopyParams,
  type SseCCopyResult,
  type SseCCopyStrategy,
  type SseCGetParams,
  type SseCGetResult,
  type SseCObjectClientOptions,
  type SseCObjectInfo,
  type SseCObjectLocation,
  type SseCPutParams,
  type SseCReadParams,
  type SseCRekeyParams,
  type SseCRekeyResult,
  type SseCWriteResult,
  type TransferProgress,
} from './sse-c/sse-c-object-client';
export { SseCKey, type SseCKeyOptions } from './sse-c/sse-c-key';
export { SecretsManagerSseCKeySource, type SecretsManagerSseCKeySourceOptions } from './sse-c/secrets-manager-key-source';

// SSE-C errors (the README's SSE-C error table)
export { SseCBlockedError, SseCKeyLengthError, SseCKeySourceError, SseCNotApplicableError, SseCWrongKeyError } from './sse-c/errors';
export {
  IncompleteBodyError,
  NoncurrentVersionError,
  ObjectChangedError,
  S3ObjectNotFoundError,
  SseCKeyRequiredError,
} from './s3/errors';
export type { S3ObjectRef } from './s3/object-ref';

// ---------------------------------------------------------------------------------------------------
// Client-side encryption (README "Client-side encryption (Amazon S3 Encryption Client format)")
// ---------------------------------------------------------------------------------------------------

// Without S3: bytes, streams, metadata and instruction files
export {
  ClientSideEncryption,
  type ClientSideEncryptionConfig,
  type DecryptOptions,
  type EncryptedObject,
  type EncryptedObjectStream,
  type EncryptOptions,
  type StoredObject,
} from './client-side/client-side-encryption';
export { ContentFormat, MetadataStrategy } from './client-side/content-format';
export { CommitmentPolicy } from './client-side/commitment-policy';
export { AuthenticationMode } from './client-side/streams/decrypt-stream';

// Through S3
export {
  S3EncryptionClient,
  type DeleteEncryptedObjectParams,
  type DeleteEncryptedObjectResult,
  type DeleteEncryptedObjectsParams,
  type DeleteEncryptedObjectsResult,
  type GetEncryptedObjectParams,
  type GetEncryptedObjectResult,
  type PlaintextAuthentication,
  type PutEncryptedObjectParams,
  type PutEncryptedObjectResult,
  type S3EncryptionClientOptions,
  type S3EncryptionClientSettings,
} from './client-side/s3-encryption-client';

// Keyrings, and what a keyring of your own implements
export { KmsKeyring, type KmsKeyringProps } from './client-side/keyrings/kms-keyring';
export { RawAesKeyring, type RawAesKeyringProps } from './client-side/keyrings/raw-aes-keyring';
export { RawRsaKeyring, type RawRsaKeyringProps } from './client-side/keyrings/raw-rsa-keyring';
export type { DataKeyUnwrapRequest, DataKeyWrapRequest, Keyring, WrappedDataKey } from './client-side/keyrings/keyring';
export { WrappingAlgorithm } from './client-side/keyrings/wrapping-algorithm';
export { AlgorithmSuite } from './client-side/algorithm-suite';

// Streams and pipeline pieces: encryptors, decryptors, multipart parts, ranged reads, instruction files
export type { ObjectEncryptor } from './client-side/object-encryptor';
export type { ObjectDecryptor } from './client-side/object-decryptor';
export type { EncryptedPart } from './client-side/streams/encrypted-parts';
export { parseRangeHeader, planRangedGet, type ByteRange, type ContentRange, type RangedGetPlan } from './client-side/streams/ranged-get';
export { requiresInstructionFile, type StoredContentMetadata } from './client-side/metadata/decode-metadata';
export type { ContentMetadata, EncodedContentMetadata } from './client-side/metadata/content-metadata';
export { instructionFileKey } from './client-side/instruction-file';

// Client-side errors (the README's client-side error table)
export {
  BufferLimitExceededError,
  ClientSideConfigurationError,
  ClientSideEncryptionError,
  ClientSideUsageError,
  CommitmentPolicyError,
  ContentAuthenticationError,
  DataKeyUnwrapError,
  EncryptionContextMismatchError,
  KeyCommitmentError,
  KeyringMismatchError,
  KmsRequestError,
  LegacyModeDisabledError,
  MalformedMetadataError,
  MaterialDescriptionMismatchError,
  MissingInstructionFileError,
  PlaintextTooLargeError,
  RangedGetError,
  UnknownWrappingAlgorithmError,
  UnsupportedLegacyAlgorithmError,
} from './client-side/errors';
export {
  EncryptedObjectNotFoundError,
  EncryptedObjectParameterError,
  EncryptedUploadError,
  type EncryptedObjectRef,
  type InstructionFileRollback,
} from './client-side/s3-errors';

// Key-encryption-key rotation (README "Key-encryption-key rotation with S3 Batch Operations")
export {
  DataKeyRotation,
  keyringRotationKey,
  kmsRotationKey,
  type DataKeyRewrapOutcome,
  type DataKeyRotationProps,
  type RotationKey,
} from './client-side/data-key-rotation';
export {
  S3ObjectKeyRotator,
  type ObjectKeyRotationResult,
  type RotateObjectKeyParams,
  type S3ObjectKeyRotatorOptions,
} from './client-side/s3-key-rotation';

// ---------------------------------------------------------------------------------------------------
// S3 Batch Operations handlers: SSE-C re-keying, client-side key rotation, and the generic task runner
// ---------------------------------------------------------------------------------------------------
export {
  createSseCRekeyHandler,
  type BatchOperationsHandler,
  type LambdaContextLike,
  type SseCKeyVersions,
  type SseCRekeyHandlerOptions,
} from './handlers/sse-c-rekey';
export {
  createClientSideKeyRotationHandler,
  rotationKeysFromEnvironment,
  type ClientSideKeyRotationHandlerOptions,
  type RotationKeys,
} from './handlers/client-side-key-rotation';
export {
  runBatchOperationsTasks,
  type BatchOperationsEvent,
  type BatchOperationsResponse,
  type BatchOperationsResult,
  type BatchOperationsTask,
  type BatchOperationsTaskInput,
  type BatchResultCode,
  type RunBatchOperationsOptions,
} from './handlers/batch-operations';
