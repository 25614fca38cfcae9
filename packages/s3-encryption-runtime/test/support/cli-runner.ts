/**
 * Two ways tests run the `s3-crypto` CLI: in this process through the real dispatch table (fast; KMS
 * and Secrets Manager mocks apply), or as a separate process through tsx, as a user would.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { run } from '../../src/cli/main';

const ROOT = join(__dirname, '..', '..', '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = join(__dirname, '..', '..', 'src', 'cli', 'main.ts');

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

/** Exit code and output of one CLI process. */
export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/**
 * Runs the CLI as a separate process with only PATH, HOME and these credentials in its environment
 * (no AWS config files), feeding `stdin`.
 */
export function runCliProcess(args: string[], credentials: { accessKeyId: string; secretAccessKey: string }, stdin?: Buffer): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [MAIN, ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }));
    child.stdin.end(stdin ?? Buffer.alloc(0));
  });
}
