import { App, Stack } from 'aws-cdk-lib';
import {
  EncryptedBucket, EncryptionGuardrails, GuardrailMode, ReplicaTarget, ReplicatedEncryptedBucket, S3EncryptionErrors,
} from '../lib';
import { type LibraryCopy, loadSecondCopyOfLibrary } from './support/second-library-copy';

/**
 * An app can end up with two copies of this library (two versions installed side by side, or a linked
 * checkout). What one copy records about a construct lives on the construct tree, under keys both
 * copies share, so the other copy sees it: module-level registries would each see only their own half.
 */

const ENV = { account: '111111111111', region: 'eu-west-1' };

let other: LibraryCopy;
beforeAll(() => {
  other = loadSecondCopyOfLibrary();
});

function newStack(): Stack {
  return new Stack(new App(), 'Copies', { env: ENV });
}

/** The validation error `build` throws (of either copy), as `constructPath: prop 'x': ... Fix: ...`. */
function validationError(build: () => void): Error {
  try {
    build();
  } catch (error) {
    expect(S3EncryptionErrors.isValidationError(error)).toBe(true);
    return error as Error;
  }
  throw new Error('expected a validation error, nothing was thrown');
}

test('the second copy really is another copy: its classes are not ours', () => {
  expect(other.lib.EncryptedBucket).not.toBe(EncryptedBucket);
  expect(other.lib.ReplicatedEncryptedBucket).not.toBe(ReplicatedEncryptedBucket);
  expect(other.lib.EncryptionGuardrails).not.toBe(EncryptionGuardrails);
});

test("each copy recognises the other's EncryptedBucket (EncryptedBucket.of, isEncryptedBucket)", () => {
  const stack = newStack();
  const theirs = new other.lib.EncryptedBucket(stack, 'Theirs');
  const ours = new EncryptedBucket(stack, 'Ours');
  expect(theirs).not.toBeInstanceOf(EncryptedBucket);
  expect(EncryptedBucket.of(theirs.bucket)).toBe(theirs);
  expect(other.lib.EncryptedBucket.of(ours.bucket)).toBe(ours);
});

test('a bucket replicated by one copy cannot be given a second replication configuration by the other', () => {
  const stack = newStack();
  const source = new EncryptedBucket(stack, 'Source');
  new ReplicatedEncryptedBucket(stack, 'First', { source, rules: [{ destination: ReplicaTarget.newEncryptedBucket() }] });
  const error = validationError(() => new other.lib.ReplicatedEncryptedBucket(stack, 'Second', {
    source, rules: [{ destination: other.lib.ReplicaTarget.newEncryptedBucket() }],
  }));
  expect(error.message).toMatch(/^Copies\/Second: prop 'source': Copies\/Source is already replicated by Copies\/First; .* Fix: add the rules to the existing ReplicatedEncryptedBucket/);
});

test('two-way replication in one stack is refused when each direction comes from another copy', () => {
  const stack = newStack();
  const a = new EncryptedBucket(stack, 'A');
  const b = new EncryptedBucket(stack, 'B');
  new ReplicatedEncryptedBucket(stack, 'AToB', { source: a, rules: [{ destination: ReplicaTarget.encryptedBucket(b) }] });
  const error = validationError(() => new other.lib.ReplicatedEncryptedBucket(stack, 'BToA', {
    source: b, rules: [{ destination: other.lib.ReplicaTarget.encryptedBucket(a) }],
  }));
  expect(error.message).toMatch(/^Copies\/BToA: prop 'rules\[0\]\.destination': .*already replicates into this source in the same stack/);
});

test('EncryptionGuardrails applied to a scope by one copy cannot be applied again by the other', () => {
  const app = new App();
  EncryptionGuardrails.of(app, { mode: GuardrailMode.ENFORCE });
  const error = validationError(() => other.lib.EncryptionGuardrails.of(app, { mode: other.lib.GuardrailMode.REPORT }));
  expect(error.message).toMatch(/already applied here \(mode ENFORCE\)\. Fix: apply them once per scope\./);
  // Another scope of the same app is still free, in either copy.
  expect(() => other.lib.EncryptionGuardrails.of(new Stack(app, 'Other', { env: ENV }), { mode: other.lib.GuardrailMode.REPORT })).not.toThrow();
});
