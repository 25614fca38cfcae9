/**
 * Every SSE-C module in one import, for this package's tests. Not the package's API: the entry point
 * (`src/index.ts`) exports the documented names one by one.
 */
export * from './errors';
export * from './error-mapping';
export * from './sse-c-key';
export * from './secrets-manager-key-source';
export * from './sse-c-object-client';
