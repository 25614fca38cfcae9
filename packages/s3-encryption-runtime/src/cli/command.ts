import type { Readable, Writable } from 'node:stream';
import { type OptionGroup, type OptionValues, renderOptionGroups } from './options';

/** What a command can touch: its streams, environment and a cancellation signal. */
export interface CliContext {
  /** Standard input (a body to upload). */
  readonly stdin: Readable & { isTTY?: boolean };
  /** Standard output (downloaded data, or a JSON summary). */
  readonly stdout: Writable & { isTTY?: boolean };
  /** Standard error (progress, and the one-line reason on failure). */
  readonly stderr: Writable & { isTTY?: boolean };
  /** Environment variables. */
  readonly env: NodeJS.ProcessEnv;
  /**
   * Aborted on SIGINT/SIGTERM (the reason is an {@link InterruptedError}): transfers stop and clean up
   * (multipart uploads aborted, temporary files removed) and nothing is renamed into place.
   */
  readonly signal: AbortSignal;
  /**
   * Registers a secret (e.g. a loaded key) whose encodings must never be printed; the CLI scrubs them
   * from anything it writes to stderr.
   */
  readonly addSecret: (bytes: Uint8Array) => void;
}

/** A `s3-crypto` subcommand. Its options are parsed and documented from `optionGroups` only. */
export interface CliCommand {
  /** The word after `s3-crypto`. */
  readonly name: string;
  /** One line for `s3-crypto --help`. */
  readonly summary: string;
  /** The usage line, e.g. `s3-crypto get --bucket NAME --key KEY [--file FILE] <key option> [options]`. */
  readonly usage: string;
  /** What the command does, as help lines. */
  readonly description: readonly string[];
  /** The options the command accepts, as the parser sees them and help shows them. */
  readonly optionGroups: readonly OptionGroup[];
  /** Runs the command with its parsed options; resolves to the exit code. */
  run(values: OptionValues, ctx: CliContext): Promise<number>;
}

/** `s3-crypto <name> --help`: usage, description, then every option of `optionGroups`. */
export function commandHelp(command: CliCommand): string {
  return [`usage: ${command.usage}`, '', ...command.description, '', ...renderOptionGroups(command.optionGroups)].join('\n');
}

/** A mistake in the command line, or a path on it that cannot be used (exit code 2). */
export class UsageError extends Error {
  /**
   * @param message what is wrong, naming the flag (and path) to change
   * @param options `helpHint: false` when pointing at `--help` would not help (a missing file)
   */
  constructor(message: string, public readonly options: { readonly helpHint?: boolean } = {}) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes the CLI uses. */
export const EXIT = {
  /** Done. */
  OK: 0,
  /** The operation failed (crypto, S3, KMS, I/O); nothing was left half-written. */
  FAILED: 1,
  /** The command line is wrong or names a path that cannot be used. */
  USAGE: 2,
} as const;

/** Why the command was aborted: a signal, with the conventional exit code 128 + its number. */
export class InterruptedError extends Error {
  /** 130 for SIGINT, 143 for SIGTERM. */
  public readonly exitCode: number;

  constructor(public readonly signalName: 'SIGINT' | 'SIGTERM') {
    super(`interrupted by ${signalName}`);
    this.name = 'InterruptedError';
    this.exitCode = signalName === 'SIGINT' ? 130 : 143;
  }
}

/** The exit code for an aborted signal: its InterruptedError's, else 130 (as for Ctrl-C). */
export function interruptedExitCode(signal: AbortSignal): number {
  return signal.reason instanceof InterruptedError ? signal.reason.exitCode : 130;
}

/** Settles like `work`, or rejects with the abort reason as soon as `signal` is aborted (for calls that take no signal, e.g. KMS). */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  const reason = () => (signal.reason instanceof Error ? signal.reason : new InterruptedError('SIGINT'));
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(reason());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
