/**
 * `s3-crypto`: put and get S3 objects encrypted with your own keys.
 *
 *   s3-crypto put --bucket B --key K --file data.bin --sse-c-key-file key.bin
 *   s3-crypto get --bucket B --key K --file out.bin --sse-c-secret app/sse-c-key
 *
 * Extension points (add files; touch this one only to register them):
 * - Commands: write `commands/<name>.ts` exporting a `CliCommand` (see `command.ts`), then add it to
 *   `commands()` below. Declare its options as `optionGroups` (see `options.ts`): `run` parses them
 *   and `--help` renders them from that one table. Throw `UsageError` for command-line mistakes
 *   (exit 2); anything else thrown becomes a one-line reason (exit 1, worded by `messages.ts`).
 *   Honour `ctx.signal`: on SIGINT/SIGTERM stop, remove what you created, and let the abort reject.
 * - Files: open inputs with `InputFile` and write outputs with `OutputFile` / `OutputDirectory`
 *   (`files.ts`): errors then name the user's path and flag, and nothing half-written is ever left.
 * - Key options for `put`/`get` (e.g. client-side `--aes-key-file`, `--rsa-*`, `--kms-key-id`): write a
 *   `KeyOptionSet` (see `key-options.ts`, and `sse-c-key-options.ts` for an example) whose `resolve`
 *   returns an `EncryptionMode` with `put`/`get`, then append it to `KEY_OPTION_SETS` below. `put` and `get`
 *   pick it up (options, help, "exactly one kind of key") without changes.
 * - Secrets: call `ctx.addSecret(bytes)` for every key you load; the CLI scrubs their encodings from
 *   everything it prints to stderr. Never print a key yourself.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type CliCommand, type CliContext, commandHelp, EXIT, InterruptedError, interruptedExitCode, UsageError } from './command';
import { decryptCommand } from './commands/decrypt';
import { encryptCommand } from './commands/encrypt';
import { getCommand } from './commands/get';
import { putCommand } from './commands/put';
import { clientSideS3KeyOptions } from './client-side-s3-key-options';
import { cleanUpPendingSync } from './files';
import type { KeyOptionSet } from './key-options';
import { describeFailure } from './messages';
import { parseOptions } from './options';
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
  const command = table.find((c) => c.name === name);
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(`${usage(table)}\n`);
      return name === undefined ? EXIT.USAGE : EXIT.OK;
    }
    if (name === '--version') {
      io.stdout.write(`${version()}\n`);
      return EXIT.OK;
    }
    if (!command) throw new UsageError(`unknown command "${name}"`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(`${commandHelp(command)}\n`);
      return EXIT.OK;
    }
    return await command.run(parseOptions(rest, command.optionGroups), ctx);
  } catch (err) {
    if (ctx.signal.aborted) {
      const reason = ctx.signal.reason instanceof InterruptedError ? ctx.signal.reason.message : 'interrupted';
      say(`s3-crypto: ${reason}; stopped and cleaned up (no output file, temporary file or upload left behind)`);
      return interruptedExitCode(ctx.signal);
    }
    if (err instanceof UsageError) {
      const hint = err.options.helpHint === false ? '' : ` (see s3-crypto ${command ? `${name} ` : ''}--help)`;
      say(`s3-crypto: ${oneLine(err.message)}${hint}`);
      return EXIT.USAGE;
    }
    say(`s3-crypto: ${oneLine(describeFailure(err))}`);
    return EXIT.FAILED;
  }
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
    'Progress is shown on stderr when it is a terminal (--quiet turns it off). Ctrl-C (SIGINT) or',
    'SIGTERM stops any command within 2 seconds, leaving nothing behind (exit 130 / 143).',
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

/** How long a command may take to stop after SIGINT/SIGTERM before the process removes its files and exits anyway. */
const STOP_GRACE_MS = 1500;

/**
 * The process entry point (`bin/s3-crypto.js`): real streams and environment. SIGINT/SIGTERM abort the
 * command, which stops and cleans up; if it has not finished within {@link STOP_GRACE_MS} (a KMS or
 * S3 call that ignores the abort), or on a second signal, pending temporary files are removed
 * synchronously and the process exits with 130 (SIGINT) or 143 (SIGTERM).
 */
export function main(): void {
  // the SDK's "Node 20 support ends" notice is not actionable for CLI users and breaks one-line errors
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const controller = new AbortController();
  const forceExit = (code: number) => {
    cleanUpPendingSync();
    process.exit(code);
  };
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (controller.signal.aborted) return forceExit(interruptedExitCode(controller.signal));
    const reason = new InterruptedError(signal);
    controller.abort(reason);
    setTimeout(() => {
      process.stderr.write(`s3-crypto: ${reason.message}; did not stop in time, removed its temporary files\n`);
      forceExit(reason.exitCode);
    }, STOP_GRACE_MS).unref();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  void run(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal }).then(
    (code) => {
      process.exitCode = code;
      // after an interruption, sockets the SDK keeps alive must not hold the process
      if (controller.signal.aborted) setTimeout(() => process.exit(code), 100).unref();
    },
  );
}

if (require.main === module) main();
