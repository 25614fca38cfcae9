import { S3EncryptionError } from '../errors';

/**
 * The integer in environment variable `name`, at least `min`; `defaultValue` when it is unset or empty.
 * Anything else (`abc`, `2.5`, `-1`, below `min`) throws an `InvalidConfiguration` error naming the
 * variable and its value, so a misconfigured function fails instead of running with a default.
 */
export function integerFromEnv(env: NodeJS.ProcessEnv, name: string, defaultValue: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return defaultValue;
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min) {
    throw new S3EncryptionError('InvalidConfiguration', `${name} must be a whole number of at least ${min}; got ${JSON.stringify(raw)}.`);
  }
  return value;
}
