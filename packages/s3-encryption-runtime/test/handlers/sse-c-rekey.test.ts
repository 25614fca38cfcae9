import { createSseCRekeyHandler } from '../../src/handlers/sse-c-rekey';
import { SseCKey, type SseCObjectClient, type SseCRekeyParams, type SseCRekeyResult } from '../../src/sse-c';

// The handler's own logic (key versions per task, result strings, redaction) with a stub object client;
// the real re-key against radosgw is in test/integ/sse-c-rekey-batch-handler.test.ts.
const previous = SseCKey.generate({ label: 'secret k AWSPREVIOUS (version v1)' });
const current = SseCKey.generate({ label: 'secret k AWSCURRENT (version v2)' });

const event = (keys: string[]) => ({
  invocationSchemaVersion: '2.0',
  invocationId: 'inv',
  job: { id: 'job', userArguments: {} },
  tasks: keys.map((key, i) => ({ taskId: `t${i}`, s3Bucket: 'data', s3Key: key, s3VersionId: i === 0 ? 'v9' : null })),
});

function handlerWith(rekey: (params: SseCRekeyParams) => Promise<SseCRekeyResult>, prev: { key?: SseCKey } = { key: previous }) {
  return createSseCRekeyHandler({
    keys: { current: async () => current, previous: async () => prev.key },
    objects: { rekey } as unknown as SseCObjectClient,
  });
}

describe('createSseCRekeyHandler', () => {
  it('re-keys from AWSPREVIOUS to AWSCURRENT, passing the manifest version, and names keys by label', async () => {
    const calls: SseCRekeyParams[] = [];
    const response = await handlerWith(async (p) => {
      calls.push(p);
      return p.key === 'done' ? { outcome: 'already-current' } : { outcome: 'rekeyed', method: 'streamed', versionId: 'v10' };
    })(event(['obj', 'done']));
    expect(calls[0]).toMatchObject({ bucket: 'data', key: 'obj', expectedVersionId: 'v9' });
    expect(calls[0].from.equals(previous) && calls[0].to.equals(current)).toBe(true);
    expect(calls[1].expectedVersionId).toBeUndefined();
    expect(response.results).toEqual([
      { taskId: 't0', resultCode: 'Succeeded', resultString: `re-keyed (streamed) from ${previous.label} to ${current.label}; new version v10` },
      { taskId: 't1', resultCode: 'Succeeded', resultString: `already on ${current.label}` },
    ]);
  });

  it('with no AWSPREVIOUS (never rotated) only checks that objects are on the current key', async () => {
    const calls: SseCRekeyParams[] = [];
    await handlerWith(async (p) => {
      calls.push(p);
      return { outcome: 'already-current' };
    }, {})(event(['obj']));
    expect(calls[0].from.equals(current)).toBe(true);
  });

  it('redacts every encoding of the keys in use from result strings', async () => {
    const bytes = [previous.exportBytes(), current.exportBytes()];
    const leaked = bytes.flatMap((b) => [b.toString('base64'), b.toString('base64url'), b.toString('hex')]);
    const response = await handlerWith(async () => {
      throw new Error(`server echoed ${leaked.join(' ')}`);
    })(event(['obj']));
    expect(response.results[0].resultCode).toBe('PermanentFailure');
    expect(response.results[0].resultString).toMatch(/^Error: server echoed <redacted>/);
    for (const form of leaked) expect(response.results[0].resultString).not.toContain(form);
  });
});
