import { ConstructPropError } from '../../lib/private/construct-prop-error';

/** The synth-time validation error `fn` throws; any other outcome fails the test. */
export function propErrorOf(fn: () => unknown): ConstructPropError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConstructPropError) return e;
    throw e;
  }
  throw new Error('expected a ConstructPropError');
}
