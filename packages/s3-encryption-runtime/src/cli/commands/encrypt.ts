import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { pipeline as pipe, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ClientSideEncryption, type EncryptedObjectStream, type EncryptOptions } from '../../client-side/client-side-encryption';
import { clientFromValues, clientSideOptionGroups, type KeyringFromOptionsDeps } from '../client-side-key-options';
import { type CliCommand, type CliContext, untilAborted } from '../command';
import { InputFile, OutputDirectory, OutputFile } from '../files';
import { markNotWritten } from '../messages';
import { COMMON_OPTIONS, type OptionValues, requireString } from '../options';
import { Progress } from '../progress';

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

/** Cancellation and progress for the offline commands. */
export interface OfflineTransferOptions {
  /** Stops the transfer; nothing is renamed into place once it is aborted. */
  readonly signal?: AbortSignal;
  /** Sees the input bytes as they are read. */
  readonly progress?: Progress;
  /** The flag that named the output, for messages. @default '--out-dir' / '--out' */
  readonly outputFlag?: string;
}

/**
 * Encrypts a plaintext stream into `dir` (body.bin, metadata.json, instruction.json when the client
 * writes instruction files), in constant memory. The data key is wrapped (a KMS call for KMS keys)
 * before anything is created; files are written under private temporary names and renamed at the end,
 * so `dir` never holds a half-written object; on any failure or abort the temporary files, and `dir`
 * itself if this call created it, are removed. A stale instruction.json is removed when the new object
 * does not use one.
 */
export async function encryptToDirectory(
  client: ClientSideEncryption,
  plaintext: Readable,
  dir: string,
  options: EncryptOptions = {},
  io: OfflineTransferOptions = {},
): Promise<EncryptedDirectory> {
  const flag = io.outputFlag ?? '--out-dir';
  const source = io.progress ? pipe(plaintext, io.progress.meter(), () => undefined) : plaintext;
  let encrypted: EncryptedObjectStream | undefined;
  let out: OutputDirectory | undefined;
  const files: OutputFile[] = [];
  try {
    encrypted = await untilAborted(client.encryptStream(source, options), io.signal);
    out = await OutputDirectory.prepare(dir, flag);
    const create = async (name: string) => {
      const file = await OutputFile.create(path.join(dir, name), flag);
      files.push(file);
      return file;
    };
    const body = await create(OFFLINE_FILES.body);
    const metadata = await create(OFFLINE_FILES.metadata);
    const instruction = encrypted.instructionFile !== undefined ? await create(OFFLINE_FILES.instructionFile) : undefined;
    const bodyStream = body.stream();
    await pipeline(encrypted.body, bodyStream, io.signal ? { signal: io.signal } : {});
    await metadata.write(`${JSON.stringify(encrypted.metadata, null, 2)}\n`);
    if (instruction) await instruction.write(encrypted.instructionFile!);
    for (const file of files) await file.commit(io.signal);
    if (!instruction) await fsp.rm(path.join(dir, OFFLINE_FILES.instructionFile), { force: true });
    out.keep();
    return { bodyBytes: bodyStream.bytesWritten, instructionFile: instruction !== undefined };
  } catch (err) {
    (encrypted?.body ?? source).destroy();
    plaintext.destroy();
    for (const file of files) await file.discard();
    await out?.removeIfCreated();
    throw markNotWritten(err, flag, dir);
  }
}

/** `s3-crypto encrypt --in FILE --out-dir DIR <key>`: client-side encryption to files, no S3. */
export function encryptCommand(deps: Pick<KeyringFromOptionsDeps, 'kmsClient'> = {}): CliCommand {
  return {
    name: 'encrypt',
    summary: 'encrypt a file offline as the Amazon S3 Encryption Client stores it',
    usage: 's3-crypto encrypt --in FILE --out-dir DIR <key option> [options]',
    description: [
      'Encrypts FILE offline (no S3) in constant memory, exactly as the Amazon S3 Encryption Client',
      '(Java, Go, .NET, Ruby, ...) would store it, and prints a JSON summary on stdout:',
      `  DIR/${OFFLINE_FILES.body.padEnd(18)}the object body to PUT (ciphertext and 16-byte GCM tag)`,
      `  DIR/${OFFLINE_FILES.metadata.padEnd(18)}the user metadata S3 would return (keys without x-amz-meta-)`,
      `  DIR/${OFFLINE_FILES.instructionFile.padEnd(18)}the instruction file body (<key>.instruction), with --instruction-file`,
      'The files appear only when complete (written privately, mode 0600, then renamed); on failure or',
      'Ctrl-C nothing is left behind, not even DIR if it was created. Exit: 0 done, 1 failed, 2 bad',
      'command line, 130/143 interrupted (SIGINT/SIGTERM).',
    ],
    optionGroups: [
      {
        title: 'Files',
        options: {
          in: { type: 'string', value: 'FILE', help: 'plaintext file (required)' },
          'out-dir': { type: 'string', value: 'DIR', help: 'output directory (required; created if missing)' },
        },
      },
      ...clientSideOptionGroups({ direction: 'write' }),
      COMMON_OPTIONS,
    ],
    async run(values: OptionValues, ctx: CliContext): Promise<number> {
      const inputPath = requireString(values, 'in');
      const dir = requireString(values, 'out-dir');
      const { opts, client } = clientFromValues(values, ctx, deps, { direction: 'write' });
      const input = await InputFile.open(inputPath, '--in');
      const progress = new Progress(ctx.stderr, `encrypt ${path.basename(inputPath)}`, input.size, { quiet: values.quiet === true });
      let out: EncryptedDirectory;
      try {
        out = await encryptToDirectory(client, input.stream(), dir, { encryptionContext: opts.encryptionContext }, { signal: ctx.signal, progress });
      } finally {
        progress.done();
        await input.close();
      }
      ctx.stdout.write(`${JSON.stringify({
        in: inputPath, outDir: dir, bodyBytes: out.bodyBytes, format: client.format, commitmentPolicy: client.commitmentPolicy,
        keyring: client.keyring.name, metadata: out.instructionFile ? 'instruction-file' : 'object-metadata',
      })}\n`);
      return 0;
    },
  };
}
