import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BucketEncryptionMode, EncryptedBucket, KmsKeyWithRotation, S3EncryptionErrors } from '../lib';
import { ConstructPropError } from '../lib/private/construct-prop-error';
import { loadSecondCopyOfLibrary } from './support/second-library-copy';

const ENV = { account: '111111111111', region: 'eu-west-1' };

/** What a construct threw, or undefined. */
function thrownBy(create: () => unknown): unknown {
  try {
    create();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('S3EncryptionErrors.isValidationError', () => {
  test('recognises the synth errors of bad props, whose message names the construct path, the prop and the fix', () => {
    const stack = new Stack(new App(), 'Errors', { env: ENV });
    const errors = [
      thrownBy(() => new EncryptedBucket(stack, 'SseS3WithKey', { encryption: BucketEncryptionMode.SSE_S3, encryptionKey: new KmsKeyWithRotation(stack, 'Key') })),
      thrownBy(() => new KmsKeyWithRotation(stack, 'ShortWindow', { pendingWindow: Duration.days(3) })),
      thrownBy(() => new EncryptedBucket(stack, 'Blocked').allowSseCFrom(new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() }))),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(Error);
      expect(S3EncryptionErrors.isValidationError(error)).toBe(true);
      expect((error as Error).message).toMatch(/^Errors\/\w+: prop '\w+': .+ Fix: .+/);
    }
  });

  test('does not take other errors, or values that merely look like ours, for validation errors', () => {
    const lookalike = new Error("Errors/Data: prop 'encryption': wrong. Fix: right.");
    lookalike.name = 'ConstructPropError';
    for (const value of [lookalike, new TypeError('x'), { name: 'ConstructPropError', message: 'x' }, 'ConstructPropError', undefined, null, 42]) {
      expect(S3EncryptionErrors.isValidationError(value)).toBe(false);
    }
  });

  test('recognises the errors of another installed copy of the library, which instanceof does not', () => {
    const other = loadSecondCopyOfLibrary();
    const stack = new Stack(new App(), 'Errors', { env: ENV });
    const error = thrownBy(() => new other.lib.EncryptedBucket(stack, 'Data', { minimumTlsVersion: 1.1 }));
    expect(error).toBeInstanceOf(other.ConstructPropError);
    expect(other.ConstructPropError).not.toBe(ConstructPropError);
    expect(error).not.toBeInstanceOf(ConstructPropError);
    expect(S3EncryptionErrors.isValidationError(error)).toBe(true);
    expect(other.lib.S3EncryptionErrors.isValidationError(new ConstructPropError('A/B', 'p', 'bad.', 'good.'))).toBe(true);
  });
});
