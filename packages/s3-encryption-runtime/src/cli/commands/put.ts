import type { Readable } from 'node:stream';
import { S3_LOCATION_OPTIONS, s3ClientFromOptions } from '../args';
import { type CliCommand, type CliContext, untilAborted, UsageError } from '../command';
import { InputFile } from '../files';
import { type KeyOptionSet, keyOptionGroups, resolveEncryptionMode } from '../key-options';
import { COMMON_OPTIONS, optionalString, type OptionValues, requireString } from '../options';
import { Progress } from '../progress';

/** `s3-crypto put`: upload a file or stdin, encrypted with the key the key options select. */
export function putCommand(keyOptions: readonly KeyOptionSet[]): CliCommand {
  return {
    name: 'put',
    summary: 'upload a file (or stdin) encrypted with your key',
    usage: 's3-crypto put --bucket NAME --key KEY [--file FILE] <key option> [options]',
    description: [
      'Uploads FILE (or standard input if --file is absent or "-") in constant memory; large bodies go',
      'as a multipart upload, which is aborted on any failure and on Ctrl-C. Prints a JSON summary on stdout.',
      'Give exactly one key: SSE-C, or a client-side key. Exit: 0 done, 1 failed, 2 bad command line,',
      '130/143 interrupted (SIGINT/SIGTERM).',
    ],
    optionGroups: [
      {
        ...S3_LOCATION_OPTIONS,
        options: {
          ...S3_LOCATION_OPTIONS.options,
          file: { type: 'string', short: 'f', value: 'FILE', help: 'file to upload (default: stdin)' },
          'content-type': { type: 'string', value: 'TYPE', help: 'Content-Type of the object' },
        },
      },
      ...keyOptionGroups(keyOptions, 'put'),
      COMMON_OPTIONS,
    ],
    async run(values: OptionValues, ctx: CliContext): Promise<number> {
      const bucket = requireString(values, 'bucket');
      const key = requireString(values, 'key');
      const mode = await untilAborted(resolveEncryptionMode(keyOptions, values, ctx, { direction: 'put' }), ctx.signal); // may fetch a key from Secrets Manager
      const s3 = s3ClientFromOptions(values);
      const file = optionalString(values, 'file');
      const contentType = optionalString(values, 'content-type');
      let input: InputFile | undefined;
      let body: Readable;
      try {
        if (file && file !== '-') {
          input = await InputFile.open(file, '--file');
          body = input.stream();
        } else {
          if (ctx.stdin.isTTY) throw new UsageError('no --file given and stdin is a terminal; pass --file FILE or pipe data in');
          body = ctx.stdin;
        }
      } catch (err) {
        s3.destroy();
        throw err;
      }
      const contentLength = input?.size;
      const progress = new Progress(ctx.stderr, `put s3://${bucket}/${key}`, contentLength, { quiet: values.quiet === true });
      // an upload waiting for stdin data would not notice the abort: failing the body stops it (and aborts the multipart upload)
      const stopReading = () => body.destroy(ctx.signal.reason instanceof Error ? ctx.signal.reason : undefined);
      ctx.signal.addEventListener('abort', stopReading, { once: true });
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
        ctx.signal.removeEventListener('abort', stopReading);
        progress.done();
        body.destroy();
        s3.destroy();
      }
    },
  };
}
