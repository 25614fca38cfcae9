/**
 * The generic half of an S3 Batch Operations `LambdaInvoke` handler: parse the invocation
 * (schema 2.0, and 1.0), run one function per task with bounded concurrency, and turn each outcome into
 * the result code Batch Operations expects:
 *
 * - `Succeeded`: the task's function returned; its string goes to the completion report.
 * - `TemporaryFailure`: throttling, timeouts, 5xx, dropped connections, an object that changed meanwhile,
 *   or no Lambda time left. Batch Operations retries the task.
 * - `PermanentFailure`: everything else (wrong key, missing object, access denied, bad input).
 *
 * Handlers built on it (SSE-C re-key, client-side key rotation) supply only the per-task function.
 */
import { KmsRequestError } from '../client-side/errors';
import { S3EncryptionError } from '../errors';
import { isTransientError } from '../s3/errors';
import { SseCKeySourceError } from '../sse-c/errors';

/** Per-task result codes of S3 Batch Operations. */
export type BatchResultCode = 'Succeeded' | 'TemporaryFailure' | 'PermanentFailure';

/** One task as S3 Batch Operations sends it. */
export interface BatchOperationsTaskInput {
  /** Opaque id to echo in the result. */
  readonly taskId: string;
  /** Object key, URL-encoded. */
  readonly s3Key: string;
  /** Version id from the manifest, if any. */
  readonly s3VersionId?: string | null;
  /** Bucket name (schema 2.0). */
  readonly s3Bucket?: string;
  /** Bucket ARN (schema 1.0). */
  readonly s3BucketArn?: string;
}

/** The invocation payload of a `LambdaInvoke` Batch Operations job. */
export interface BatchOperationsEvent {
  /** `2.0` (or `1.0`). */
  readonly invocationSchemaVersion: string;
  /** Opaque id to echo in the response. */
  readonly invocationId: string;
  /** The job, with the `UserArguments` given at job creation (schema 2.0). */
  readonly job: { readonly id: string; readonly userArguments?: Record<string, string> };
  /** Usually one task per invocation. */
  readonly tasks: readonly BatchOperationsTaskInput[];
}

/** A parsed task: bucket name and decoded key. */
export interface BatchOperationsTask {
  /** Opaque id. */
  readonly taskId: string;
  /** Bucket name. */
  readonly bucket: string;
  /** Object key, URL-decoded. */
  readonly key: string;
  /** Version id from the manifest, if any. */
  readonly versionId?: string;
  /** The job id. */
  readonly jobId: string;
  /** The job's `UserArguments` (empty for schema 1.0). */
  readonly userArguments: Readonly<Record<string, string>>;
}

/** One entry of the response's `results`. */
export interface BatchOperationsResult {
  /** The task's id. */
  readonly taskId: string;
  /** What happened. */
  readonly resultCode: BatchResultCode;
  /** A short explanation for the completion report. */
  readonly resultString: string;
}

/** The response Batch Operations expects from the function. */
export interface BatchOperationsResponse {
  /** Echoed from the event. */
  readonly invocationSchemaVersion: string;
  /** How to treat tasks missing from `results`. */
  readonly treatMissingKeysAs: BatchResultCode;
  /** Echoed from the event. */
  readonly invocationId: string;
  /** One per task. */
  readonly results: BatchOperationsResult[];
}

/** Thrown for an invocation that is not a Batch Operations event at all. */
export class BatchOperationsEventError extends S3EncryptionError {
  constructor(message: string) {
    super('InvalidBatchOperationsEvent', message);
  }
}

/** Options of {@link runBatchOperationsTasks}. */
export interface RunBatchOperationsOptions {
  /**
   * Tasks processed at once (Batch Operations normally sends one per invocation).
   * @default 4
   */
  readonly concurrency?: number;
  /**
   * Milliseconds of Lambda time left (e.g. `context.getRemainingTimeInMillis`); tasks not started while
   * less than `reserveMs` is left report `TemporaryFailure` so Batch Operations retries them.
   * @default - no time limit
   */
  readonly remainingTimeMs?: () => number;
  /**
   * Time to keep in reserve before starting a task.
   * @default 30000
   */
  readonly reserveMs?: number;
  /**
   * Last-line scrubber applied to every result string (e.g. removes known key encodings).
   * @default - identity
   */
  readonly scrub?: (text: string) => string;
  /**
   * Maps an error to its result code and string.
   * @default classifyTaskError
   */
  readonly classify?: (err: unknown) => { resultCode: BatchResultCode; resultString: string };
}

const MAX_RESULT_STRING = 1024;

/** Validates a Batch Operations invocation and decodes its tasks (malformed tasks become permanent failures). */
export function parseBatchOperationsEvent(event: unknown): {
  readonly event: BatchOperationsEvent;
  readonly tasks: Array<BatchOperationsTask | { readonly taskId: string; readonly invalid: string }>;
} {
  const e = event as Partial<BatchOperationsEvent> | undefined;
  if (!e || typeof e !== 'object' || typeof e.invocationId !== 'string' || typeof e.invocationSchemaVersion !== 'string' || !isList(e.tasks)) {
    throw new BatchOperationsEventError('not an S3 Batch Operations invocation: expected invocationSchemaVersion, invocationId and tasks[]');
  }
  if (e.invocationSchemaVersion !== '2.0' && e.invocationSchemaVersion !== '1.0') {
    throw new BatchOperationsEventError(`unsupported invocationSchemaVersion ${e.invocationSchemaVersion}; create the job with InvocationSchemaVersion 2.0`);
  }
  const jobId = e.job?.id ?? '';
  const userArguments = e.job?.userArguments ?? {};
  const tasks = e.tasks.map((t) => {
    const taskId = typeof t?.taskId === 'string' ? t.taskId : '';
    const bucket = t?.s3Bucket ?? bucketFromArn(t?.s3BucketArn);
    if (!taskId || !bucket || typeof t.s3Key !== 'string') {
      return { taskId, invalid: 'task lacks taskId, s3Key, or s3Bucket/s3BucketArn' };
    }
    let key: string;
    try {
      key = decodeURIComponent(t.s3Key.replace(/\+/g, ' '));
    } catch {
      return { taskId, invalid: 's3Key is not valid URL encoding' };
    }
    const versionId = t.s3VersionId ? t.s3VersionId : undefined;
    return { taskId, bucket, key, ...(versionId ? { versionId } : {}), jobId, userArguments };
  });
  return { event: e as BatchOperationsEvent, tasks };
}

/**
 * Runs `processTask` for every task of a Batch Operations invocation and builds the response.
 * `processTask` returns the result string of a successful task and throws on failure; errors are
 * classified by `options.classify` (default {@link classifyTaskError}).
 */
export async function runBatchOperationsTasks(
  event: unknown,
  processTask: (task: BatchOperationsTask) => Promise<string>,
  options: RunBatchOperationsOptions = {},
): Promise<BatchOperationsResponse> {
  const parsed = parseBatchOperationsEvent(event);
  const classify = options.classify ?? classifyTaskError;
  const scrub = options.scrub ?? ((s: string) => s);
  const reserveMs = options.reserveMs ?? 30_000;
  const results = new Array<BatchOperationsResult>(parsed.tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < parsed.tasks.length) {
      const index = next++;
      const task = parsed.tasks[index];
      let resultCode: BatchResultCode;
      let resultString: string;
      if ('invalid' in task) {
        resultCode = 'PermanentFailure';
        resultString = task.invalid;
      } else if (options.remainingTimeMs && options.remainingTimeMs() < reserveMs) {
        resultCode = 'TemporaryFailure';
        resultString = 'not started: too little Lambda time left; Batch Operations will retry';
      } else {
        try {
          resultString = await processTask(task);
          resultCode = 'Succeeded';
        } catch (err) {
          ({ resultCode, resultString } = classify(err));
        }
      }
      results[index] = { taskId: task.taskId, resultCode, resultString: truncate(scrub(resultString)) };
    }
  };
  const concurrency = Math.max(1, options.concurrency ?? 4);
  await Promise.all(Array.from({ length: Math.min(concurrency, parsed.tasks.length) }, worker));
  return {
    invocationSchemaVersion: parsed.event.invocationSchemaVersion,
    treatMissingKeysAs: 'PermanentFailure',
    invocationId: parsed.event.invocationId,
    results,
  };
}

/**
 * Default classification: transient errors (throttling, timeouts, 5xx, network, an object that changed)
 * are `TemporaryFailure`, and so are key-source and KMS errors whose cause, at any depth (the SDK wraps
 * network errors once more), is transient; all others are `PermanentFailure`.
 * The string is `<code>: <message>` of our typed errors, or the S3 error code and status for SDK errors.
 */
export function classifyTaskError(err: unknown): { resultCode: BatchResultCode; resultString: string } {
  const transient = isTransientError(err) || ((err instanceof SseCKeySourceError || err instanceof KmsRequestError) && hasTransientCause(err));
  return { resultCode: transient ? 'TemporaryFailure' : 'PermanentFailure', resultString: describeError(err) };
}

function hasTransientCause(err: Error): boolean {
  let cause = err.cause;
  for (let depth = 0; cause !== undefined && depth < 4; depth++) {
    if (isTransientError(cause)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

function describeError(err: unknown): string {
  if (err instanceof S3EncryptionError) return `${err.code}: ${err.message}`;
  const e = err as { name?: string; Code?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = e?.$metadata?.httpStatusCode;
  const code = e?.Code ?? e?.code ?? e?.name ?? 'Error';
  return `${code}${status ? ` (HTTP ${status})` : ''}: ${e?.message ?? String(err)}`;
}

function truncate(s: string): string {
  return s.length <= MAX_RESULT_STRING ? s : `${s.slice(0, MAX_RESULT_STRING - 1)}…`;
}

function bucketFromArn(arn: string | undefined): string | undefined {
  if (typeof arn !== 'string') return undefined;
  const m = /^arn:[^:]+:s3:[^:]*:[^:]*:(.+)$/.exec(arn);
  return m ? m[1] : undefined;
}

/** Array.isArray without narrowing a readonly array to `any[]`. */
function isList<T>(value: readonly T[] | undefined): value is readonly T[] {
  return Array.isArray(value);
}
