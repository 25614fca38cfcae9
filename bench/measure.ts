// What the benchmarks share: peak RSS of the current process, the summary statistics, the esbuild
// bundles that run a benchmark's child processes under plain node (so tsx's own memory counts against
// no one), and the "before" runtime: the same runtime API from an older checkout, for same-run comparisons.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Peak RSS of this process in MB, from /proc/self/status `VmHWM`. Not `process.resourceUsage().maxRSS`:
 * on Linux that survives execve, so a benchmark child would report its parent's peak whenever the
 * parent's was higher. Falls back to maxRSS where /proc is missing.
 */
export function peakRssMb(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) / 1024;
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** The median (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** How rounds are summarized: the median, or the best round (lowest time or memory, highest throughput). */
export type Statistic = 'median' | 'best';

/** Parses a `--stat` value. */
export function parseStatistic(text: string): Statistic {
  if (text === 'median' || text === 'best') return text;
  throw new Error(`--stat must be median or best, not ${text}`);
}

/** The summary of `xs` under `stat`; `better` says which direction "best" is (time and memory: lower). */
export function summarize(xs: readonly number[], stat: Statistic, better: 'lower' | 'higher' = 'lower'): number {
  if (stat === 'median') return median(xs);
  return better === 'lower' ? Math.min(...xs) : Math.max(...xs);
}

/** The order of `items` in round `round`: rotated by one each round, so every item runs in every position. */
export function rotation<T>(items: readonly T[], round: number): T[] {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** The runtime package's sources in this checkout. */
export const RUNTIME_SOURCES = path.join(__dirname, '..', 'packages', 's3-encryption-runtime', 'src');

/**
 * The runtime sources of a checkout from before the package split (`<dir>/lib/runtime`), where the
 * same modules sit at the same relative paths (`client-side/client-side-encryption.ts`, `sse-c/...`).
 */
export function beforeRuntimeSources(beforeDir: string): string {
  const dir = path.join(path.resolve(beforeDir), 'lib', 'runtime');
  if (!existsSync(path.join(dir, 'client-side', 'client-side-encryption.ts'))) {
    throw new Error(`--before ${beforeDir}: ${dir} has no client-side/client-side-encryption.ts; give a checkout of the single-package layout (runtime in lib/runtime)`);
  }
  if (!existsSync(path.join(path.resolve(beforeDir), 'node_modules'))) throw new Error(`--before ${beforeDir}: run npm ci there first`);
  return dir;
}

interface BundleOptions {
  /**
   * Leave npm packages as `require` calls resolved at run time (from the bundle's folder upwards), so
   * two bundles in one process share one copy of the AWS SDK. Default: everything inlined.
   */
  readonly externalPackages?: boolean;
}

// esbuild is loaded here only, never in a child
// eslint-disable-next-line @typescript-eslint/no-require-imports
const esbuild = () => require('esbuild') as typeof import('esbuild');

/** Bundles `entry` (a benchmark file) into one CommonJS file for plain `node`. */
export function bundleForNode(entry: string, outfile: string, options: BundleOptions = {}): void {
  esbuild().buildSync({
    entryPoints: [entry], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile, external: ['esbuild'], logLevel: 'error',
    ...(options.externalPackages ? { packages: 'external' as const } : {}),
  });
}

/**
 * Bundles a module whose source is `reexports` (TypeScript `export { X } from './relative/path'` lines),
 * resolved against `sourceRoot`, into one CommonJS file. Benchmarks build the same re-exports from
 * {@link RUNTIME_SOURCES} and from {@link beforeRuntimeSources}, and load both the same way, so neither
 * side carries the other's code.
 */
export function bundleRuntime(sourceRoot: string, reexports: string, outfile: string, options: BundleOptions = {}): void {
  esbuild().buildSync({
    stdin: { contents: reexports, resolveDir: sourceRoot, loader: 'ts', sourcefile: path.join(sourceRoot, 'bench-entry.ts') },
    bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile, logLevel: 'error',
    ...(options.externalPackages ? { packages: 'external' as const } : {}),
  });
}

/** Loads a bundle written by {@link bundleRuntime} (a plain CommonJS file, whatever loader runs this process). */
export function loadBundle<M>(file: string): M {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as M;
}
