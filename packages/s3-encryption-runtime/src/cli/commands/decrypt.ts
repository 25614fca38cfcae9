import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type ClientSideEncryption, type DecryptOptions } from '../../client-side/client-side-encryption';
import { MalformedMetadataError } from '../../client-side/errors';
import { COMMON_OPTIONS, parseOptions, requireString } from '../args';
import { CLIENT_SIDE_KEY_OPTIONS, CLIENT_SIDE_KEY_OPTIONS_HELP, type KeyringFromOptionsDeps } from '../client-side-key-options';
import { type CliCommand, type CliContext, UsageError } from '../command';
import { clientFromValues, OFFLINE_FILES, removeQuietly, tempPathFor } from './encrypt';

/**
 * Decrypts `dir` (body.bin, metadata.json, optional instruction.json) into the file `out`. The
 * plaintext goes to a temporary file that is renamed into place only after the GCM tag verified,
 * so `out` never holds unauthenticated or partial plaintext, in either authentication mode.
 * Resolves to the plaintext length.
 */
export async function decryptFromDirectory(client: ClientSideEncryption, dir: string, out: string, options: DecryptOptions = {}): Promise<number> {
  const bodyPath = path.join(dir, OFFLINE_FILES.body);
  let bodyBytes: number;
  try {
    bodyBytes = (await fsp.stat(bodyPath)).size;
  } catch {
    throw new UsageError(`${bodyPath} is missing: --in-dir must hold ${OFFLINE_FILES.body} and ${OFFLINE_FILES.metadata} (as written by s3-crypto encrypt)`);
  }
  const metadata = await readMetadata(path.join(dir, OFFLINE_FILES.metadata));
  const instructionFilePath = path.join(dir, OFFLINE_FILES.instructionFile);
  const instructionFile = await fsp.readFile(instructionFilePath).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  const temp = tempPathFor(out);
  try {
    const plaintext = await client.decryptStream(
      { body: createReadStream(bodyPath), contentLength: bodyBytes, metadata, instructionFile, instructionFileKey: instructionFilePath },
      options,
    );
    await pipeline(plaintext, createWriteStream(temp, { mode: 0o600 }));
    await fsp.rename(temp, out);
    return (await fsp.stat(out)).size;
  } finally {
    await removeQuietly(temp);
  }
}

/** `s3-crypto decrypt --in-dir DIR --out FILE <key>`: client-side decryption from files, no S3. */
export function decryptCommand(deps: Pick<KeyringFromOptionsDeps, 'kmsClient'> = {}): CliCommand {
  const options = { ...COMMON_OPTIONS, 'in-dir': { type: 'string' as const }, out: { type: 'string' as const }, ...CLIENT_SIDE_KEY_OPTIONS };
  return {
    name: 'decrypt',
    summary: 'decrypt an object written by encrypt (or by any S3 Encryption Client) offline',
    help: () => [
      'usage: s3-crypto decrypt --in-dir DIR --out FILE <key option> [options]',
      '',
      `Decrypts DIR/${OFFLINE_FILES.body} with DIR/${OFFLINE_FILES.metadata} (and DIR/${OFFLINE_FILES.instructionFile}, if present)`,
      'into FILE, offline, and prints a JSON summary on stdout. Reads V2 and V3 objects (V1 with --legacy).',
      'FILE is written only after the GCM tag verified. Objects above --buffer-size (default 64 MiB) need',
      '--delayed-authentication; a tampered object then fails at the end and FILE is not created.',
      '',
      '  --in-dir DIR               directory written by s3-crypto encrypt',
      '  --out FILE                 plaintext output file',
      '',
      CLIENT_SIDE_KEY_OPTIONS_HELP,
    ].join('\n'),
    async run(args: string[], ctx: CliContext): Promise<number> {
      const values = parseOptions(args, options);
      const dir = requireString(values, 'in-dir');
      const out = requireString(values, 'out');
      const { opts, client } = clientFromValues(values, ctx, deps);
      const size = await decryptFromDirectory(client, dir, out, { encryptionContext: opts.encryptionContext });
      ctx.stdout.write(`${JSON.stringify({ inDir: dir, out, size })}\n`);
      return 0;
    },
  };
}

async function readMetadata(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch {
    throw new UsageError(`${file} is missing: --in-dir must hold ${OFFLINE_FILES.body} and ${OFFLINE_FILES.metadata}`);
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
