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
