/**
 * Defence in depth for Batch Operations result strings: replaces every base64, base64url and hex
 * encoding of `secrets` (the key bytes in use) in `text` with `<redacted>`.
 */
export function redactSecrets(text: string, secrets: Iterable<Uint8Array>): string {
  let out = text;
  for (const secret of secrets) {
    const bytes = Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength);
    for (const form of [bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')]) out = out.split(form).join('<redacted>');
  }
  return out;
}
