/**
 * S3 Batch Operations handler (`LambdaInvoke`, invocation schema 2.0) that re-keys SSE-C objects
 * from the previous key version to the current one, one object per task.
 *
 * Keys come from a Secrets Manager secret (`SSE_C_SECRET_ID`): `AWSPREVIOUS` is the key objects are
 * encrypted with now, `AWSCURRENT` the key to re-encrypt them with. Rotate the secret first, then run
 * a Batch Operations job over the bucket's inventory with this function.
 *
 * Per task: `Succeeded` when re-keyed or already on the current key (retries are idempotent);
 * `PermanentFailure` for an object on neither key, a missing object, a noncurrent version, or
 * an object that is not SSE-C; `TemporaryFailure` for throttling, 5xx, timeouts and objects that
 * changed during the re-key. Result strings name keys by secret, stage and version id, never by content.
 *
 * Environment: `SSE_C_SECRET_ID` (required), `SSE_C_KEY_CACHE_TTL_SECONDS` (default 300),
 * `REKEY_CONCURRENCY` (tasks at once per invocation, default 4), and for S3-compatible servers the
 * `BATCH_S3_*` variables of `s3ClientFromEnvironment`.
 */
import { SecretsManagerSseCKeySource } from '../sse-c/secrets-manager-key-source';
import { type SseCKey } from '../sse-c/sse-c-key';
import { SseCObjectClient } from '../sse-c/sse-c-object-client';
import { SseCKeySourceError } from '../sse-c/errors';
import { type BatchOperationsResponse, runBatchOperationsTasks } from './batch-operations';
import { integerFromEnv } from './env';
import { redactSecrets } from './redact';
import { s3ClientFromEnvironment } from './s3-client-from-env';

/** Where the handler gets the two key versions from. */
export interface SseCKeyVersions {
  /** The key to re-encrypt with. */
  current(): Promise<SseCKey>;
  /** The key objects are encrypted with now; `undefined` if there is none (never rotated). */
  previous(): Promise<SseCKey | undefined>;
}

/** Dependencies of {@link createSseCRekeyHandler}. */
export interface SseCRekeyHandlerOptions {
  /** The key versions. */
  readonly keys: SseCKeyVersions;
  /** The object client to re-key with. */
  readonly objects: SseCObjectClient;
  /**
   * Tasks processed at once per invocation.
   * @default 4
   */
  readonly concurrency?: number;
}

/** The part of the Lambda context the handler uses. */
export interface LambdaContextLike {
  /** Milliseconds until Lambda stops the invocation. */
  getRemainingTimeInMillis(): number;
}

/** A Lambda handler for Batch Operations invocations. */
export type BatchOperationsHandler = (event: unknown, context?: LambdaContextLike) => Promise<BatchOperationsResponse>;

/** Builds the re-key handler from explicit dependencies (tests, custom key sources). */
export function createSseCRekeyHandler(options: SseCRekeyHandlerOptions): BatchOperationsHandler {
  return async (event, context) => {
    let known: SseCKey[] = [];
    return runBatchOperationsTasks(
      event,
      async (task) => {
        const [to, from] = await Promise.all([options.keys.current(), options.keys.previous()]);
        known = from ? [to, from] : [to];
        const result = await options.objects.rekey({
          bucket: task.bucket,
          key: task.key,
          ...(task.versionId ? { expectedVersionId: task.versionId } : {}),
          from: from ?? to,
          to,
        });
        return result.outcome === 'rekeyed'
          ? `re-keyed (${result.method}) from ${from?.label ?? 'previous key'} to ${to.label ?? 'current key'}` +
              `${result.versionId ? `; new version ${result.versionId}` : ''}`
          : `already on ${to.label ?? 'the current key'}`;
      },
      {
        concurrency: options.concurrency ?? 4,
        ...(context?.getRemainingTimeInMillis ? { remainingTimeMs: () => context.getRemainingTimeInMillis() } : {}),
        scrub: (text) => scrubKeys(text, known),
      },
    );
  };
}

/** Defence in depth: no encoding of a key in use may appear in a result string. */
function scrubKeys(text: string, keys: readonly SseCKey[]): string {
  const bytes = keys.map((key) => key.exportBytes());
  try {
    return redactSecrets(text, bytes);
  } finally {
    for (const b of bytes) b.fill(0);
  }
}

let defaultHandler: BatchOperationsHandler | undefined;

/** The Lambda entry point, configured from the environment on first use. */
export const handler: BatchOperationsHandler = async (event, context) => {
  defaultHandler ??= handlerFromEnvironment(process.env);
  return defaultHandler(event, context);
};

function handlerFromEnvironment(env: NodeJS.ProcessEnv): BatchOperationsHandler {
  const secretId = env.SSE_C_SECRET_ID;
  if (!secretId) throw new SseCKeySourceError('SSE_C_SECRET_ID is not set: the re-key function needs the Secrets Manager secret holding the SSE-C key');
  const ttlSeconds = integerFromEnv(env, 'SSE_C_KEY_CACHE_TTL_SECONDS', 300, 0); // 0: no caching
  const keys = new SecretsManagerSseCKeySource({ secretId, cacheTtlMs: ttlSeconds * 1000 });
  const concurrency = integerFromEnv(env, 'REKEY_CONCURRENCY', 4);
  return createSseCRekeyHandler({
    keys,
    objects: new SseCObjectClient({ client: s3ClientFromEnvironment(env) }),
    concurrency,
  });
}
