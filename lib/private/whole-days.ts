import { type Duration } from 'aws-cdk-lib';

/**
 * Whole days in a duration, for props that AWS counts in days (KMS periods, S3 lifecycle rules):
 * undefined when absent or unresolved (nothing to check at synth), null when not a whole number.
 */
export function wholeDays(duration: Duration | undefined): number | null | undefined {
  if (duration === undefined || duration.isUnresolved()) return undefined;
  const days = duration.toDays({ integral: false });
  return Number.isInteger(days) ? days : null;
}
