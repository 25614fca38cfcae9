import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How the Batch Operations handlers in `lib/runtime/handlers/` are bundled, in one place for the
 * constructs (NodejsFunction) and for the tests that bundle and run them.
 *
 * The SDK clients come from the Lambda runtime (nodejs22.x ships SDK v3 clients); everything else,
 * including `@aws-sdk/lib-storage`, which is not a client and not guaranteed by the runtime, is bundled.
 */
export const BATCH_HANDLER_BUNDLING = {
  /** esbuild target matching the functions' runtime (nodejs22.x). */
  target: 'node22',
  /** Modules left to the Lambda runtime. */
  externalModules: ['@aws-sdk/client-*'] as string[],
  /** CommonJS output: the handler export is `handler`. */
  format: 'cjs' as const,
};

/**
 * Absolute path of a handler's entry file: the TypeScript source when running from the repository
 * (ts-node/tsx/jest), the compiled JavaScript when running from the published package (`dist/`).
 */
export function batchHandlerEntry(name: string): string {
  const base = join(__dirname, '..', 'runtime', 'handlers', name);
  return existsSync(`${base}.ts`) ? `${base}.ts` : `${base}.js`;
}
