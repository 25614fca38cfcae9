import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsManagerSseCKeySource, SseCKey, SseCKeyLengthError, SseCKeySourceError } from '../../src/sse-c';

// Secrets Manager does not run here: its GetSecretValue is mocked (the only fake in these tests).
const sm = mockClient(SecretsManagerClient);
const current = Buffer.alloc(32, 1);
const previous = Buffer.alloc(32, 2);

function source(ttl = 60_000) {
  return new SecretsManagerSseCKeySource({ secretId: 'app/sse-c', client: new SecretsManagerClient({ region: 'us-east-1' }), cacheTtlMs: ttl });
}

beforeEach(() => {
  sm.reset();
  jest.useRealTimers();
});

describe('SecretsManagerSseCKeySource', () => {
  it('reads AWSCURRENT (base64 SecretString) and AWSPREVIOUS (raw SecretBinary), labelled by stage and version', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'app/sse-c', VersionStage: 'AWSCURRENT' }).resolves({ SecretString: current.toString('base64'), VersionId: 'v2' });
    sm.on(GetSecretValueCommand, { SecretId: 'app/sse-c', VersionStage: 'AWSPREVIOUS' }).resolves({ SecretBinary: new Uint8Array(previous), VersionId: 'v1' });
    const keys = source();
    const cur = await keys.current();
    const prev = await keys.previous();
    expect(cur.equals(SseCKey.fromBytes(current))).toBe(true);
    expect(prev?.equals(SseCKey.fromBytes(previous))).toBe(true);
    expect(cur.label).toBe('secret app/sse-c AWSCURRENT (version v2)');
    expect(prev?.label).toBe('secret app/sse-c AWSPREVIOUS (version v1)');
  });

  it('reads a JSON secret string with the key in a field', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ key: current.toString('base64'), note: 'x' }) });
    expect((await source().current()).equals(SseCKey.fromBytes(current))).toBe(true);
    const custom = new SecretsManagerSseCKeySource({ secretId: 's', client: new SecretsManagerClient({ region: 'us-east-1' }), jsonField: 'sseC' });
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ sseC: previous.toString('base64') }) });
    expect((await custom.current()).equals(SseCKey.fromBytes(previous))).toBe(true);
  });

  it('gives undefined for AWSPREVIOUS when the secret was never rotated', async () => {
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' }).rejects(
      new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS", $metadata: {} }),
    );
    expect(await source().previous()).toBeUndefined();
  });

  it('caches each stage for the TTL, shares concurrent fetches, and refetches after the TTL', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    sm.on(GetSecretValueCommand).resolves({ SecretString: current.toString('base64') });
    const keys = source(300_000);
    await Promise.all([keys.current(), keys.current(), keys.current()]);
    await keys.current();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    jest.setSystemTime(1_000_000 + 299_000);
    await keys.current();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    jest.setSystemTime(1_000_000 + 301_000);
    await keys.current();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    keys.invalidate();
    await keys.current();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(3);
  });

  it('does not cache failures, and wraps them in SseCKeySourceError with the cause', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' });
    sm.on(GetSecretValueCommand).rejectsOnce(denied).resolves({ SecretString: current.toString('base64') });
    const keys = source();
    const err = await keys.current().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SseCKeySourceError);
    expect((err as Error).message).toContain('AccessDeniedException');
    expect((err as Error).cause).toBe(denied);
    expect((await keys.current()).equals(SseCKey.fromBytes(current))).toBe(true);
  });

  it('rejects secrets that are not a 256-bit key, without echoing their contents', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: Buffer.alloc(16, 9).toString('base64') });
    await expect(source().current()).rejects.toBeInstanceOf(SseCKeyLengthError);
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'hunter2 is my password' });
    const err = (await source().current().catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(SseCKeySourceError);
    expect(err.message).not.toContain('hunter2');
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"other":"x"}' });
    await expect(source().current()).rejects.toThrow(/without a string field "key"/);
  });

  it('needs a secret id', () => {
    expect(() => new SecretsManagerSseCKeySource({ secretId: '' })).toThrow(SseCKeySourceError);
  });
});
