import type { Writable } from 'node:stream';

const MiB = 1024 * 1024;

/**
 * A one-line progress display on a terminal (stderr), for transfers of at least `minBytes`
 * (or of unknown size). Does nothing when stderr is not a TTY, so scripts get clean output.
 */
export class Progress {
  private readonly enabled: boolean;
  private readonly started = Date.now();
  private last = 0;
  private shown = false;

  constructor(
    private readonly out: Writable & { isTTY?: boolean },
    private readonly label: string,
    private readonly total: number | undefined,
    options: { quiet?: boolean; minBytes?: number } = {},
  ) {
    this.enabled = !options.quiet && out.isTTY === true && (total === undefined || total >= (options.minBytes ?? 8 * MiB));
  }

  /** Reports `loaded` bytes so far (redraws at most 5 times a second). */
  public update(loaded: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 200 && loaded !== this.total) return;
    this.last = now;
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const rate = `${(loaded / MiB / seconds).toFixed(1)} MiB/s`;
    const amount = this.total ? `${mib(loaded)} / ${mib(this.total)} (${Math.floor((loaded / this.total) * 100)}%)` : mib(loaded);
    this.out.write(`\r${this.label} ${amount}  ${rate}\u001b[K`);
    this.shown = true;
  }

  /** Clears the line (once; later calls do nothing). */
  public done(): void {
    if (this.shown) this.out.write('\r\u001b[K');
    this.shown = false;
  }
}

function mib(n: number): string {
  return `${(n / MiB).toFixed(1)} MiB`;
}
