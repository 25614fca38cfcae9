import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ClientSideEncryption, type EncryptOptions } from '../../client-side/client-side-encryption';
import { ClientSideConfigurationError } from '../../client-side/errors';
import { COMMON_OPTIONS, type OptionValues, parseOptions, requireString } from '../args';
import {
  CLIENT_SIDE_KEY_OPTIONS, CLIENT_SIDE_KEY_OPTIONS_HELP, type ClientSideKeyOptions, clientSideEncryptionFromOptions,
  clientSideKeyOptionsFrom, keyringFromOptions, type KeyringFromOptionsDeps,
} from '../client-side-key-options';
import { type CliCommand, type CliContext, UsageError } from '../command';

/** File names of the offline (no S3) representation of an encrypted object. */
export const OFFLINE_FILES = {
  /** Exactly the bytes that would be PUT. */
  body: 'body.bin',
  /** The user metadata as S3 returns it (keys without `x-amz-meta-`), as a JSON object. */
  metadata: 'metadata.json',
  /** The instruction file's body, when one is used. */
  instructionFile: 'instruction.json',
} as const;

/** What {@link encryptToDirectory} wrote. */
export interface EncryptedDirectory {
  /** Bytes of `body.bin` (plaintext + 16). */
  readonly bodyBytes: number;
  /** True if `instruction.json` was written. */
  readonly instructionFile: boolean;
}

/**
 * Encrypts a plaintext stream into `dir` (body.bin, metadata.json, instruction.json when the
 * client writes instruction files), in constant memory. Files are written under temporary names
 * and renamed at the end, so `dir` never holds a half-written object; a stale instruction.json
 * is removed when the new object does not use one.
 */
export async function encryptToDirectory(client: ClientSideEncryption, plaintext: Readable, dir: string, options: EncryptOptions = {}): Promise<EncryptedDirectory> {
  await fsp.mkdir(dir, { recursive: true });
  const target = {
    body: path.join(dir, OFFLINE_FILES.body),
    metadata: path.join(dir, OFFLINE_FILES.metadata),
    instructionFile: path.join(dir, OFFLINE_FILES.instructionFile),
  };
  const temp = { body: tempPathFor(target.body), metadata: tempPathFor(target.metadata), instructionFile: tempPathFor(target.instructionFile) };
  try {
    const encrypted = await client.encryptStream(plaintext, options);
    await pipeline(encrypted.body, createWriteStream(temp.body));
    await fsp.writeFile(temp.metadata, `${JSON.stringify(encrypted.metadata, null, 2)}\n`);
    if (encrypted.instructionFile !== undefined) await fsp.writeFile(temp.instructionFile, encrypted.instructionFile);
    await fsp.rename(temp.body, target.body);
    await fsp.rename(temp.metadata, target.metadata);
    if (encrypted.instructionFile !== undefined) await fsp.rename(temp.instructionFile, target.instructionFile);
    else await removeQuietly(target.instructionFile);
    return { bodyBytes: (await fsp.stat(target.body)).size, instructionFile: encrypted.instructionFile !== undefined };
  } finally {
    await removeQuietly(temp.body, temp.metadata, temp.instructionFile);
  }
}

/** `s3-crypto encrypt --in FILE --out-dir DIR <key>`: client-side encryption to files, no S3. */
export function encryptCommand(deps: Pick<KeyringFromOptionsDeps, 'kmsClient'> = {}): CliCommand {
  const options = { ...COMMON_OPTIONS, in: { type: 'string' as const }, 'out-dir': { type: 'string' as const }, ...CLIENT_SIDE_KEY_OPTIONS };
  return {
    name: 'encrypt',
    summary: 'encrypt a file offline as the Amazon S3 Encryption Client stores it',
    help: () => [
      'usage: s3-crypto encrypt --in FILE --out-dir DIR <key option> [options]',
      '',
      'Encrypts FILE offline (no S3) in constant memory, exactly as the Amazon S3 Encryption Client',
      '(Java, Go, .NET, Ruby, ...) would store it, and prints a JSON summary on stdout:',
      `  DIR/${OFFLINE_FILES.body}           the object body to PUT (ciphertext and 16-byte GCM tag)`,
      `  DIR/${OFFLINE_FILES.metadata}       the user metadata S3 would return (keys without x-amz-meta-)`,
      `  DIR/${OFFLINE_FILES.instructionFile}    the instruction file body (<key>.instruction), with --instruction-file`,
      '',
      '  --in FILE                  plaintext file',
      '  --out-dir DIR              output directory (created if missing)',
      '',
      CLIENT_SIDE_KEY_OPTIONS_HELP,
    ].join('\n'),
    async run(args: string[], ctx: CliContext): Promise<number> {
      const values = parseOptions(args, options);
      const input = requireString(values, 'in');
      const dir = requireString(values, 'out-dir');
      const { opts, client } = clientFromValues(values, ctx, deps);
      try {
        await fsp.access(input);
      } catch (err) {
        throw new UsageError(`cannot read --in ${input}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      const out = await encryptToDirectory(client, createReadStream(input), dir, { encryptionContext: opts.encryptionContext });
      ctx.stdout.write(`${JSON.stringify({
        in: input, outDir: dir, bodyBytes: out.bodyBytes, format: client.format, commitmentPolicy: client.commitmentPolicy,
        keyring: client.keyring.name, metadata: out.instructionFile ? 'instruction-file' : 'object-metadata',
      })}\n`);
      return 0;
    },
  };
}

/**
 * Validates the client-side options and builds the client; option mistakes (no key, two keys,
 * unreadable key files, bad --format/--commitment-policy/--context) become usage errors.
 */
export function clientFromValues(values: OptionValues, ctx: CliContext, deps: Pick<KeyringFromOptionsDeps, 'kmsClient'>): { opts: ClientSideKeyOptions; client: ClientSideEncryption } {
  try {
    const opts = clientSideKeyOptionsFrom(values);
    const keyring = keyringFromOptions(opts, { kmsClient: deps.kmsClient, addSecret: ctx.addSecret });
    return { opts, client: clientSideEncryptionFromOptions(opts, keyring) };
  } catch (err) {
    if (err instanceof ClientSideConfigurationError) throw new UsageError(err.message);
    throw err;
  }
}

/** A path next to `target` for writing before an atomic rename. */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${Date.now()}`);
}

/** Removes files, ignoring ones that do not exist. */
export async function removeQuietly(...files: string[]): Promise<void> {
  await Promise.all(files.map((f) => fsp.rm(f, { force: true })));
}
