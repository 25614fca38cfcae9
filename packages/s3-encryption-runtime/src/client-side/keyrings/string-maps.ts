import { boundedList } from '../../bounded-text';
import { ClientSideConfigurationError } from '../errors';

/** Throws ClientSideConfigurationError unless `map` is a plain object of string values. */
export function assertStringMap(what: string, map: unknown): asserts map is Record<string, string> {
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw new ClientSideConfigurationError(`${what} must be an object of string keys and string values.`);
  }
  for (const [k, v] of Object.entries(map as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new ClientSideConfigurationError(`${what} entry ${boundedList([k])} must be a string.`);
  }
}

/** Copy of `map` without `keys`. */
export function withoutKeys(map: Readonly<Record<string, string>>, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) {
    if (!keys.includes(k)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Order-insensitive equality of two string maps. */
export function stringMapsEqual(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ak = Object.keys(a);
  if (ak.length !== Object.keys(b).length) return false;
  return ak.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}

/** Names of the keys that differ between two maps (for error messages; values are not shown). */
export function differingKeys(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => a[k] !== b[k] || !Object.prototype.hasOwnProperty.call(a, k) || !Object.prototype.hasOwnProperty.call(b, k)).sort();
}

/** Frozen copy of a string map. */
export function frozenCopy(map: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  return Object.freeze(withoutKeys(map, []));
}
