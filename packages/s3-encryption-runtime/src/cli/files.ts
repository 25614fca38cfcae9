/**
 * The CLI's files: inputs opened once (a directory or a missing file is refused up front, naming the
 * flag), and outputs written to a private temporary file beside the target that is renamed into place
 * only at the very end. Every error names the user's path and flag, never the temporary name, and any
 * failure or interruption removes what was created.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { createReadStream, createWriteStream, type ReadStream, rmdirSync, rmSync, promises as fsp, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { UsageError } from './command';

const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EIO: 'input/output error',
};

/** `permission denied (EACCES)` for an errno error; the message otherwise. */
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code && ERRNO_WORDS[code]) return `${ERRNO_WORDS[code]} (${code})`;
  return code ?? (err as Error)?.message ?? String(err);
}

// numeric descriptors, not FileHandles: a FileHandle lent to a stream with autoClose: false never settles its later calls
const open = promisify(fs.open);
const fstat = promisify(fs.fstat);
const close = promisify(fs.close);
const writeAll = promisify(fs.writeFile);

const USER_MESSAGE = Symbol('s3-crypto user message');

/**
 * Attaches the message the CLI prints for `err` (an I/O error of a stream, which names no path or a temporary one).
 * Only the file's own system errors: a pipeline destroys every stream with the error of whichever failed
 * first, and a decryption error reaching the output stream that way is not a write error.
 */
function labelError(err: unknown, message: string): void {
  if (typeof (err as NodeJS.ErrnoException)?.syscall !== 'string') return;
  if (!(USER_MESSAGE in (err as object))) {
    Object.defineProperty(err, USER_MESSAGE, { value: message, enumerable: false });
  }
}

/** The message attached by this module, if any. */
export function labelledMessage(err: unknown): string | undefined {
  return err !== null && typeof err === 'object' && USER_MESSAGE in err ? (err as { [USER_MESSAGE]: string })[USER_MESSAGE] : undefined;
}

/** Synchronous removals for a forced exit (a second signal, or a command that does not stop in time). */
const pendingCleanups = new Set<() => void>();

/** Removes every temporary file and created directory still pending, synchronously. Safe to call at any time. */
export function cleanUpPendingSync(): void {
  for (const clean of [...pendingCleanups].reverse()) { // files before the directories that hold them
    try {
      clean();
    } catch {
      // best effort on the way out
    }
  }
  pendingCleanups.clear();
}

/** A file named on the command line, open for reading. */
export class InputFile {
  /**
   * Opens `file` (the value of `flag`) for reading. A missing or unreadable file, or a directory, is a
   * usage error naming both.
   */
  public static async open(file: string, flag: string): Promise<InputFile> {
    let fd: number;
    try {
      fd = await open(file, 'r');
    } catch (err) {
      throw new UsageError(`cannot read ${flag} ${file}: ${fsReason(err)}`, { helpHint: false });
    }
    try {
      const stat = await fstat(fd);
      if (stat.isDirectory()) throw new UsageError(`${flag} ${file} is a directory; give a file`, { helpHint: false });
      return new InputFile(fd, file, flag, stat.isFile() ? stat.size : undefined);
    } catch (err) {
      await close(fd);
      throw err;
    }
  }

  private streamed = false;

  private constructor(
    private readonly fd: number,
    /** The path as given. */
    public readonly path: string,
    private readonly flag: string,
    /** Size in bytes; `undefined` for pipes and devices. */
    public readonly size: number | undefined,
  ) {}

  /** The file's content as a stream (once); a read error names the file. The stream closes the file. */
  public stream(): ReadStream {
    if (this.streamed) throw new Error(`${this.path} was already read`);
    this.streamed = true;
    const stream = createReadStream(this.path, { fd: this.fd, autoClose: true });
    stream.on('error', (err) => labelError(err, `cannot read ${this.flag} ${this.path}: ${fsReason(err)}`));
    return stream;
  }

  /** Closes the file if it was never streamed. */
  public async close(): Promise<void> {
    if (this.streamed) return;
    this.streamed = true;
    await close(this.fd).catch(() => undefined);
  }
}

/**
 * An output file written atomically: the bytes go to a temporary file in the target's directory
 * (created exclusively, mode 0600, so no other user can read plaintext while it is written), which
 * {@link commit} flushes to disk and renames over the target. Until then the target is untouched;
 * {@link discard} (and a forced exit) removes the temporary file.
 */
export class OutputFile {
  /**
   * Creates the temporary file for `target` (the value of `flag`). A target that is a directory, or a
   * directory that is missing or not writable, is a usage error naming the flag and the path.
   */
  public static async create(target: string, flag: string): Promise<OutputFile> {
    const existing = await fsp.stat(target).catch(() => undefined);
    if (existing?.isDirectory()) throw new UsageError(`${flag} ${target} is a directory; give a file path`, { helpHint: false });
    const dir = path.dirname(target);
    const temp = path.join(dir, `.${path.basename(target)}.s3-crypto-${randomBytes(6).toString('hex')}.tmp`);
    let fd: number;
    try {
      fd = await open(temp, 'wx', 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const where = code === 'ENOENT' ? `directory ${dir} does not exist` : `cannot create a file in ${dir}: ${fsReason(err)}`;
      throw new UsageError(`cannot write ${flag} ${target}: ${where}`, { helpHint: false });
    }
    return new OutputFile(fd, target, flag, temp);
  }

  private readonly cleanup = () => rmSync(this.temp, { force: true });
  private closed = false;
  private done = false;

  private constructor(
    private readonly fd: number,
    /** The path as given. */
    public readonly target: string,
    private readonly flag: string,
    private readonly temp: string,
  ) {
    pendingCleanups.add(this.cleanup);
  }

  /** A stream into the temporary file; a write error names the target. It leaves the file open for {@link commit}. */
  public stream(): WriteStream {
    const stream = createWriteStream(this.temp, { fd: this.fd, autoClose: false });
    stream.on('error', (err) => labelError(err, this.writeError(err)));
    return stream;
  }

  /** Writes all of `data` to the temporary file. */
  public async write(data: string | Uint8Array): Promise<void> {
    try {
      await writeAll(this.fd, data);
    } catch (err) {
      labelError(err, this.writeError(err));
      throw err;
    }
  }

  /**
   * Renames the temporary file over the target (atomic: readers see the old file or the complete new
   * one). Refuses, leaving the target untouched, once `signal` is aborted. No fsync, like cp, gpg and
   * `aws s3 cp`: it would add seconds per GiB and could not be interrupted.
   */
  public async commit(signal?: AbortSignal): Promise<void> {
    try {
      await this.close();
      signal?.throwIfAborted();
      await fsp.rename(this.temp, this.target);
    } catch (err) {
      labelError(err, this.writeError(err));
      throw err;
    } finally {
      pendingCleanups.delete(this.cleanup);
    }
    this.done = true;
  }

  /** Removes the temporary file (after a failure); does nothing after a commit. */
  public async discard(): Promise<void> {
    if (this.done) return;
    await this.close().catch(() => undefined);
    await fsp.rm(this.temp, { force: true });
    pendingCleanups.delete(this.cleanup);
    this.done = true;
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await close(this.fd);
  }

  private writeError(err: unknown): string {
    return `cannot write ${this.flag} ${this.target}: ${fsReason(err)}`;
  }
}

/** An output directory: used as it is, or created (with missing parents) and removed again on failure. */
export class OutputDirectory {
  /**
   * Makes sure `dir` (the value of `flag`) is a directory, creating it and its missing parents. A path
   * that is a file, or a parent that cannot be written, is a usage error naming the flag.
   */
  public static async prepare(dir: string, flag: string): Promise<OutputDirectory> {
    const existing = await fsp.stat(dir).catch(() => undefined);
    if (existing && !existing.isDirectory()) throw new UsageError(`${flag} ${dir} exists and is not a directory`, { helpHint: false });
    if (existing) return new OutputDirectory(dir, []);
    let first: string | undefined;
    try {
      first = await fsp.mkdir(dir, { recursive: true });
    } catch (err) {
      throw new UsageError(`cannot create ${flag} ${dir}: ${fsReason(err)}`, { helpHint: false });
    }
    // the directories created, deepest first, to remove on failure
    const created: string[] = [];
    if (first) for (let d = path.resolve(dir); ; d = path.dirname(d)) {
      created.push(d);
      if (d === path.resolve(first) || d === path.dirname(d)) break;
    }
    return new OutputDirectory(dir, created);
  }

  private readonly cleanup = () => {
    for (const d of this.created) rmdirSync(d); // only empty directories: never anything else's
  };

  private constructor(
    /** The path as given. */
    public readonly path: string,
    private readonly created: readonly string[],
  ) {
    if (created.length > 0) pendingCleanups.add(this.cleanup);
  }

  /** Keeps the directory. */
  public keep(): void {
    pendingCleanups.delete(this.cleanup);
  }

  /** Removes the directories this run created, if they are empty (call after discarding the files in them). */
  public async removeIfCreated(): Promise<void> {
    pendingCleanups.delete(this.cleanup);
    for (const d of this.created) {
      try {
        await fsp.rmdir(d);
      } catch {
        return; // not empty (someone else's files) or already gone: leave it and its parents
      }
    }
  }
}
