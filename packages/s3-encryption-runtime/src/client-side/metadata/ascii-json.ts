/**
 * Compact JSON of a string map with every non-ASCII character written as a `\uXXXX` escape, so
 * the value is a valid pure-ASCII HTTP header that every reader parses back to the same map
 * (S3 would otherwise RFC 2047-encode it, and several SDKs reject non-ASCII headers).
 */
export function toAsciiJson(map: Readonly<Record<string, string>>): string {
  return JSON.stringify(map).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
