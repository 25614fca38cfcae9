// What the benchmarks share: peak RSS of the current process, the median, and the esbuild bundle
// that runs a benchmark's child processes under plain node (so tsx's own memory counts against no one).
import { readFileSync } from 'node:fs';

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

/** Bundles `entry` (a benchmark file) into one CommonJS file for plain `node`. esbuild is loaded here only, never in the child. */
export function bundleForNode(entry: string, outfile: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  esbuild.buildSync({ entryPoints: [entry], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile, external: ['esbuild'], logLevel: 'error' });
}
