import { Transform } from 'node:stream';
import type { Writable } from 'node:stream';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** Transfers smaller than this show no progress ("more than a few MiB"). */
export const PROGRESS_MIN_BYTES = 8 * MiB;

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** `--quiet`: never draw. @default false */
  readonly quiet?: boolean;
  /** Smallest transfer that is shown; one of unknown size is shown once it passes this. @default 8 MiB */
  readonly minBytes?: number;
}

/**
 * A one-line progress display on a terminal (stderr): bytes so far, of the total when known, the
 * rate, and the time left when the total is known. Does nothing when stderr is not a TTY or with
 * `--quiet`, so scripts and logs get clean output.
 */
export class Progress {
  private readonly enabled: boolean;
  private readonly minBytes: number;
  private readonly started = Date.now();
  private last = 0;
  private shown = false;
  private meteredBytes = 0;

  constructor(
    private readonly out: Writable & { isTTY?: boolean; columns?: number },
    private readonly label: string,
    private readonly total: number | undefined,
    options: ProgressOptions = {},
  ) {
    this.minBytes = options.minBytes ?? PROGRESS_MIN_BYTES;
    this.enabled = !options.quiet && out.isTTY === true && (total === undefined || total >= this.minBytes);
  }

  /** Reports `loaded` bytes so far (redraws at most 5 times a second, and at the end). */
  public update(loaded: number): void {
    if (!this.enabled || (this.total === undefined && loaded < this.minBytes)) return;
    const now = Date.now();
    if (now - this.last < 200 && loaded !== this.total) return;
    this.last = now;
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const rate = loaded / seconds;
    const parts = [this.label];
    if (this.total !== undefined && this.total > 0) {
      parts.push(`${formatBytes(loaded)} / ${formatBytes(this.total)}`, `${Math.floor((loaded / this.total) * 100)}%`, `${formatBytes(rate)}/s`);
      if (loaded < this.total) parts.push(`ETA ${rate > 0 ? formatDuration((this.total - loaded) / rate) : '--:--'}`);
    } else {
      parts.push(formatBytes(loaded), `${formatBytes(rate)}/s`);
    }
    const width = this.out.columns && this.out.columns > 20 ? this.out.columns - 1 : 200;
    this.out.write(`\r${parts.join('  ').slice(0, width)}\u001b[K`);
    this.shown = true;
  }

  /** Clears the line (once; later calls do nothing), so what follows starts on a clean line. */
  public done(): void {
    if (this.shown) this.out.write('\r\u001b[K');
    this.shown = false;
  }

  /** Bytes counted by {@link meter} so far. */
  public get metered(): number {
    return this.meteredBytes;
  }

  /** A pass-through stream that reports the bytes flowing through it (one per Progress). */
  public meter(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        this.meteredBytes += chunk.length;
        this.update(this.meteredBytes);
        callback(null, chunk);
      },
    });
  }
}

/** `512 B`, `3.0 KiB`, `12.4 MiB`, `1.00 GiB`. */
export function formatBytes(n: number): string {
  if (n < KiB) return `${Math.round(n)} B`;
  if (n < MiB) return `${(n / KiB).toFixed(1)} KiB`;
  if (n < GiB) return `${(n / MiB).toFixed(1)} MiB`;
  return `${(n / GiB).toFixed(2)} GiB`;
}

/** `0:07`, `12:30`, `1:02:03`. */
export function formatDuration(seconds: number): string {
  const s = Math.ceil(seconds);
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`;
}
