import { type IConstruct } from 'constructs';

/**
 * Marks the library's validation errors. `Symbol.for` is shared by every copy of this library loaded
 * in one process, so `S3EncryptionErrors.isValidationError` recognises errors of another installed copy,
 * where `instanceof` would not.
 */
const VALIDATION_ERROR_BRAND = Symbol.for('s3-encryption-constructs.ValidationError');

/**
 * A construct was given props that cannot produce a working, secure deployment.
 * Thrown at synth time; the message names the construct path, the prop and the fix.
 * Not exported: jsii cannot export an `Error` subclass. Users recognise it with
 * `S3EncryptionErrors.isValidationError`.
 */
export class ConstructPropError extends Error {
  /** The construct path, e.g. `App/Stack/Data`. */
  public readonly constructPath: string;
  /** The offending prop, e.g. `encryptionKey`. */
  public readonly prop: string;

  /**
   * @param constructPath path of the construct that rejected its props
   * @param prop name of the offending prop
   * @param problem what is wrong with it
   * @param fix what to change
   */
  constructor(constructPath: string, prop: string, problem: string, fix: string) {
    super(`${constructPath}: prop '${prop}': ${problem} Fix: ${fix}`);
    this.name = 'ConstructPropError';
    this.constructPath = constructPath;
    this.prop = prop;
    Object.defineProperty(this, VALIDATION_ERROR_BRAND, { value: true });
  }
}

/** Whether `x` is a validation error of this library (of any copy of it). */
export function isConstructPropError(x: unknown): x is ConstructPropError {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[VALIDATION_ERROR_BRAND] === true;
}

/** One problem found by a pure validation helper, before it is tied to a construct path. */
export interface PropProblem {
  /** The offending prop. */
  readonly prop: string;
  /** What is wrong. */
  readonly problem: string;
  /** What to change. */
  readonly fix: string;
}

/** Throws a {@link ConstructPropError} at `scope`'s path (or `path`) for the first problem, listing the rest. */
export function throwIfProblems(pathOrScope: string | IConstruct, problems: readonly PropProblem[]): void {
  if (problems.length === 0) return;
  const path = typeof pathOrScope === 'string' ? pathOrScope : pathOrScope.node.path;
  const [first, ...rest] = problems;
  const error = new ConstructPropError(path, first.prop, first.problem, first.fix);
  if (rest.length > 0) {
    error.message += rest.map((p) => `\n  also prop '${p.prop}': ${p.problem} Fix: ${p.fix}`).join('');
  }
  throw error;
}
