/**
 * Files and timing helpers for tests that run the CLI as a process: data files written in constant
 * memory, their hashes, the CLI's temporary files, and "nothing was left behind" listings.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** 1 MiB. */
export const MiB = 1024 * 1024;

/** Every path under `dir` (relative), hidden files included: compare before and after to prove nothing was left behind. */
export function tree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map(String).sort();
}

/** SHA-256 (hex) of a file, read in 4 MiB blocks. */
export function sha256File(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(4 * MiB);
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** The `i`-th MiB of the data {@link writeData} writes for `seed`. */
function block(seed: string, i: number, length: number): Buffer {
  return Buffer.alloc(length, createHash('sha512').update(`${seed}:${i}`).digest());
}

/** Writes `size` bytes (each MiB a different pattern of `seed`) to `file` (mode 0644), without holding them in memory. */
export function writeData(file: string, size: number, seed = 'data'): void {
  const fd = fs.openSync(file, 'w', 0o644);
  try {
    for (let off = 0, i = 0; off < size; off += MiB, i++) fs.writeSync(fd, block(seed, i, Math.min(MiB, size - off)));
  } finally {
    fs.closeSync(fd);
  }
}

/** SHA-256 (hex) of what {@link writeData} writes for `size` and `seed`. */
export function dataSha256(size: number, seed = 'data'): string {
  const hash = createHash('sha256');
  for (let off = 0, i = 0; off < size; off += MiB, i++) hash.update(block(seed, i, Math.min(MiB, size - off)));
  return hash.digest('hex');
}

/** Polls (every 20 ms) until `predicate` holds, or fails after `ms`. */
export async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Bytes in the CLI's temporary files in `dir` (hidden `*.tmp` files: their exact names are private). */
export function tempBytes(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir).filter((f) => f.startsWith('.') && f.endsWith('.tmp'))
    .reduce((n, f) => n + (fs.statSync(path.join(dir, f), { throwIfNoEntry: false })?.size ?? 0), 0);
}

/** What a CLI message must never contain: the temporary file's name, or Node's errno text without a path. */
export const LEAKED_INTERNALS = /s3-crypto-[0-9a-f]{12}|\.tmp\b|illegal operation on a directory/;
