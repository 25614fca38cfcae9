import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { pipeline as pipe, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ClientSideEncryption, type DecryptOptions } from '../../client-side/client-side-encryption';
import { MalformedMetadataError } from '../../client-side/errors';
import { clientFromValues, clientSideOptionGroups, type KeyringFromOptionsDeps } from '../client-side-key-options';
import { type CliCommand, type CliContext, untilAborted, UsageError } from '../command';
import { fsReason, InputFile, OutputFile } from '../files';
import { markNotWritten } from '../messages';
import { COMMON_OPTIONS, type OptionValues, requireString } from '../options';
import { Progress } from '../progress';
import { OFFLINE_FILES, type OfflineTransferOptions } from './encrypt';

/**
 * Decrypts `dir` (body.bin, metadata.json, optional instruction.json) into the file `out`. The
 * plaintext goes to a private temporary file beside `out` that is renamed into place only after the
 * GCM tag verified, so `out` never holds unauthenticated or partial plaintext, in either
 * authentication mode; with delayed authentication this takes constant memory at any size. On any
 * failure or abort the temporary file is removed. Resolves to the plaintext length.
 */
export async function decryptFromDirectory(
  client: ClientSideEncryption,
  dir: string,
  out: string,
  options: DecryptOptions = {},
  io: OfflineTransferOptions = {},
): Promise<number> {
  const flag = io.outputFlag ?? '--out';
  const dirStat = await fsp.stat(dir).catch((err: unknown) => {
    throw new UsageError(`cannot read --in-dir ${dir}: ${fsReason(err)}`, { helpHint: false });
  });
  if (!dirStat.isDirectory()) throw new UsageError(`--in-dir ${dir} is not a directory; give the directory s3-crypto encrypt wrote`, { helpHint: false });
  const bodyPath = path.join(dir, OFFLINE_FILES.body);
  const body = await InputFile.open(bodyPath, '--in-dir').catch((err: unknown) => {
    if ((err as Error).message.includes('ENOENT')) {
      throw new UsageError(`${bodyPath} is missing: --in-dir must hold ${OFFLINE_FILES.body} and ${OFFLINE_FILES.metadata} (as written by s3-crypto encrypt)`, { helpHint: false });
    }
    throw err;
  });
  let output: OutputFile | undefined;
  let plaintext: Readable | undefined;
  try {
    const metadata = await readMetadata(path.join(dir, OFFLINE_FILES.metadata));
    const instructionFilePath = path.join(dir, OFFLINE_FILES.instructionFile);
    const instructionFile = await fsp.readFile(instructionFilePath).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw new UsageError(`cannot read ${instructionFilePath}: ${fsReason(err)}`, { helpHint: false });
    });
    output = await OutputFile.create(out, flag);
    const bodyStream = body.stream();
    const source = io.progress ? pipe(bodyStream, io.progress.meter(), () => undefined) : bodyStream;
    plaintext = await untilAborted(client.decryptStream(
      { body: source, contentLength: body.size, metadata, instructionFile, instructionFileKey: instructionFilePath },
      options,
    ), io.signal).catch((err: unknown) => {
      source.destroy();
      throw err;
    });
    const sink = output.stream();
    await pipeline(plaintext, sink, io.signal ? { signal: io.signal } : {});
    await output.commit(io.signal);
    return sink.bytesWritten;
  } catch (err) {
    plaintext?.destroy();
    await output?.discard();
    throw markNotWritten(err, flag, out);
  } finally {
    await body.close();
  }
}

/** `s3-crypto decrypt --in-dir DIR --out FILE <key>`: client-side decryption from files, no S3. */
export function decryptCommand(deps: Pick<KeyringFromOptionsDeps, 'kmsClient'> = {}): CliCommand {
  return {
    name: 'decrypt',
    summary: 'decrypt an object written by encrypt (or by any S3 Encryption Client) offline',
    usage: 's3-crypto decrypt --in-dir DIR --out FILE <key option> [options]',
    description: [
      `Decrypts DIR/${OFFLINE_FILES.body} with DIR/${OFFLINE_FILES.metadata} (and DIR/${OFFLINE_FILES.instructionFile}, if present)`,
      'into FILE, offline, and prints a JSON summary on stdout. Reads V2 and V3 objects (V1 with --legacy).',
      'Any size, in constant memory: the plaintext streams into a private temporary file (mode 0600) beside',
      'FILE that is renamed to FILE only after the GCM tag verified. A tampered object, a failure or Ctrl-C',
      'leaves no FILE and no temporary file. Exit: 0 done, 1 failed, 2 bad command line, 130/143 interrupted.',
    ],
    optionGroups: [
      {
        title: 'Files',
        options: {
          'in-dir': { type: 'string', value: 'DIR', help: 'directory written by s3-crypto encrypt (required)' },
          out: { type: 'string', value: 'FILE', help: 'plaintext output file (required; replaced atomically)' },
        },
      },
      ...clientSideOptionGroups({ direction: 'read' }),
      COMMON_OPTIONS,
    ],
    async run(values: OptionValues, ctx: CliContext): Promise<number> {
      const dir = requireString(values, 'in-dir');
      const out = requireString(values, 'out');
      const { opts, client } = clientFromValues(values, ctx, deps, { direction: 'read' }, { verifiedIntoFile: true });
      const bodyBytes = (await fsp.stat(path.join(dir, OFFLINE_FILES.body)).catch(() => undefined))?.size;
      const progress = new Progress(ctx.stderr, `decrypt ${path.basename(path.resolve(dir))}`, bodyBytes, { quiet: values.quiet === true });
      let size: number;
      try {
        size = await decryptFromDirectory(client, dir, out, { encryptionContext: opts.encryptionContext }, { signal: ctx.signal, progress });
      } finally {
        progress.done();
      }
      ctx.stdout.write(`${JSON.stringify({ inDir: dir, out, size })}\n`);
      return 0;
    },
  };
}

async function readMetadata(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UsageError(`${file} is missing: --in-dir must hold ${OFFLINE_FILES.body} and ${OFFLINE_FILES.metadata}`, { helpHint: false });
    }
    throw new UsageError(`cannot read ${file}: ${fsReason(err)}`, { helpHint: false });
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
