export * from './batch-operations';
export * from './s3-client-from-env';
// not `handler`: that is the Lambda entry point, not API
export { createSseCRekeyHandler, type BatchOperationsHandler, type LambdaContextLike, type SseCKeyVersions, type SseCRekeyHandlerOptions } from './sse-c-rekey';
