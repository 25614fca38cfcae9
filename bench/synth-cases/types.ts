import { type App } from 'aws-cdk-lib';

/**
 * One synth benchmark: an app built two ways (ours, and the baseline it competes with) at
 * several sizes. `build` adds everything to `app`; the harness times construction plus synth.
 */
export interface SynthCase {
  /** Short name used on the command line and in the report. */
  readonly name: string;
  /** What the case compares, for the report. */
  readonly description: string;
  /** Sizes to run (number of buckets, pairs, ...). */
  readonly sizes: readonly number[];
  /** Label of each variant, e.g. { ours: 'EncryptedBucket', baseline: 'aws-cdk-lib s3.Bucket + kms.Key' }. */
  readonly variants: { readonly ours: string; readonly baseline: string };
  /** Goal for ours / baseline wall time, e.g. 1.25. */
  readonly goalRatio: number;
  /**
   * Why `synth.ts --before` cannot build this case with the library before the package split (say what did
   * not exist yet), so it is not compared. @default undefined: compared
   */
  readonly notComparableBefore?: string;
  /** Build the app for a variant and size. */
  build(app: App, variant: 'ours' | 'baseline', size: number): void;
}

/** The environment of every benchmark stack. */
export const ENV = { account: '111111111111', region: 'us-east-1' };

/** CloudFormation allows 500 resources per stack; benchmarks spread items over stacks of this many. */
export const ITEMS_PER_STACK = 50;

/** Stacks for `size` items, `ITEMS_PER_STACK` per stack; calls `add(stack, index)` for each item. */
export function spreadOverStacks<S>(size: number, newStack: (index: number) => S, add: (stack: S, index: number) => void): void {
  let stack: S | undefined;
  for (let i = 0; i < size; i++) {
    if (i % ITEMS_PER_STACK === 0) stack = newStack(i / ITEMS_PER_STACK);
    add(stack!, i);
  }
}
