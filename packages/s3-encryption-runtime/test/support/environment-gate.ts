/**
 * The one place where tests that need something outside node (radosgw, the Ruby peer) decide whether
 * to run. Issue 4 asks for exactly this: where the dependency cannot be installed here (no root, not
 * Debian), say so clearly and skip; under `CI=true` that is a failure, because CI must test against the
 * real components. `npm test` and `.ci/run` install and start them, so the skip is only reachable on a
 * developer machine that cannot.
 */
const announced = new Set<string>();

/** What a gated block needs, and why it is missing (`undefined` when it is available). */
export interface EnvironmentRequirement {
  /** Short name of what is needed, used in test names, e.g. `a real S3 server`. */
  readonly needs: string;
  /** Why it is not available here, with the command that fixes it; `undefined` when it is. */
  readonly unavailableReason: string | undefined;
  /** Per-test timeout inside the block, in ms. */
  readonly timeoutMs: number;
}

/** `describe` that runs `fn` when `requirement` is met; otherwise fails under `CI=true`, or skips with the reason printed. */
export function describeWhenAvailable(name: string, requirement: EnvironmentRequirement, fn: () => void): void {
  const reason = requirement.unavailableReason;
  if (!reason) {
    describe(name, () => {
      jest.setTimeout(requirement.timeoutMs);
      fn();
    });
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it(`has ${requirement.needs} (CI=true requires it)`, () => {
        throw new Error(`${name} needs ${requirement.needs}: ${reason}`);
      });
    });
    return;
  }
  if (!announced.has(reason)) {
    announced.add(reason);
    process.stderr.write(`\n[skipped] ${name}: no ${requirement.needs}: ${reason}\n`);
  }
  // `fn` is not called: its setup would need the missing dependency.
  describe(name, () => {
    it.skip(`needs ${requirement.needs}: ${reason}`, () => undefined);
  });
}
