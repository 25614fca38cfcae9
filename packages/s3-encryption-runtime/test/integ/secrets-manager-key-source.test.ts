/**
 * SecretsManagerSseCKeySource through the real @aws-sdk/client-secrets-manager against the moto server's
 * Secrets Manager: the three secret encodings, the staging labels a rotation moves (AWSCURRENT, AWSPREVIOUS),
 * the cache, and failures (never echoing secret content).
 */
import { randomBytes } from 'node:crypto';
import { type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerSseCKeySource, SseCKey, SseCKeyLengthError, SseCKeySourceError } from '../../src/sse-c';
import { describeWithKms, motoTestServer, uniqueName } from './support/moto-server';

/** Counts GetSecretValue requests that reach the wire. */
function countRequests(client: SecretsManagerClient): { count: number } {
  const counter = { count: 0 };
  client.middlewareStack.add((next) => async (args) => {
    counter.count++;
    return next(args);
  }, { step: 'finalizeRequest', name: 'countRequests' });
  return counter;
}

describeWithKms('SecretsManagerSseCKeySource against the moto Secrets Manager', () => {
  const moto = motoTestServer();
  const source = (secretId: string, options: { cacheTtlMs?: number; jsonField?: string; client?: SecretsManagerClient } = {}) =>
    new SecretsManagerSseCKeySource({ secretId, client: options.client ?? moto.secretsManagerClient(), ...options });

  it('reads a raw SecretBinary key; AWSPREVIOUS is undefined until the secret is rotated', async () => {
    const name = uniqueName('app/sse-c-binary');
    const key = randomBytes(32);
    const version = await moto.createSecret(name, { binary: key });
    const keys = source(name);
    const current = await keys.current();
    expect(current.equals(SseCKey.fromBytes(key))).toBe(true);
    expect(current.label).toBe(`secret ${name} AWSCURRENT (version ${version})`);
    expect(await keys.previous()).toBeUndefined();
  });

  it('after a rotation (AWSPENDING, then AWSCURRENT moved) reads the new key as AWSCURRENT and the replaced one as AWSPREVIOUS', async () => {
    const name = uniqueName('app/sse-c-rotated');
    const before = randomBytes(32);
    const after = randomBytes(32);
    const v1 = await moto.createSecret(name, { binary: before });
    const v2 = await moto.rotateSecret(name, { text: after.toString('base64') });
    const keys = source(name);
    const current = await keys.current();
    const previous = await keys.previous();
    expect(current.equals(SseCKey.fromBytes(after))).toBe(true);
    expect(previous?.equals(SseCKey.fromBytes(before))).toBe(true);
    expect([current.label, previous?.label]).toEqual([`secret ${name} AWSCURRENT (version ${v2})`, `secret ${name} AWSPREVIOUS (version ${v1})`]);
    expect((await keys.byStage('AWSPENDING'))?.equals(SseCKey.fromBytes(after))).toBe(true);
  });

  it('reads a JSON secret string with the base64 key in a field (default "key", or jsonField)', async () => {
    const key = randomBytes(32);
    const name = uniqueName('app/sse-c-json');
    await moto.createSecret(name, { text: JSON.stringify({ key: key.toString('base64'), note: 'x' }) });
    expect((await source(name).current()).equals(SseCKey.fromBytes(key))).toBe(true);
    const custom = uniqueName('app/sse-c-json-field');
    await moto.createSecret(custom, { text: JSON.stringify({ sseC: key.toString('base64') }) });
    expect((await source(custom, { jsonField: 'sseC' }).current()).equals(SseCKey.fromBytes(key))).toBe(true);
    await expect(source(custom).current()).rejects.toThrow(/is JSON without a string field "key"/);
  });

  it('caches each stage for the TTL (one request for concurrent callers), refetches after it, and invalidate() forgets at once', async () => {
    const name = uniqueName('app/sse-c-cache');
    const first = randomBytes(32);
    const second = randomBytes(32);
    await moto.createSecret(name, { binary: first });
    const client = moto.secretsManagerClient();
    const requests = countRequests(client);
    const keys = source(name, { client, cacheTtlMs: 1_500 });
    await Promise.all([keys.current(), keys.current(), keys.current()]);
    expect(requests.count).toBe(1);

    await moto.rotateSecret(name, { binary: second });
    // within the TTL the cached key is still served: readers switch within cacheTtlMs of a rotation
    expect((await keys.current()).equals(SseCKey.fromBytes(first))).toBe(true);
    expect(requests.count).toBe(1);
    await new Promise((r) => setTimeout(r, 1_600));
    expect((await keys.current()).equals(SseCKey.fromBytes(second))).toBe(true);
    expect(requests.count).toBe(2);
    keys.invalidate();
    await keys.current();
    expect(requests.count).toBe(3);
  });

  it('a missing secret is a SseCKeySourceError naming it, and failures are not cached', async () => {
    const name = uniqueName('app/sse-c-later');
    const keys = source(name);
    const err = await keys.current().then(() => new Error('no error'), (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(SseCKeySourceError);
    expect(err.message).toMatch(new RegExp(`^cannot read AWSCURRENT of secret ${name}: ResourceNotFoundException`));
    const key = randomBytes(32);
    await moto.createSecret(name, { binary: key });
    expect((await keys.current()).equals(SseCKey.fromBytes(key))).toBe(true);
  });

  it('refuses secrets that are not a 256-bit key, without echoing their content', async () => {
    const short = uniqueName('app/sse-c-short');
    await moto.createSecret(short, { text: randomBytes(16).toString('base64') });
    await expect(source(short).current()).rejects.toBeInstanceOf(SseCKeyLengthError);
    const password = uniqueName('app/sse-c-password');
    await moto.createSecret(password, { text: 'hunter2 is my password' });
    const err = await source(password).current().then(() => new Error('no error'), (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(SseCKeySourceError);
    expect(err.message).not.toContain('hunter2');
    const shortBinary = uniqueName('app/sse-c-short-binary');
    const bytes = randomBytes(24);
    await moto.createSecret(shortBinary, { binary: bytes });
    const lengthErr = await source(shortBinary).current().then(() => new Error('no error'), (e: unknown) => e as Error);
    expect(lengthErr).toBeInstanceOf(SseCKeyLengthError);
    for (const form of [bytes.toString('base64'), bytes.toString('hex')]) expect(lengthErr.message).not.toContain(form);
  });
});
