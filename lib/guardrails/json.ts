/**
 * Typed access to CloudFormation JSON (rendered templates, policy documents), which arrives as
 * `unknown`: every read goes through these guards, so a missing or oddly shaped value yields
 * `undefined` or an empty list instead of a crash or a wrong guess.
 */

/** A JSON object (not null, not an array). */
export type JsonObject = { readonly [key: string]: unknown };

/** Whether `value` is a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `value[key]` when `value` is an object, else undefined. */
export function field(value: unknown, key: string): unknown {
  return isJsonObject(value) ? value[key] : undefined;
}

/** `value[k0][k1]...`, undefined as soon as a step is not an object. */
export function pathOf(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) current = field(current, key);
  return current;
}

/** `value` when it is an array, else an empty list. */
export function arrayOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

/** `value` when it is an object, else an empty object. */
export function objectOf(value: unknown): JsonObject {
  return isJsonObject(value) ? value : {};
}

/** `value` when it is a string, else undefined. */
export function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
