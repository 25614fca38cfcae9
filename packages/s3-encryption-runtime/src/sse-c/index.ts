export * from './errors';
export * from './error-mapping';
export * from './sse-c-key';
export * from './secrets-manager-key-source';
export * from './sse-c-object-client';
