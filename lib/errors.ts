import { isConstructPropError } from './private/construct-prop-error';

/**
 * Recognises the errors this library throws, as aws-cdk-lib's `Errors` does for its own.
 *
 * A validation error is thrown at synth time when a construct is given props that cannot produce a
 * working, secure deployment; its message names the construct path, the prop and the fix. Errors of
 * another installed copy of this library are recognised too.
 */
export class S3EncryptionErrors {
  /**
   * Whether `x` is a validation error thrown by this library (bad props, caught at synth).
   * @param x any value, typically what a `catch` block received
   */
  public static isValidationError(x: unknown): x is Error {
    return isConstructPropError(x);
  }

  private constructor() {}
}
