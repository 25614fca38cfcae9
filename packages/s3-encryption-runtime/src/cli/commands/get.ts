import { randomBytes } from 'node:crypto';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  COMMON_OPTIONS,
  optionalString,
  parseOptions,
  requireString,
  S3_LOCATION_HELP,
  S3_LOCATION_OPTIONS,
  s3ClientFromOptions,
} from '../args';
import type { CliCommand, CliContext } from '../command';
import { type KeyOptionSet, keyOptionHelp, keyOptionSpecs, resolveEncryptionMode } from '../key-options';
import { Progress } from '../progress';

/** `s3-crypto get`: download and decrypt to a file (atomically) or stdout. */
export function getCommand(keyOptions: readonly KeyOptionSet[]): CliCommand {
  const options = {
    ...COMMON_OPTIONS,
    ...S3_LOCATION_OPTIONS,
    file: { type: 'string' as const, short: 'f' },
    'version-id': { type: 'string' as const },
    ...keyOptionSpecs(keyOptions),
  };
  return {
    name: 'get',
    summary: 'download and decrypt an object to a file (or stdout)',
    help: () =>
      [
        'usage: s3-crypto get --bucket NAME --key KEY [--file FILE] <key option> [options]',
        '',
        'Writes the plaintext to FILE (or standard output if --file is absent or "-"). A file is written',
        'under a temporary name and renamed only once the whole object arrived, so it is never half-written.',
        'With --file, prints a JSON summary on stdout.',
        '',
        ...S3_LOCATION_HELP,
        '  --file, -f FILE        where to write (default: stdout)',
        '  --version-id ID        version to read (default: current)',
        '  --quiet, -q            no progress display',
        '',
        ...keyOptionHelp(keyOptions),
      ].join('\n'),
    async run(args: string[], ctx: CliContext): Promise<number> {
      const values = parseOptions(args, options);
      const bucket = requireString(values, 'bucket');
      const key = requireString(values, 'key');
      const mode = await resolveEncryptionMode(keyOptions, values, ctx);
      const s3 = s3ClientFromOptions(values);
      const file = optionalString(values, 'file');
      const versionId = optionalString(values, 'version-id');
      try {
        const out = await mode.get({ s3, bucket, key, signal: ctx.signal, ...(versionId ? { versionId } : {}) });
        const progress = new Progress(ctx.stderr, `get s3://${bucket}/${key}`, out.contentLength, { quiet: values.quiet === true });
        let loaded = 0;
        const meter = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            loaded += chunk.length;
            progress.update(loaded);
            cb(null, chunk);
          },
        });
        if (!file || file === '-') {
          try {
            await pipeline(out.body, meter, ctx.stdout, { end: false, signal: ctx.signal } as never);
          } finally {
            progress.done();
          }
          return 0;
        }
        const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.part`);
        try {
          await pipeline(out.body, meter, createWriteStream(temp, { flags: 'wx', mode: 0o600 }), { signal: ctx.signal });
          renameSync(temp, file);
        } catch (err) {
          rmSync(temp, { force: true });
          throw err;
        } finally {
          progress.done();
        }
        ctx.stdout.write(`${JSON.stringify({ bucket, key, file, size: loaded, versionId: out.versionId, encryption: mode.description })}\n`);
        return 0;
      } finally {
        s3.destroy();
      }
    },
  };
}
