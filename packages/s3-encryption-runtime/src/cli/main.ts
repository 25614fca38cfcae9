/**
 * `s3-crypto`: put and get S3 objects encrypted with your own keys.
 *
 *   s3-crypto put --bucket B --key K --file data.bin --sse-c-key-file key.bin
 *   s3-crypto get --bucket B --key K --file out.bin --sse-c-secret app/sse-c-key
 *
 * Extension points (add files; touch this one only to register them):
 * - Commands: write `commands/<name>.ts` exporting a `CliCommand` (see `command.ts`), then add it to
 *   `commands()` below. Parse options with `parseOptions` from `args.ts`; throw `UsageError` for
 *   command-line mistakes (exit 2); anything else thrown becomes a one-line reason (exit 1).
 * - Key options for `put`/`get` (e.g. client-side `--aes-key-file`, `--rsa-*`, `--kms-key-id`): write a
 *   `KeyOptionSet` (see `key-options.ts`, and `sse-c-key-options.ts` for an example) whose `resolve`
 *   returns an `EncryptionMode` with `put`/`get`, then append it to `KEY_OPTION_SETS` below. `put` and `get`
 *   pick it up (options, help, "exactly one kind of key") without changes.
 * - Secrets: call `ctx.addSecret(bytes)` for every key you load; the CLI scrubs their encodings from
 *   everything it prints to stderr. Never print a key yourself.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { S3EncryptionError } from '../errors';
import { type CliCommand, type CliContext, UsageError } from './command';
import { decryptCommand } from './commands/decrypt';
import { encryptCommand } from './commands/encrypt';
import { getCommand } from './commands/get';
import { putCommand } from './commands/put';
import { clientSideS3KeyOptions } from './client-side-s3-key-options';
import type { KeyOptionSet } from './key-options';
import { sseCKeyOptions } from './sse-c-key-options';

/** Key option families `put` and `get` accept: SSE-C, and client-side encryption (S3 Encryption Client format). */
export const KEY_OPTION_SETS: KeyOptionSet[] = [sseCKeyOptions, clientSideS3KeyOptions];

/** The dispatch table. */
export function commands(): CliCommand[] {
  return [putCommand(KEY_OPTION_SETS), getCommand(KEY_OPTION_SETS), encryptCommand(), decryptCommand()];
}

/** Streams and environment for {@link run}; defaults to the process's. */
export type CliIo = Pick<CliContext, 'stdin' | 'stdout' | 'stderr' | 'env'> & { readonly signal?: AbortSignal };

/** Runs `s3-crypto` with `argv` (without `node` and the script); resolves to the exit code. Never throws. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const secrets: string[] = [];
  const scrub = (text: string) => secrets.reduce((t, s) => (s.length >= 16 ? t.split(s).join('<redacted>') : t), text);
  const say = (line: string) => io.stderr.write(`${scrub(line)}\n`);
  const ctx: CliContext = {
    ...io,
    signal: io.signal ?? new AbortController().signal,
    addSecret: (bytes) => {
      const b = Buffer.from(bytes);
      secrets.push(b.toString('base64'), b.toString('hex'), b.toString('base64url'), b.toString('latin1').trim());
    },
  };
  const table = commands();
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(`${usage(table)}\n`);
      return name === undefined ? 2 : 0;
    }
    if (name === '--version') {
      io.stdout.write(`${version()}\n`);
      return 0;
    }
    const command = table.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command "${name}"`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(`${command.help()}\n`);
      return 0;
    }
    return await command.run(rest, ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      say(`s3-crypto: ${oneLine(err.message)} (see s3-crypto ${table.some((c) => c.name === name) ? `${name} ` : ''}--help)`);
      return 2;
    }
    say(`s3-crypto: ${oneLine(describe(err))}`);
    return ctx.signal.aborted ? 130 : 1;
  }
}

function describe(err: unknown): string {
  if (err instanceof S3EncryptionError) return err.message;
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; code?: string };
  if (e?.name === 'AbortError') return 'interrupted; nothing was written';
  const status = e?.$metadata?.httpStatusCode;
  const what = e?.name && e.name !== 'Error' ? `${e.name}${status ? ` (HTTP ${status})` : ''}: ` : '';
  return `${what}${e?.message || e?.code || String(err)}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function usage(table: CliCommand[]): string {
  return [
    'usage: s3-crypto <command> [options]',
    '',
    'commands:',
    ...table.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    '',
    'Run s3-crypto <command> --help for its options. Credentials come from the usual AWS sources',
    '(environment, profile, container or instance role). Only https:// endpoints are accepted.',
  ].join('\n');
}

function version(): string {
  // from src/cli (sources) or dist/cli (package): the nearest package.json that is ours
  for (let dir = __dirname, i = 0; i < 6; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 's3-encryption-runtime' && pkg.version) return pkg.version;
    } catch {
      // not here: go up
    }
  }
  return 'unknown';
}

/** The process entry point (`bin/s3-crypto.js`): real streams and environment, SIGINT/SIGTERM abort the command. */
export function main(): void {
  // the SDK's "Node 20 support ends" notice is not actionable for CLI users and breaks one-line errors
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  run(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal }).then(
    (code) => {
      process.exitCode = code;
    },
  );
}

if (require.main === module) main();
