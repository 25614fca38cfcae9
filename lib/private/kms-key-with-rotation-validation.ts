import { type Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { type PropProblem } from './construct-prop-error';
import { wholeDays } from './whole-days';

/** Allowed automatic-rotation period, in days (KMS `RotationPeriodInDays`). */
export const ROTATION_PERIOD_DAYS = { min: 90, max: 2560, default: 365 } as const;
/** Allowed waiting period before a scheduled key deletion, in days (KMS `PendingWindowInDays`). */
export const PENDING_WINDOW_DAYS = { min: 7, max: 30, default: 30 } as const;

/** The props of a rotating key that validation looks at. */
export interface RotatingKeySettings {
  readonly rotationPeriod?: Duration;
  readonly pendingWindow?: Duration;
  readonly keySpec?: kms.KeySpec;
  readonly keyUsage?: kms.KeyUsage;
}

/** Checks the settings of a symmetric, always-rotating key. Pure: returns problems, throws nothing. */
export function validateRotatingKeySettings(settings: RotatingKeySettings): PropProblem[] {
  const problems: PropProblem[] = [];
  const rotation = wholeDays(settings.rotationPeriod);
  if (typeof rotation === 'number' && (rotation < ROTATION_PERIOD_DAYS.min || rotation > ROTATION_PERIOD_DAYS.max)) {
    problems.push({
      prop: 'rotationPeriod',
      problem: `${settings.rotationPeriod!.toHumanString()} is outside the range KMS allows (${ROTATION_PERIOD_DAYS.min}-${ROTATION_PERIOD_DAYS.max} days).`,
      fix: `use Duration.days(n) with ${ROTATION_PERIOD_DAYS.min} <= n <= ${ROTATION_PERIOD_DAYS.max}, or omit it for ${ROTATION_PERIOD_DAYS.default} days.`,
    });
  } else if (rotation === null) {
    problems.push({
      prop: 'rotationPeriod',
      problem: `${settings.rotationPeriod!.toHumanString()} is not a whole number of days.`,
      fix: `use Duration.days(n) with ${ROTATION_PERIOD_DAYS.min} <= n <= ${ROTATION_PERIOD_DAYS.max}.`,
    });
  }
  problems.push(...validatePendingWindow(settings.pendingWindow));
  if (settings.keySpec !== undefined && settings.keySpec !== kms.KeySpec.SYMMETRIC_DEFAULT) {
    problems.push({
      prop: 'keySpec',
      problem: `${settings.keySpec} is not a symmetric encryption key: S3 only encrypts with SYMMETRIC_DEFAULT keys, and KMS cannot rotate asymmetric or HMAC keys.`,
      fix: 'omit keySpec (SYMMETRIC_DEFAULT), or create a plain kms.Key for signing or MAC use.',
    });
  }
  if (settings.keyUsage !== undefined && settings.keyUsage !== kms.KeyUsage.ENCRYPT_DECRYPT) {
    problems.push({
      prop: 'keyUsage',
      problem: `${settings.keyUsage} keys cannot encrypt S3 data or rotate.`,
      fix: 'omit keyUsage (ENCRYPT_DECRYPT).',
    });
  }
  return problems;
}

/** Checks a key's `pendingWindow`: whole days within KMS's range. Pure. */
export function validatePendingWindow(pendingWindow: Duration | undefined): PropProblem[] {
  const pending = wholeDays(pendingWindow);
  if (pending === undefined || (pending !== null && pending >= PENDING_WINDOW_DAYS.min && pending <= PENDING_WINDOW_DAYS.max)) return [];
  return [{
    prop: 'pendingWindow',
    problem: `${pendingWindow!.toHumanString()} is outside the range KMS allows (${PENDING_WINDOW_DAYS.min}-${PENDING_WINDOW_DAYS.max} whole days).`,
    fix: `use Duration.days(n) with ${PENDING_WINDOW_DAYS.min} <= n <= ${PENDING_WINDOW_DAYS.max}, or omit it for ${PENDING_WINDOW_DAYS.default} days.`,
  }];
}
