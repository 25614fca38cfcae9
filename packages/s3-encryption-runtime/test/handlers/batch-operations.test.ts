import {
  BatchOperationsEventError,
  classifyTaskError,
  parseBatchOperationsEvent,
  runBatchOperationsTasks,
} from '../../src/handlers/batch-operations';
import { KmsRequestError } from '../../src/client-side/errors';
import { ObjectChangedError, S3ObjectNotFoundError, SseCKeySourceError, SseCWrongKeyError } from '../../src/sse-c';

const event = (tasks: unknown[], version = '2.0') => ({
  invocationSchemaVersion: version,
  invocationId: 'inv-1',
  job: { id: 'job-1', userArguments: { mode: 'test' } },
  tasks,
});
const task = (id: string, key: string, extra: Record<string, unknown> = {}) => ({ taskId: id, s3Key: key, s3VersionId: null, s3Bucket: 'bkt', ...extra });

describe('parseBatchOperationsEvent', () => {
  it('decodes URL-encoded keys (+ is a space), takes the bucket from s3Bucket (2.0) or s3BucketArn (1.0)', () => {
    const { tasks } = parseBatchOperationsEvent(
      event([
        task('a', 'dir%2Fmy+file%E2%82%AC.txt'),
        { taskId: 'b', s3Key: 'x', s3VersionId: 'v9', s3BucketArn: 'arn:aws:s3:::legacy-bucket' },
      ]),
    );
    expect(tasks[0]).toEqual({ taskId: 'a', bucket: 'bkt', key: 'dir/my file€.txt', jobId: 'job-1', userArguments: { mode: 'test' } });
    expect(tasks[1]).toMatchObject({ bucket: 'legacy-bucket', key: 'x', versionId: 'v9' });
  });

  it('turns malformed tasks into invalid entries and rejects non-events', () => {
    const { tasks } = parseBatchOperationsEvent(event([task('a', '%E2%82'), { taskId: 'b', s3Key: 'k' }]));
    expect(tasks).toEqual([
      { taskId: 'a', invalid: 's3Key is not valid URL encoding' },
      { taskId: 'b', invalid: 'task lacks taskId, s3Key, or s3Bucket/s3BucketArn' },
    ]);
    expect(() => parseBatchOperationsEvent({ Records: [] })).toThrow(BatchOperationsEventError);
    expect(() => parseBatchOperationsEvent(event([], '3.0'))).toThrow(/unsupported invocationSchemaVersion 3.0/);
  });
});

describe('runBatchOperationsTasks', () => {
  it('reports one result per task in order with the right code, echoing schema and invocation id', async () => {
    const outcomes: Record<string, () => Promise<string>> = {
      ok: async () => 'done',
      wrong: async () => {
        throw new SseCWrongKeyError({ bucket: 'bkt', key: 'wrong' }, 'key A');
      },
      missing: async () => {
        throw new S3ObjectNotFoundError({ bucket: 'bkt', key: 'missing' });
      },
      throttled: async () => {
        throw Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
      },
      changed: async () => {
        throw new ObjectChangedError({ bucket: 'bkt', key: 'changed' });
      },
    };
    const response = await runBatchOperationsTasks(
      event(Object.keys(outcomes).map((k) => task(`t-${k}`, k)).concat([task('t-bad', '%zz')])),
      (t) => outcomes[t.key](),
    );
    expect(response.invocationSchemaVersion).toBe('2.0');
    expect(response.invocationId).toBe('inv-1');
    expect(response.treatMissingKeysAs).toBe('PermanentFailure');
    expect(response.results.map((r) => [r.taskId, r.resultCode])).toEqual([
      ['t-ok', 'Succeeded'],
      ['t-wrong', 'PermanentFailure'],
      ['t-missing', 'PermanentFailure'],
      ['t-throttled', 'TemporaryFailure'],
      ['t-changed', 'TemporaryFailure'],
      ['t-bad', 'PermanentFailure'],
    ]);
    expect(response.results[0].resultString).toBe('done');
    expect(response.results[1].resultString).toMatch(/^SseCWrongKey: /);
    expect(response.results[3].resultString).toMatch(/^SlowDown \(HTTP 503\): /);
  });

  it('runs at most `concurrency` tasks at once', async () => {
    let running = 0;
    let peak = 0;
    await runBatchOperationsTasks(
      event(Array.from({ length: 20 }, (_, i) => task(`t${i}`, `k${i}`))),
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return 'ok';
      },
      { concurrency: 3 },
    );
    expect(peak).toBe(3);
  });

  it('does not start tasks when the Lambda time budget is nearly spent (TemporaryFailure)', async () => {
    let remaining = 60_000;
    const started: string[] = [];
    const response = await runBatchOperationsTasks(
      event([task('a', 'a'), task('b', 'b')]),
      async (t) => {
        started.push(t.key);
        remaining = 10_000;
        return 'ok';
      },
      { concurrency: 1, remainingTimeMs: () => remaining, reserveMs: 30_000 },
    );
    expect(started).toEqual(['a']);
    expect(response.results.map((r) => r.resultCode)).toEqual(['Succeeded', 'TemporaryFailure']);
  });

  it('scrubs and truncates result strings', async () => {
    const response = await runBatchOperationsTasks(
      event([task('a', 'a')]),
      async () => {
        throw new Error(`SECRET ${'x'.repeat(5000)}`);
      },
      { scrub: (s) => s.replace('SECRET', '<redacted>') },
    );
    expect(response.results[0].resultString.startsWith('Error: <redacted> xxx')).toBe(true);
    expect(response.results[0].resultString.length).toBeLessThanOrEqual(1024);
  });
});

describe('classifyTaskError', () => {
  it('treats a throttled key source as temporary and a misconfigured one as permanent', () => {
    const throttled = new SseCKeySourceError('cannot read', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    const denied = new SseCKeySourceError('cannot read', Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    expect(classifyTaskError(throttled).resultCode).toBe('TemporaryFailure');
    expect(classifyTaskError(denied).resultCode).toBe('PermanentFailure');
  });

  it('looks down the cause chain of key-source and KMS errors (the SDK wraps network errors once more)', () => {
    const unreachable = () => Object.assign(new Error('wrapper'), { cause: Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' }) });
    expect(classifyTaskError(new SseCKeySourceError('cannot read', unreachable())).resultCode).toBe('TemporaryFailure');
    expect(classifyTaskError(new KmsRequestError('Decrypt', 'k', { cause: unreachable() })).resultCode).toBe('TemporaryFailure');
    // other typed errors are not retried because of their cause
    expect(classifyTaskError(new SseCWrongKeyError({ bucket: 'b', key: 'k' }, 'key A', unreachable())).resultCode).toBe('PermanentFailure');
  });
});
