/**
 * `s3-encryption-constructs/runtime`: SSE-C and client-side encryption for Node and Lambda.
 * Never imports aws-cdk-lib or constructs.
 */
export * from './errors';
export * from './client-side';
export {
  assertClientUsesTls,
  assertSecureEndpoint,
  type ChecksumMode,
  createS3Client,
  InsecureEndpointError,
  type S3ClientFactoryOptions,
} from './s3-client-factory';
export * from './sse-c';
export * from './handlers';
export * from './client-side/s3-errors';
export * from './client-side/s3-encryption-client';
export * from './client-side/data-key-rotation';
export * from './client-side/s3-key-rotation';
export {
  classifyRotationError,
  type ClientSideKeyRotationHandlerOptions,
  createClientSideKeyRotationHandler,
  type RotationKeys,
  rotationKeysFromEnvironment,
} from './handlers/client-side-key-rotation';
