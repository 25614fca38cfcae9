import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Helpers of the consumer matrix: pack the two packages once, give consumers a PATH without esbuild
 * or docker, install tarballs into fresh folders outside the repository, run commands there.
 */

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const RUNTIME_PACKAGE_DIR = path.join(ROOT, 'packages', 's3-encryption-runtime');

/** A finished command. */
export interface RunResult {
  readonly command: string;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a command to completion (never rejects on a non-zero exit; see {@link mustRun}). */
export function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult> {
  const started = Date.now();
  const label = [command, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 300_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({
      command: label, code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: Date.now() - started,
    }));
  });
}

/** Fails (showing the command's output) unless it exited with `code`. */
export function expectExit(result: RunResult, code: number): void {
  if (result.code !== code) throw new Error(`\`${result.command}\` exited ${result.code}, expected ${code}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
}

/** Runs a command and rejects, quoting its output, unless it exits 0. */
export async function mustRun(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const tail = (s: string) => s.trim().split('\n').slice(-40).join('\n');
    throw new Error(`\`${result.command}\` in ${options.cwd} exited ${result.code}\n--- stdout ---\n${tail(result.stdout)}\n--- stderr ---\n${tail(result.stderr)}`);
  }
  return result;
}

/** Runs at most `size` tasks at a time (the CI machine has 2 cores; tsc with skipLibCheck: false takes ~1 GB and half a minute). */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  public async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

function findOnPath(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return fs.realpathSync(candidate);
    } catch {
      // not in this directory
    }
  }
  throw new Error(`${name} is not on PATH; the consumer matrix needs node, npm and npx.`);
}

/**
 * A `bin` directory holding only node, npm, npx and sh (npm runs package bins through `sh -c`), and
 * the environment consumers run in: PATH is that directory alone (so no esbuild, no docker, whatever
 * the machine has), no NODE_PATH, and only the npm settings a registry behind a proxy needs.
 */
export function consumerEnvironment(workDir: string): NodeJS.ProcessEnv {
  const bin = path.join(workDir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  fs.symlinkSync(findOnPath('npm'), path.join(bin, 'npm'));
  fs.symlinkSync(findOnPath('npx'), path.join(bin, 'npx'));
  fs.symlinkSync(fs.realpathSync('/bin/sh'), path.join(bin, 'sh'));
  const passThrough = /^((https?|no)_proxy|node_extra_ca_certs|npm_config_(registry|cache|userconfig|cafile|strict_ssl|proxy|https_proxy|noproxy))$/i;
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => passThrough.test(k)));
  return {
    ...env,
    PATH: bin,
    HOME: os.homedir(),
    TMPDIR: os.tmpdir(),
    LANG: 'C.UTF-8',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    CDK_DISABLE_VERSION_CHECK: '1',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
}

/** What `npm pack --json` reports for one tarball. */
export interface PackedTarball {
  readonly name: string;
  readonly filename: string;
  readonly path: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: string[];
}

const BUILD_INPUTS = [
  'lib', 'scripts/bundle-handlers.ts', 'package.json', 'tsconfig.json', 'tsconfig.build.json',
  'packages/s3-encryption-runtime/src', 'packages/s3-encryption-runtime/package.json', 'packages/s3-encryption-runtime/tsconfig.build.json',
];
/** What `npm run build` writes: each package's entry points (from its package.json), the jsii assembly and the handler bundles. */
function buildOutputs(): string[] {
  const entryPoints = (dir: string) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { main?: string; types?: string };
    return [manifest.main ?? 'index.js', manifest.types].filter((f): f is string => f !== undefined).map((f) => path.join(dir, f));
  };
  return [
    ...entryPoints(ROOT), path.join(ROOT, '.jsii'), ...entryPoints(RUNTIME_PACKAGE_DIR),
    ...['sse-c-rekey', 'client-side-key-rotation'].map((name) => path.join(ROOT, 'assets', 'handlers', name, 'index.js')),
  ];
}

/** Newest modification time of a file, or of the TypeScript sources (not declarations) under a directory. */
function newestSourceMtime(file: string): number {
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(file, { withFileTypes: true })
    .filter((e) => e.isDirectory() || (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')))
    .map((e) => newestSourceMtime(path.join(file, e.name))));
}

/**
 * `npm run build` unless its outputs are newer than every input (`npm test` has just built: then the
 * package project does not rebuild the handler bundles under the feet of the unit tests that read them).
 */
export async function buildIfStale(): Promise<boolean> {
  const oldestOutput = Math.min(...buildOutputs().map((f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : -Infinity)));
  const newestInput = Math.max(...BUILD_INPUTS.filter((f) => fs.existsSync(path.join(ROOT, f))).map((f) => newestSourceMtime(path.join(ROOT, f))));
  if (oldestOutput > newestInput) return false;
  await mustRun('npm', ['run', '--silent', 'build'], { cwd: ROOT, env: process.env, timeoutMs: 300_000 });
  return true;
}

/** `npm pack` one package of this repository (already built: scripts are not run) into `destination`. */
export async function pack(packageDir: string, destination: string): Promise<PackedTarball> {
  const result = await mustRun('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], { cwd: packageDir, env: process.env });
  const [report] = JSON.parse(result.stdout) as { name: string; filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
  return {
    name: report.name,
    filename: report.filename,
    path: path.join(destination, report.filename),
    size: report.size,
    unpackedSize: report.unpackedSize,
    files: report.files.map((f) => f.path).sort(),
  };
}

/** A fresh folder with its own package.json, then `npm install --prefer-offline` of `specs` (the shared npm cache makes repeats cheap). */
export async function installConsumer(dir: string, manifest: Record<string, unknown>, specs: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ version: '1.0.0', private: true, ...manifest }, undefined, 2)}\n`);
  return mustRun('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...specs], { cwd: dir, env, timeoutMs: 600_000 });
}

/** Every package installed anywhere under `dir/node_modules` (nested ones included), by name. */
export function installedPackageNames(dir: string): Set<string> {
  const names = new Set<string>();
  const visit = (nodeModules: string) => {
    if (!fs.existsSync(nodeModules)) return;
    for (const entry of fs.readdirSync(nodeModules)) {
      if (entry.startsWith('.')) continue;
      const packages = entry.startsWith('@') ? fs.readdirSync(path.join(nodeModules, entry)).map((p) => `${entry}/${p}`) : [entry];
      for (const name of packages) {
        names.add(name);
        visit(path.join(nodeModules, name, 'node_modules'));
      }
    }
  };
  visit(path.join(dir, 'node_modules'));
  return names;
}

/** Size in bytes of everything under `dir`. */
export function directorySize(dir: string): number {
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory()) return stat.size;
  return fs.readdirSync(dir).reduce((sum, f) => sum + directorySize(path.join(dir, f)), 0);
}

/** `1234567` as `1.2 MiB`, for log lines. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
