import { S3EncryptionError } from '../../src/errors';
import { handler as rotationHandler } from '../../src/handlers/client-side-key-rotation';
import { integerFromEnv } from '../../src/handlers/env';
import { s3ClientFromEnvironment } from '../../src/handlers/s3-client-from-env';
import { handler as rekeyHandler } from '../../src/handlers/sse-c-rekey';

const event = { invocationSchemaVersion: '2.0', invocationId: 'inv', job: { id: 'job', userArguments: {} }, tasks: [] };

describe('integerFromEnv', () => {
  it('reads whole numbers and falls back to the default only when the variable is unset or empty', () => {
    expect(integerFromEnv({ N: '16' }, 'N', 4)).toBe(16);
    expect(integerFromEnv({ N: ' 8 ' }, 'N', 4)).toBe(8);
    expect(integerFromEnv({}, 'N', 4)).toBe(4);
    expect(integerFromEnv({ N: '' }, 'N', 4)).toBe(4);
    expect(integerFromEnv({ N: '0' }, 'N', 300, 0)).toBe(0);
  });

  it.each(['abc', '2.5', '-1', '0', '1e3', '4 tasks', '99999999999999999999'])('throws naming the variable and the value for %j', (raw) => {
    let err: unknown;
    try {
      integerFromEnv({ REKEY_CONCURRENCY: raw }, 'REKEY_CONCURRENCY', 4);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(S3EncryptionError);
    expect((err as S3EncryptionError).code).toBe('InvalidConfiguration');
    expect((err as Error).message).toContain('REKEY_CONCURRENCY');
    expect((err as Error).message).toContain(JSON.stringify(raw));
  });

  it('honours the minimum', () => {
    expect(() => integerFromEnv({ TTL: '-5' }, 'TTL', 300, 0)).toThrow(/TTL must be a whole number of at least 0; got "-5"/);
  });
});

describe('s3ClientFromEnvironment', () => {
  it('names BATCH_S3_CA_CERT_FILE when the file cannot be read', () => {
    expect(() => s3ClientFromEnvironment({ BATCH_S3_CA_CERT_FILE: '/nonexistent/ca.pem' })).toThrow(
      expect.objectContaining({ code: 'InvalidConfiguration', message: expect.stringMatching(/BATCH_S3_CA_CERT_FILE names \/nonexistent\/ca\.pem, which cannot be read \(ENOENT/) }),
    );
  });
});

describe('handlers configured from the environment', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('the SSE-C re-key handler refuses a garbage REKEY_CONCURRENCY or SSE_C_KEY_CACHE_TTL_SECONDS', async () => {
    process.env.SSE_C_SECRET_ID = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:k';
    process.env.REKEY_CONCURRENCY = 'lots';
    await expect(rekeyHandler(event)).rejects.toThrow(/REKEY_CONCURRENCY must be a whole number of at least 1; got "lots"/);
    delete process.env.REKEY_CONCURRENCY;
    process.env.SSE_C_KEY_CACHE_TTL_SECONDS = '5m';
    await expect(rekeyHandler(event)).rejects.toThrow(/SSE_C_KEY_CACHE_TTL_SECONDS must be a whole number of at least 0; got "5m"/);
  });

  it('the client-side rotation handler refuses a garbage ROTATION_CONCURRENCY', async () => {
    process.env.CSE_ROTATION_FROM_KMS_KEY_IDS = 'arn:aws:kms:us-east-1:111122223333:key/old';
    process.env.CSE_ROTATION_TO_KMS_KEY_ID = 'arn:aws:kms:us-east-1:111122223333:key/new';
    process.env.ROTATION_CONCURRENCY = '0';
    await expect(rotationHandler(event)).rejects.toThrow(/ROTATION_CONCURRENCY must be a whole number of at least 1; got "0"/);
  });
});
