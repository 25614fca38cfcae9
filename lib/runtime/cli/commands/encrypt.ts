import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { KMSClient } from '@aws-sdk/client-kms';
import { ClientSideConfigurationError } from '../../client-side/errors';
import {
  CLIENT_SIDE_KEY_OPTIONS, CLIENT_SIDE_KEY_OPTIONS_HELP, clientSideEncryptionFromOptions, clientSideKeyOptionsFrom, keyringFromOptions,
} from '../client-side-key-options';

/** File names of the offline (no S3) representation of an encrypted object. */
export const OFFLINE_FILES = {
  /** Exactly the bytes that would be PUT. */
  body: 'body.bin',
  /** The user metadata as S3 returns it (keys without `x-amz-meta-`), as a JSON object. */
  metadata: 'metadata.json',
  /** The instruction file's body, when one is used. */
  instructionFile: 'instruction.json',
} as const;

/** A path next to `target` for writing before an atomic rename. */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${Date.now()}`);
}

/** Removes files, ignoring ones that do not exist. */
export async function removeQuietly(...files: string[]): Promise<void> {
  await Promise.all(files.map((f) => fsp.rm(f, { force: true })));
}

/** Runs a parseArgs call; unknown or malformed options become ClientSideConfigurationError with the usage. */
export function parseWithUsage<T>(parse: () => T, usage: string): T {
  try {
    return parse();
  } catch (err) {
    throw new ClientSideConfigurationError(`${(err as Error).message}\n${usage}`);
  }
}

/** Usage of `s3-crypto encrypt`. */
export const ENCRYPT_USAGE = `Usage: s3-crypto encrypt --in FILE --out-dir DIR <key> [options]
Encrypts FILE offline (no S3) exactly as the Amazon S3 Encryption Client would store it:
  DIR/${OFFLINE_FILES.body}          the object body to PUT (ciphertext and 16-byte tag)
  DIR/${OFFLINE_FILES.metadata}      the user metadata S3 would return (keys without x-amz-meta-)
  DIR/${OFFLINE_FILES.instructionFile}   the instruction file body (only with --instruction-file)
${CLIENT_SIDE_KEY_OPTIONS_HELP}`;

/** Injection points for tests and embedding. */
export interface ClientSideCommandDeps {
  /** KMS client to use for --kms-key-id. @default new KMSClient({ region: --kms-region }) */
  readonly kmsClient?: KMSClient;
  /** Where progress lines go. @default process.stdout */
  readonly log?: (line: string) => void;
}

/**
 * `s3-crypto encrypt --in FILE --out-dir DIR`: streams FILE through client-side encryption
 * (constant memory) into DIR. Files are written under temporary names and renamed at the end,
 * so DIR never holds a half-written object; a stale instruction.json is removed when unused.
 */
export async function encryptCommand(argv: readonly string[], deps: ClientSideCommandDeps = {}): Promise<void> {
  const { values } = parseWithUsage(() => parseArgs({
    args: [...argv],
    options: { in: { type: 'string' }, 'out-dir': { type: 'string' }, help: { type: 'boolean' }, ...CLIENT_SIDE_KEY_OPTIONS },
    strict: true,
    allowPositionals: false,
  }), ENCRYPT_USAGE);
  const log = deps.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (values.help) return log(ENCRYPT_USAGE);
  if (!values.in || !values['out-dir']) throw new ClientSideConfigurationError(`encrypt needs --in FILE and --out-dir DIR.\n${ENCRYPT_USAGE}`);
  const opts = clientSideKeyOptionsFrom(values);
  const client = clientSideEncryptionFromOptions(opts, keyringFromOptions(opts, deps));

  const input = values.in;
  await fsp.access(input).catch(() => {
    throw new ClientSideConfigurationError(`Cannot read --in ${input}: the file does not exist or is not readable.`);
  });
  const dir = values['out-dir'];
  await fsp.mkdir(dir, { recursive: true });
  const target = {
    body: path.join(dir, OFFLINE_FILES.body),
    metadata: path.join(dir, OFFLINE_FILES.metadata),
    instructionFile: path.join(dir, OFFLINE_FILES.instructionFile),
  };
  const temp = { body: tempPathFor(target.body), metadata: tempPathFor(target.metadata), instructionFile: tempPathFor(target.instructionFile) };
  try {
    const encrypted = await client.encryptStream(createReadStream(input), { encryptionContext: opts.encryptionContext });
    await pipeline(encrypted.body, createWriteStream(temp.body, { mode: 0o644 }));
    await fsp.writeFile(temp.metadata, `${JSON.stringify(encrypted.metadata, null, 2)}\n`);
    if (encrypted.instructionFile !== undefined) await fsp.writeFile(temp.instructionFile, encrypted.instructionFile);
    await fsp.rename(temp.body, target.body);
    await fsp.rename(temp.metadata, target.metadata);
    if (encrypted.instructionFile !== undefined) await fsp.rename(temp.instructionFile, target.instructionFile);
    else await removeQuietly(target.instructionFile);
    const { size } = await fsp.stat(target.body);
    log(`encrypted ${input} -> ${dir} (${client.format}, ${client.keyring.name}, ${encrypted.instructionFile !== undefined ? 'instruction file' : 'object metadata'}, ${size} bytes)`);
  } finally {
    await removeQuietly(temp.body, temp.metadata, temp.instructionFile);
  }
}
