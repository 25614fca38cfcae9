/**
 * The one line the CLI prints for a failure. The runtime's messages are written for library callers
 * and name API options (`bufferSize`, `allowInsecureHttp: true`); here they name the CLI flag to change
 * instead, and I/O errors name the user's path rather than a temporary file.
 */
import { BufferLimitExceededError, ContentAuthenticationError, EncryptionContextMismatchError, KmsRequestError } from '../client-side/errors';
import { S3EncryptionError } from '../errors';
import { InsecureEndpointError } from '../s3-client-factory';
import { labelledMessage } from './files';

const NOT_WRITTEN = Symbol('s3-crypto output not written');

/** Marks `err` as a failure after which `file` (given with `flag`) was not written, for the message. */
export function markNotWritten(err: unknown, flag: string, file: string): unknown {
  if (err !== null && typeof err === 'object' && !(NOT_WRITTEN in err)) {
    Object.defineProperty(err, NOT_WRITTEN, { value: `${flag} ${file}`, enumerable: false });
  }
  return err;
}

/** The reason printed after `s3-crypto: ` for `err` (several lines are joined by the caller). */
export function describeFailure(err: unknown): string {
  const labelled = labelledMessage(err);
  if (labelled) return labelled;
  if (err instanceof InsecureEndpointError) {
    return `refusing --endpoint ${err.endpoint}: plain HTTP would send encryption keys unencrypted. ` +
      'Give an https:// --endpoint (with --ca-cert FILE if its certificate is not from a public CA).';
  }
  if (err instanceof BufferLimitExceededError) {
    return `The object holds more than ${err.limitBytes} bytes of plaintext, the --buffer-size limit for output to stdout, ` +
      'where nothing is written before the GCM tag verifies. Write it to a file with --file FILE (verified before it is renamed into place, at any size), ' +
      'raise --buffer-size, or stream it unverified with --delayed-authentication. Nothing was written.';
  }
  if (err instanceof S3EncryptionError) {
    let text = withCliFlags(err.message);
    if (err instanceof EncryptionContextMismatchError) text = text.replace('Pass the encryption context', 'Pass (with --context KEY=VALUE, once per entry) the encryption context');
    if (err instanceof KmsRequestError) text = text.replace('Check the key id, the region,', 'Check the key (--kms-key-id), its region (--kms-region),');
    const target = (err as { [NOT_WRITTEN]?: string })[NOT_WRITTEN];
    if (target && err instanceof ContentAuthenticationError && err.plaintextReleased) {
      // the CLI streamed into a private temporary file that is now removed: nothing was released
      text = text.replace(/Delayed authentication was enabled[^.]*\./, `${target} was not written.`);
    }
    return text;
  }
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; code?: string };
  const status = e?.$metadata?.httpStatusCode;
  const what = e?.name && e.name !== 'Error' ? `${e.name}${status ? ` (HTTP ${status})` : ''}: ` : '';
  return `${what}${e?.message || e?.code || String(err)}`;
}

/**
 * Rewrites `option (CLI: --flag)` and `set option: true (CLI: --flag)` as the flag alone, and the
 * remaining API option names the runtime uses in advice as their flags.
 */
export function withCliFlags(message: string): string {
  return message
    .replace(/\bset \w+: true \(CLI: (--[^)]+)\)/g, 'pass $1')
    .replace(/\b(?:\w+: )?[\w.]+ \(CLI: (--[^)]+)\)/g, '$1')
    .replace(/\bmetadataStrategy: INSTRUCTION_FILE\b/g, '--instruction-file');
}
