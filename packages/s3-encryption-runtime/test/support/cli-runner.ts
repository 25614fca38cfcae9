/**
 * Two ways tests run the `s3-crypto` CLI: in this process through the real dispatch table (fast; KMS
 * and Secrets Manager mocks apply), or as a separate process, as a user would: `node` running
 * `src/cli/main.ts` through tsx's loader (one process, so signals reach the CLI's own handlers and
 * /proc/<pid> is the CLI's).
 *
 * A pseudo-terminal comes from `script` (util-linux; on Debian in `bsdutils`, which is Essential, so
 * every Debian machine has it): `script -qfec CMD /dev/null` runs CMD with stdin, stdout and stderr on
 * a new pty, copies what CMD writes to its own stdout, and exits with CMD's status.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PassThrough, Readable } from 'node:stream';
import { run } from '../../src/cli/main';

const ROOT = join(__dirname, '..', '..', '..', '..');
const TSX_LOADER = join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
const MAIN = join(__dirname, '..', '..', 'src', 'cli', 'main.ts');
const PEAK_RSS_PRELOAD = join(__dirname, 'peak-rss-preload.js');

/** Exit code and output of one in-process run. */
export interface InProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in this process; `tty` makes stderr look like a terminal (progress output). */
export async function runCliInProcess(argv: string[], options: { tty?: boolean } = {}): Promise<InProcessResult> {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await run(argv, { stdin: Readable.from([]), stdout, stderr, env: {} });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

/** How to start a CLI process. */
export interface CliProcessOptions {
  /** Added to the child's minimal environment (PATH, HOME, no AWS config files, no instance metadata). */
  readonly env?: Record<string, string>;
  /** Written to stdin, then stdin is closed; `'pipe'` leaves it open for the test to write. @default empty */
  readonly stdin?: Buffer | 'pipe';
  /** Run on a pseudo-terminal (through `script`): stdout and stderr then arrive together in `terminal`. @default false */
  readonly tty?: boolean;
  /** Run as the unprivileged user `nobody` when the tests run as root, so file permissions apply. @default false */
  readonly unprivileged?: boolean;
  /** Record the child's peak RSS (VmHWM, read by the child itself at exit). @default false */
  readonly measurePeakRss?: boolean;
  /** Working directory. @default this process's */
  readonly cwd?: string;
}

/** How a CLI process ended. */
export interface CliProcessResult {
  /** Exit code (null if killed by a signal it did not handle). */
  readonly code: number | null;
  /** The signal that killed it, if any. */
  readonly signal: NodeJS.Signals | null;
  /** Standard output (with `tty`: everything the terminal showed, stdout and stderr). */
  readonly stdout: Buffer;
  /** Standard error (empty with `tty`). */
  readonly stderr: string;
  /** With `tty`: what the terminal showed, as text. */
  readonly terminal: string;
  /** `performance.now()` when the process exited. */
  readonly exitedAt: number;
  /** Peak resident set size in MiB (with `measurePeakRss`). */
  readonly peakRssMiB?: number;
}

/** A running CLI process. */
export interface CliProcess {
  /** The process (its pid is the CLI's own, except with `tty`). */
  readonly child: ChildProcess;
  /** Resolves when it has exited and its output is complete. */
  readonly result: Promise<CliProcessResult>;
  /** Standard error so far. */
  stderrSoFar(): string;
  /** Standard output so far. */
  stdoutSoFar(): Buffer;
}

/** The uid/gid of `nobody`, for tests that need permissions to apply although they run as root. */
export const UNPRIVILEGED = { uid: 65534, gid: 65534 } as const;

/** True when the tests run as root (file permissions do not apply to root). */
export const runningAsRoot = process.getuid?.() === 0;

/**
 * Throws, saying what to change, if `nobody` could not run the CLI from here (a checkout or a node
 * under a private directory such as /root): otherwise such a test would fail with a confusing error.
 */
function assertRunnableByOthers(): void {
  for (const file of [process.execPath, TSX_LOADER, MAIN, PEAK_RSS_PRELOAD]) {
    for (let p = file; ; p = dirname(p)) {
      const mode = statSync(p).mode;
      const needed = p === file ? 0o004 : 0o001; // others may read the file, and traverse each directory above it
      if ((mode & needed) === 0) {
        throw new Error(`this test runs the CLI as the unprivileged user nobody (uid 65534), who cannot reach ${file}: ${p} is not ${p === file ? 'world-readable' : 'world-searchable'}. Run the tests from a checkout and a Node install that other users can read, or as a non-root user.`);
      }
      if (p === dirname(p)) break;
    }
  }
}

/** Starts the CLI as a separate process. */
export function startCli(args: string[], options: CliProcessOptions = {}): CliProcess {
  if (options.unprivileged && runningAsRoot) assertRunnableByOthers();
  const rssDir = options.measurePeakRss ? mkdtempSync(join(tmpdir(), 's3-crypto-rss-')) : undefined;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: options.unprivileged && runningAsRoot ? tmpdir() : process.env.HOME,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...(rssDir ? { S3_CRYPTO_TEST_PEAK_RSS_FILE: join(rssDir, 'peak') } : {}),
    ...options.env,
  };
  const nodeArgs = [...(rssDir ? ['--require', PEAK_RSS_PRELOAD] : []), '--import', TSX_LOADER, MAIN, ...args];
  const [command, argv] = options.tty
    ? ['script', ['-qfec', [process.execPath, ...nodeArgs].map(shellQuote).join(' '), '/dev/null']]
    : [process.execPath, nodeArgs];
  const child = spawn(command, argv, {
    env,
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.unprivileged && runningAsRoot ? UNPRIVILEGED : {}),
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  if (options.stdin !== 'pipe') child.stdin.end(options.stdin ?? Buffer.alloc(0));
  const result = new Promise<CliProcessResult>((resolve, reject) => {
    child.on('error', reject);
    let exitedAt = 0;
    child.on('exit', () => {
      exitedAt = performance.now();
    });
    child.on('close', (code, signal) => {
      let peakRssMiB: number | undefined;
      if (rssDir) {
        try {
          peakRssMiB = Number(readFileSync(join(rssDir, 'peak'), 'utf8')) / 1024;
        } catch {
          peakRssMiB = undefined; // the child died before its exit handler ran
        }
        rmSync(rssDir, { recursive: true, force: true });
      }
      const stdout = Buffer.concat(out);
      resolve({ code, signal, stdout, stderr: Buffer.concat(err).toString(), terminal: options.tty ? stdout.toString() : '', exitedAt, peakRssMiB });
    });
  });
  return { child, result, stderrSoFar: () => Buffer.concat(err).toString(), stdoutSoFar: () => Buffer.concat(out) };
}

/** Runs the CLI as a separate process to completion. */
export function runCli(args: string[], options: CliProcessOptions = {}): Promise<CliProcessResult> {
  return startCli(args, options).result;
}

/**
 * Runs the CLI as a separate process with these S3 credentials in its environment (no AWS config
 * files), feeding `stdin`.
 */
export function runCliProcess(args: string[], credentials: { accessKeyId: string; secretAccessKey: string }, stdin?: Buffer): Promise<CliProcessResult> {
  return runCli(args, { stdin, env: { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey } });
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
