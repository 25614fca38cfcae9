import { type PropProblem } from './construct-prop-error';
import { type BatchOperationsJobOptions } from '../batch-operations-job-options';

/** Tasks per invocation when `concurrencyPerInvocation` is not set. */
export const DEFAULT_TASKS_PER_INVOCATION = 4;

/** The most tasks one invocation may work on at once. */
const MAX_TASKS_PER_INVOCATION = 64;

/** Checks the shared options. Pure. */
export function validateBatchOperationsJobOptions(options: BatchOperationsJobOptions): PropProblem[] {
  const concurrency = options.concurrencyPerInvocation;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_TASKS_PER_INVOCATION)) {
    return [{
      prop: 'concurrencyPerInvocation',
      problem: `must be an integer from 1 to ${MAX_TASKS_PER_INVOCATION}; got ${concurrency}.`,
      fix: `use a value such as ${DEFAULT_TASKS_PER_INVOCATION}, or omit it.`,
    }];
  }
  return [];
}
