import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { ClientSideConfigurationError, MalformedMetadataError } from '../../client-side/errors';
import {
  CLIENT_SIDE_KEY_OPTIONS, CLIENT_SIDE_KEY_OPTIONS_HELP, clientSideEncryptionFromOptions, clientSideKeyOptionsFrom, keyringFromOptions,
} from '../client-side-key-options';
import { ClientSideCommandDeps, OFFLINE_FILES, parseWithUsage, removeQuietly, tempPathFor } from './encrypt';

/** Usage of `s3-crypto decrypt`. */
export const DECRYPT_USAGE = `Usage: s3-crypto decrypt --in-dir DIR --out FILE <key> [options]
Decrypts an object stored offline by "s3-crypto encrypt" (or captured from S3 as DIR/${OFFLINE_FILES.body},
DIR/${OFFLINE_FILES.metadata} and, if used, DIR/${OFFLINE_FILES.instructionFile}) into FILE.
By default no plaintext is written unless the GCM tag verifies; objects above --buffer-size need
--delayed-authentication, and then a tampered object fails at the end and FILE is not created.
${CLIENT_SIDE_KEY_OPTIONS_HELP}`;

/**
 * `s3-crypto decrypt --in-dir DIR --out FILE`: decrypts DIR into FILE. The plaintext is written to
 * a temporary file renamed into place only after authentication succeeded, so FILE never holds
 * unauthenticated or partial plaintext, in either authentication mode.
 */
export async function decryptCommand(argv: readonly string[], deps: ClientSideCommandDeps = {}): Promise<void> {
  const { values } = parseWithUsage(() => parseArgs({
    args: [...argv],
    options: { 'in-dir': { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' }, ...CLIENT_SIDE_KEY_OPTIONS },
    strict: true,
    allowPositionals: false,
  }), DECRYPT_USAGE);
  const log = deps.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (values.help) return log(DECRYPT_USAGE);
  if (!values['in-dir'] || !values.out) throw new ClientSideConfigurationError(`decrypt needs --in-dir DIR and --out FILE.\n${DECRYPT_USAGE}`);
  const opts = clientSideKeyOptionsFrom(values);
  const client = clientSideEncryptionFromOptions(opts, keyringFromOptions(opts, deps));

  const dir = values['in-dir'];
  const bodyPath = path.join(dir, OFFLINE_FILES.body);
  const bodyStat = await fsp.stat(bodyPath).catch(() => {
    throw new ClientSideConfigurationError(`${bodyPath} is missing: --in-dir must hold ${OFFLINE_FILES.body} and ${OFFLINE_FILES.metadata} (as written by s3-crypto encrypt).`);
  });
  const metadata = await readMetadata(path.join(dir, OFFLINE_FILES.metadata));
  const instructionFile = await fsp.readFile(path.join(dir, OFFLINE_FILES.instructionFile)).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });

  const out = values.out;
  const temp = tempPathFor(out);
  try {
    const plaintext = await client.decryptStream({
      body: createReadStream(bodyPath),
      contentLength: bodyStat.size,
      metadata,
      instructionFile,
      instructionFileKey: path.join(dir, OFFLINE_FILES.instructionFile),
    }, { encryptionContext: opts.encryptionContext });
    await pipeline(plaintext, createWriteStream(temp, { mode: 0o600 }));
    await fsp.rename(temp, out);
    const { size } = await fsp.stat(out);
    log(`decrypted ${dir} -> ${out} (${size} bytes)`);
  } finally {
    await removeQuietly(temp);
  }
}

async function readMetadata(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch {
    throw new ClientSideConfigurationError(`${file} is missing: --in-dir must hold ${OFFLINE_FILES.body} and ${OFFLINE_FILES.metadata}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new MalformedMetadataError(undefined, `${file} is not valid JSON.`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new MalformedMetadataError(undefined, `${file} must be a JSON object of string values (the S3 user metadata).`);
  }
  return parsed as Record<string, string>;
}
