import { BucketEncryptionMode } from '../bucket-encryption-mode';
import { type PropProblem } from './construct-prop-error';
import { validateKmsRequestRateThreshold } from './kms-usage-metric';

/** CloudTrail: "up to a maximum of 500 values for all conditions and selectors on a trail" ("Logging data events"). */
export const ADVANCED_SELECTOR_VALUE_LIMIT = 500;
/** Values the audit's selectors use besides the buckets: eventCategory Management, eventCategory Data, resources.type. */
export const FIXED_SELECTOR_VALUES = 3;

/** What validation needs to know about EncryptionAudit's props, resolved to plain values. */
export interface EncryptionAuditSettings {
  readonly existingTrailArnGiven: boolean;
  readonly existingTrailLogGroupGiven: boolean;
  /** Props that only configure the trail the audit creates, by name, when given. */
  readonly trailOnlyPropsGiven: string[];
  readonly sendToCloudWatchLogs?: boolean;
  readonly logRetentionGiven: boolean;
  readonly trailName?: string;
  readonly multiRegion?: boolean;
  readonly kmsRequestRateThresholdPercent?: number;
  /** Settings of the trail's bucket that conflict with the trail's key, by prop name. */
  readonly trailBucketEncryption?: BucketEncryptionMode;
  readonly trailBucketConflictingProps: string[];
  /** Whether `buckets` was given (otherwise the buckets were discovered). */
  readonly bucketsGiven: boolean;
  readonly auditRegion?: string;
  readonly appRegions: string[];
  /** Buckets with a known Region, by construct path or name. */
  readonly bucketRegions: { readonly bucket: string; readonly region: string }[];
  /** Buckets the audit's stack cannot name (a generated name in another account or Region). */
  readonly unnameableBuckets: string[];
  readonly bucketCount: number;
  /** Keys whose Region is unknown and that the audit's stack cannot name. */
  readonly unmatchableKeys: string[];
}

/** Trail names: 3-128 characters, letters, digits, periods, underscores and dashes, starting with a letter or digit ("CreateTrail" Name). */
const TRAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/;

/** Checks every combination of EncryptionAudit props. Pure: returns problems, throws nothing. */
export function validateEncryptionAuditSettings(s: EncryptionAuditSettings): PropProblem[] {
  const problems: PropProblem[] = [];
  const existing = s.existingTrailArnGiven || s.existingTrailLogGroupGiven;
  if (s.existingTrailArnGiven && !s.existingTrailLogGroupGiven) {
    problems.push({
      prop: 'existingTrailLogGroup',
      problem: 'an existing trail was given without the CloudWatch Logs log group it delivers to, so the metric filters and alarms have nothing to attach to.',
      fix: 'pass existingTrailLogGroup: logs.LogGroup.fromLogGroupName(this, \'TrailLogs\', \'<the trail\'s log group>\'). An organization trail delivers to a log group in its management (or delegated administrator) account: deploy the audit there.',
    });
  }
  if (s.existingTrailLogGroupGiven && !s.existingTrailArnGiven) {
    problems.push({
      prop: 'existingTrailArn',
      problem: 'a log group was given without the trail that delivers to it.',
      fix: 'pass existingTrailArn (the trail, possibly an organization trail, that writes to the log group), or remove existingTrailLogGroup to let the audit create its own trail.',
    });
  }
  if (existing) {
    for (const prop of s.trailOnlyPropsGiven) {
      problems.push({
        prop,
        problem: 'it configures the trail the audit creates, but an existing trail was given.',
        fix: `remove ${prop} (configure the existing trail itself), or remove existingTrailArn and existingTrailLogGroup.`,
      });
    }
  }
  if (s.sendToCloudWatchLogs === false && s.logRetentionGiven) {
    problems.push({ prop: 'logRetention', problem: 'a retention was set but the trail does not deliver to CloudWatch Logs.', fix: 'remove logRetention, or remove sendToCloudWatchLogs: false.' });
  }
  if (s.trailName !== undefined && !TRAIL_NAME.test(s.trailName)) {
    problems.push({
      prop: 'trailName',
      problem: `'${s.trailName}' is not a valid trail name.`,
      fix: 'use 3-128 letters, digits, periods, underscores or dashes, starting with a letter or digit.',
    });
  }
  problems.push(...validateKmsRequestRateThreshold('kmsRequestRateThresholdPercent', s.kmsRequestRateThresholdPercent));
  if (s.trailBucketEncryption !== undefined && s.trailBucketEncryption !== BucketEncryptionMode.SSE_KMS) {
    problems.push({
      prop: 'trailBucketProps',
      problem: `the trail's bucket must use SSE-KMS under the trail's key (CloudTrail writes log files with SSE-KMS), not ${s.trailBucketEncryption.name}.`,
      fix: 'remove encryption from trailBucketProps.',
    });
  }
  for (const prop of s.trailBucketConflictingProps) {
    problems.push({
      prop: 'trailBucketProps',
      problem: `trailBucketProps.${prop} is set, but the trail's bucket is encrypted with the trail's own rotating key, and SSE-C stays blocked.`,
      fix: `remove ${prop} from trailBucketProps.`,
    });
  }
  const regions = s.multiRegion === false && s.auditRegion ? [s.auditRegion] : s.appRegions;
  for (const { bucket, region } of s.bucketRegions) {
    if (regions.length === 0 || regions.includes(region)) continue;
    problems.push(s.multiRegion === false && !existing ? {
      prop: 'buckets',
      problem: `bucket ${bucket} is in ${region}, but the trail is single-Region (multiRegion: false) and records only ${s.auditRegion}.`,
      fix: `remove multiRegion: false (a multi-Region trail records every Region), or audit ${bucket} with an EncryptionAudit in ${region}.`,
    } : {
      prop: 'buckets',
      problem: `bucket ${bucket} is in ${region}, which is not one of the app's Regions (${s.appRegions.join(', ')}): the audit's KMS capacity alarms and key discovery cover only those.`,
      fix: `name only buckets in ${s.appRegions.join(', ')}, or add the stack that owns ${bucket} (in ${region}) to this app.`,
    });
  }
  if (s.unnameableBuckets.length > 0) {
    problems.push({
      prop: 'buckets',
      problem: `${s.bucketsGiven ? '' : 'the EncryptedBuckets found in the app include '}${s.unnameableBuckets.join(', ')}, whose name CloudFormation generates in another account or Region: the trail's selectors and the metric filters in this stack cannot refer to it.`,
      fix: `give ${s.unnameableBuckets.length > 1 ? 'them' : 'it'} a bucketName, or pass buckets: [...] without ${s.unnameableBuckets.length > 1 ? 'them' : 'it'} (and audit ${s.unnameableBuckets.length > 1 ? 'them' : 'it'} from an EncryptionAudit in ${s.unnameableBuckets.length > 1 ? 'their' : 'its'} own stack).`,
    });
  }
  if (!existing && s.bucketCount + FIXED_SELECTOR_VALUES > ADVANCED_SELECTOR_VALUE_LIMIT) {
    problems.push({
      prop: 'buckets',
      problem: `${s.bucketCount} buckets need ${s.bucketCount + FIXED_SELECTOR_VALUES} advanced event selector values; CloudTrail allows ${ADVANCED_SELECTOR_VALUE_LIMIT} per trail.`,
      fix: `pass at most ${ADVANCED_SELECTOR_VALUE_LIMIT - FIXED_SELECTOR_VALUES} buckets, and audit the rest with a second EncryptionAudit (a second trail).`,
    });
  }
  if (s.unmatchableKeys.length > 0) {
    problems.push({
      prop: 'kmsKeys',
      problem: `the keys ${s.unmatchableKeys.join(', ')} are in environment-agnostic stacks of other environments: the audit can name neither them nor their Region.`,
      fix: 'give their stacks an env (account and region), or pass kmsKeys: [...] without them.',
    });
  }
  return problems;
}
