/**
 * Size bounds for text that ends up in error messages (not exported from the package).
 *
 * Stored metadata, instruction files and server responses are attacker-controlled: an error that
 * echoes them must not grow with them (a crafted 844 KB instruction file once produced a
 * 574,151-character message listing every key of its encryption context).
 */

/** Longest message any runtime error carries, in characters. Real messages are a few hundred. */
export const MAX_ERROR_MESSAGE_CHARS = 2048;

/**
 * `text` cut in the middle to at most `max` characters, with a marker saying how much was left
 * out; the start (what failed) and the end (what to do) survive.
 */
export function boundedMessage(text: string, max: number = MAX_ERROR_MESSAGE_CHARS): string {
  if (text.length <= max) return text;
  const marker = (omitted: number) => ` …[${omitted} characters omitted]… `;
  const room = Math.max(0, max - marker(text.length).length);
  const head = Math.ceil(room * 0.75);
  const tail = room - head;
  return `${text.slice(0, head)}${marker(text.length - head - tail)}${tail > 0 ? text.slice(text.length - tail) : ''}`;
}

/**
 * Names for a message, each JSON-quoted and cut to `maxChars`, at most `maxItems` of them, then
 * `… and N more`: `"a", "b", … and 12344 more`.
 */
export function boundedList(names: readonly string[], options: { maxItems?: number; maxChars?: number } = {}): string {
  const maxItems = options.maxItems ?? 8;
  const maxChars = options.maxChars ?? 40;
  const shown = names.slice(0, maxItems).map((n) => JSON.stringify(n.length > maxChars ? `${n.slice(0, maxChars)}…` : n));
  const rest = names.length - shown.length;
  return rest > 0 ? `${shown.join(', ')}, … and ${rest} more` : shown.join(', ');
}
