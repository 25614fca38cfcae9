import { type PropProblem } from './construct-prop-error';
import { validateBatchOperationsJobOptions } from './batch-operations-job-validation';
import { type ClientSideKeyRotationProps, type KeyEncryptionKey } from '../client-side-key-rotation';

/** Staging labels of a secret's key when `stage` is not given: rotate the secret, then re-wrap from the old version to the new one. */
export const DEFAULT_FROM_STAGE = 'AWSPREVIOUS';
export const DEFAULT_TO_STAGE = 'AWSCURRENT';

/** Validation of {@link ClientSideKeyRotationProps}: the problems, empty if none. */
export function validateClientSideKeyRotationProps(props: ClientSideKeyRotationProps): PropProblem[] {
  const problems: PropProblem[] = validateBatchOperationsJobOptions(props);
  if (!props.fromKeys || props.fromKeys.length === 0) {
    problems.push({ prop: 'fromKeys', problem: 'is empty: the function needs the keys objects are wrapped under now.', fix: 'pass at least one KeyEncryptionKey.fromKmsKey(oldKey) or KeyEncryptionKey.fromSecret(secret).' });
  } else if (props.fromKeys.filter((k) => k.secret).length > 1) {
    problems.push({ prop: 'fromKeys', problem: 'names more than one secret.', fix: 'rotate one secret at a time (its AWSPREVIOUS to its AWSCURRENT), or run one job per secret.' });
  }
  const to = props.toKey;
  if (!to) {
    problems.push({ prop: 'toKey', problem: 'is missing.', fix: 'pass KeyEncryptionKey.fromKmsKey(newKey) or KeyEncryptionKey.fromSecret(secret).' });
    return problems;
  }
  const isTheNewKey = (from: KeyEncryptionKey) =>
    (from.kmsKey && to.kmsKey && from.kmsKey === to.kmsKey)
    || (from.secret && to.secret && from.secret === to.secret && (from.stage ?? DEFAULT_FROM_STAGE) === (to.stage ?? DEFAULT_TO_STAGE));
  if ((props.fromKeys ?? []).some(isTheNewKey)) {
    problems.push({ prop: 'toKey', problem: 'is also one of fromKeys, so there is nothing to rotate.', fix: 'pass the new key as toKey and only old keys in fromKeys.' });
  }
  return problems;
}
