import type { Readable, Writable } from 'node:stream';

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
  /** Aborted on SIGINT/SIGTERM: transfers stop and clean up (multipart uploads aborted, partial files removed). */
  readonly signal: AbortSignal;
  /**
   * Registers a secret (e.g. a loaded key) whose encodings must never be printed; the CLI scrubs them
   * from anything it writes to stderr.
   */
  readonly addSecret: (bytes: Uint8Array) => void;
}

/** A `s3-crypto` subcommand. */
export interface CliCommand {
  /** The word after `s3-crypto`. */
  readonly name: string;
  /** One line for `s3-crypto --help`. */
  readonly summary: string;
  /** Full help text for `s3-crypto <name> --help`. */
  help(): string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(args: string[], ctx: CliContext): Promise<number>;
}

/** A mistake in the command line (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
