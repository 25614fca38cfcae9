import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3_LOCATION_OPTIONS, s3ClientFromOptions } from '../args';
import { type CliCommand, type CliContext, untilAborted } from '../command';
import { OutputFile } from '../files';
import { type KeyOptionSet, keyOptionGroups, resolveEncryptionMode } from '../key-options';
import { markNotWritten } from '../messages';
import { COMMON_OPTIONS, optionalString, type OptionValues, requireString } from '../options';
import { Progress } from '../progress';

/** `s3-crypto get`: download and decrypt to a file (atomically) or stdout. */
export function getCommand(keyOptions: readonly KeyOptionSet[]): CliCommand {
  return {
    name: 'get',
    summary: 'download and decrypt an object to a file (or stdout)',
    usage: 's3-crypto get --bucket NAME --key KEY [--file FILE] <key option> [options]',
    description: [
      'Writes the plaintext to FILE (or standard output if --file is absent or "-"). FILE is written to a',
      'private temporary file (mode 0600) beside it, renamed to FILE only once the whole object arrived and,',
      'for client-side encryption, its GCM tag verified: any size, in constant memory, never half-written.',
      'A failure or Ctrl-C leaves no FILE and no temporary file. With --file, prints a JSON summary on stdout.',
      'Give exactly one key: SSE-C, or a client-side key. Exit: 0 done, 1 failed, 2 bad command line,',
      '130/143 interrupted (SIGINT/SIGTERM).',
    ],
    optionGroups: [
      {
        ...S3_LOCATION_OPTIONS,
        options: {
          ...S3_LOCATION_OPTIONS.options,
          file: { type: 'string', short: 'f', value: 'FILE', help: 'where to write (default: stdout)' },
          'version-id': { type: 'string', value: 'ID', help: 'version to read (default: current)' },
        },
      },
      ...keyOptionGroups(keyOptions, 'get'),
      COMMON_OPTIONS,
    ],
    async run(values: OptionValues, ctx: CliContext): Promise<number> {
      const bucket = requireString(values, 'bucket');
      const key = requireString(values, 'key');
      const file = optionalString(values, 'file');
      const toFile = file !== undefined && file !== '-';
      const mode = await untilAborted(resolveEncryptionMode(keyOptions, values, ctx, { direction: 'get', toFile }), ctx.signal); // may fetch a key from Secrets Manager
      const s3 = s3ClientFromOptions(values);
      const versionId = optionalString(values, 'version-id');
      let output: OutputFile | undefined;
      let progress: Progress | undefined;
      try {
        if (toFile) output = await OutputFile.create(file, '--file'); // an unusable path fails before any request
        const out = await mode.get({ s3, bucket, key, signal: ctx.signal, ...(versionId ? { versionId } : {}) });
        // plaintext on a terminal and progress on the same terminal would garble each other
        const quiet = values.quiet === true || (!output && ctx.stdout.isTTY === true);
        progress = new Progress(ctx.stderr, `get s3://${bucket}/${key}`, out.contentLength, { quiet });
        const meter = progress.meter();
        if (!output) {
          await pipeline(out.body, meter, ctx.stdout as Writable, { end: false, signal: ctx.signal });
          return 0;
        }
        await pipeline(out.body, meter, output.stream(), { signal: ctx.signal });
        await output.commit(ctx.signal);
        progress.done();
        ctx.stdout.write(`${JSON.stringify({ bucket, key, file, size: progress.metered, versionId: out.versionId, encryption: mode.description })}\n`);
        return 0;
      } catch (err) {
        await output?.discard();
        throw output ? markNotWritten(err, '--file', output.target) : err;
      } finally {
        progress?.done();
        s3.destroy();
      }
    },
  };
}
