import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import {
  COMMON_OPTIONS,
  optionalString,
  parseOptions,
  requireString,
  S3_LOCATION_HELP,
  S3_LOCATION_OPTIONS,
  s3ClientFromOptions,
} from '../args';
import { type CliCommand, type CliContext, UsageError } from '../command';
import { type KeyOptionSet, keyOptionHelp, keyOptionSpecs, resolveEncryptionMode } from '../key-options';
import { Progress } from '../progress';

/** `s3-crypto put`: upload a file or stdin, encrypted with the key the key options select. */
export function putCommand(keyOptions: readonly KeyOptionSet[]): CliCommand {
  const options = {
    ...COMMON_OPTIONS,
    ...S3_LOCATION_OPTIONS,
    file: { type: 'string' as const, short: 'f' },
    'content-type': { type: 'string' as const },
    ...keyOptionSpecs(keyOptions),
  };
  return {
    name: 'put',
    summary: 'upload a file (or stdin) encrypted with your key',
    help: () =>
      [
        'usage: s3-crypto put --bucket NAME --key KEY [--file FILE] <key option> [options]',
        '',
        'Uploads FILE (or standard input if --file is absent or "-") in constant memory; large bodies go',
        'as a multipart upload, which is aborted on any failure. Prints a JSON summary on stdout.',
        '',
        ...S3_LOCATION_HELP,
        '  --file, -f FILE        file to upload (default: stdin)',
        '  --content-type TYPE    Content-Type of the object',
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
      const contentType = optionalString(values, 'content-type');
      let body: Readable;
      let contentLength: number | undefined;
      if (file && file !== '-') {
        try {
          contentLength = statSync(file).size;
        } catch (err) {
          throw new UsageError(`cannot read --file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
        body = createReadStream(file);
      } else {
        if (ctx.stdin.isTTY) throw new UsageError('no --file given and stdin is a terminal; pass --file FILE or pipe data in');
        body = ctx.stdin;
      }
      const progress = new Progress(ctx.stderr, `put s3://${bucket}/${key}`, contentLength, { quiet: values.quiet === true });
      try {
        const out = await mode.put({
          s3,
          bucket,
          key,
          body,
          ...(contentLength !== undefined ? { contentLength } : {}),
          ...(contentType ? { contentType } : {}),
          onProgress: (p) => progress.update(p.loaded),
          signal: ctx.signal,
        });
        progress.done(); // before the summary, on a terminal shared with stderr
        ctx.stdout.write(`${JSON.stringify({ bucket, key, size: out.size, etag: out.etag, versionId: out.versionId, encryption: mode.description })}\n`);
        return 0;
      } finally {
        progress.done();
        body.destroy();
        s3.destroy();
      }
    },
  };
}
