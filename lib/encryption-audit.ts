import { ArnFormat, Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { BucketEncryptionMode } from './bucket-encryption-mode';
import { ConstructPropError, throwIfProblems } from './private/construct-prop-error';
import { EncryptedAlarmTopic } from './encrypted-alarm-topic';
import { EncryptedBucket, type EncryptedBucketProps } from './encrypted-bucket';
import { KmsKeyWithRotation } from './kms-key-with-rotation';
import { KmsRequestRateAlarm } from './kms-request-rate-alarm';
import { ServiceIntegration } from './service-integration';
import {
  KMS_KEY_DISABLED_OR_SCHEDULED_FOR_DELETION_PATTERN, KMS_THROTTLING_PATTERN, type KeyMatch, type PatternValue,
  bucketPolicyOrEncryptionChangePatterns, encryptionPolicyDenialPatterns, kmsAccessDeniedPatterns,
} from './private/audit-filter-patterns';
import {
  appRegions, bucketNameFrom, bucketRegion, concreteRegion, encryptedBucketsIn, keyMatchFor, libraryKeysIn, stacksWithKeysByRegion,
} from './private/audit-discovery';
import { CLOUDTRAIL_PRINCIPAL, allowCloudWatchLogsToUseKeyStatement, cloudTrailLogDeliveryStatement } from './private/audit-policy-statements';
import { validateEncryptionAuditSettings } from './private/encryption-audit-validation';
import { iam5ResourceFindingId } from './private/nag-finding-id';

/** Props of {@link EncryptionAudit}. */
export interface EncryptionAuditProps {
  /**
   * The buckets whose object-level activity the trail records (S3 data events on their objects) and
   * whose encryption denials and policy or encryption changes raise alarms. They must be in the
   * app's Regions; buckets in another account or Region need a physical name.
   * @default - every EncryptedBucket in the app (except the trail's own bucket), found when the audit is created
   */
  readonly buckets?: s3.IBucket[];

  /**
   * The keys whose KMS AccessDenied events raise an alarm. Keys the audit's stack can name are
   * matched by key id; keys in other Regions (whose ids are only known there) by their account and
   * Region, which covers every key there.
   * @default - every KmsKeyWithRotation and KmsReplicaKey in the app, and the keys of the audited EncryptedBuckets
   */
  readonly kmsKeys?: kms.IKey[];

  /**
   * The trail's name.
   * @default - a name unique to this construct
   */
  readonly trailName?: string;

  /**
   * Record every Region (a multi-Region trail), not only this stack's.
   * @default true
   */
  readonly multiRegion?: boolean;

  /**
   * Deliver the trail's events to a CloudWatch Logs log group (encrypted with the trail's key),
   * which the metric filters read. Without it only the KMS capacity alarms are created.
   * @default true
   */
  readonly sendToCloudWatchLogs?: boolean;

  /**
   * How long the log group keeps events.
   * @default logs.RetentionDays.ONE_YEAR (Control Tower CT.CLOUDWATCH.PR.2 asks for at least 365 days)
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Settings of the trail's EncryptedBucket (server access logs, Object Lock, lifecycle rules...).
   * Its encryption is always SSE-KMS under the trail's key.
   * @default - EncryptedBucket defaults
   */
  readonly trailBucketProps?: EncryptedBucketProps;

  /**
   * An existing trail (for example an organization trail) to audit instead of creating one. It must
   * already record KMS management events and the S3 data events you need; the metric filters and
   * alarms attach to `existingTrailLogGroup`.
   * @default - the audit creates a trail
   */
  readonly existingTrailArn?: string;

  /**
   * The CloudWatch Logs log group that `existingTrailArn` delivers to. Required with it.
   * @default - the audit's own log group
   */
  readonly existingTrailLogGroup?: logs.ILogGroup;

  /**
   * The SNS topic every alarm in this stack's Region notifies. Alarms in other Regions get an
   * EncryptedAlarmTopic of their own (an alarm can only notify a topic in its Region).
   * @default - a new EncryptedAlarmTopic
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Alarm when the account's symmetric KMS request rate in a Region reaches this percentage of the
   * quota. Between 1 and 100.
   * @default 80
   */
  readonly kmsRequestRateThresholdPercent?: number;

  /**
   * CloudWatch namespace of the metric filters' metrics.
   * @default 'LogMetrics' (the namespace of Security Hub's CIS remediation steps)
   */
  readonly metricNamespace?: string;
}

/** What one alarm of the audit watches. */
interface AuditAlarmSpec {
  readonly id: string;
  readonly patterns: string[];
  readonly description: string;
}

/**
 * Who used the encryption keys, who tried to disable or delete them, who was denied, and how close
 * the account is to its KMS request quota: a CloudTrail trail and CloudWatch alarms for the S3
 * encryption this library sets up. Add it once per account (and Region, for single-Region trails),
 * after the buckets and keys it should find.
 *
 * - The trail: multi-Region, log file validation on, SSE-KMS under a rotating key, delivering to an
 *   EncryptedBucket and (by default) to a CloudWatch Logs log group encrypted under the same key. It
 *   records every management event (KMS's included) and S3 data events on the audited buckets'
 *   objects, with advanced event selectors. Or, with `existingTrailArn`, an existing trail.
 * - Alarms from metric filters on the log group: a KMS key disabled or scheduled for deletion (the
 *   CIS / Security Hub CloudWatch.7 filter, verbatim), KMS AccessDenied on the library's keys, KMS
 *   throttling, S3 requests denied by the encryption policies, and changes to the audited buckets'
 *   policy or default encryption.
 * - KmsRequestRateAlarm in every Region where the app has KMS keys.
 */
export class EncryptionAudit extends Construct {
  /** The trail the audit created; undefined with `existingTrailArn`. */
  public readonly trail?: cloudtrail.CfnTrail;
  /** The trail's ARN (created or existing). */
  public readonly trailArn: string;
  /** The bucket the created trail delivers to. */
  public readonly trailBucket?: EncryptedBucket;
  /** The key of the created trail, its bucket and its log group. */
  public readonly trailKey?: KmsKeyWithRotation;
  /** The log group the metric filters read; undefined when the trail does not deliver to CloudWatch Logs. */
  public readonly logGroup?: logs.ILogGroup;
  /** The topic the alarms in this stack's Region notify. */
  public readonly alarmTopic: sns.ITopic;
  /** The audited buckets. */
  public readonly buckets: s3.IBucket[];
  /** The metric-filter alarms (KMS key disabled or scheduled for deletion, KMS AccessDenied, KMS throttling, S3 encryption-policy denials, bucket policy or encryption changes; those without anything to watch are left out). */
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** The metric filters feeding `alarms`. */
  public readonly metricFilters: logs.MetricFilter[] = [];
  /** One KMS request-rate alarm per Region with KMS keys; the first is this stack's. */
  public readonly kmsRequestRateAlarms: KmsRequestRateAlarm[] = [];

  private readonly metricNamespace: string;

  /**
   * @param scope the construct this one is defined in
   * @param id its id, unique within `scope`
   * @param props its settings (all optional)
   */
  constructor(scope: Construct, id: string, props: EncryptionAuditProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const existing = props.existingTrailArn !== undefined || props.existingTrailLogGroup !== undefined;
    const root = this.node.root;
    const discoveredBuckets = props.buckets === undefined;
    // Found now: the audit cannot create metric filters for buckets added later (checked at synth below).
    const buckets = props.buckets ?? encryptedBucketsIn(root).map((b) => b.bucket);
    const bucketNames = new Map(buckets.map((b) => [b, bucketNameFrom(b, stack)] as const));
    const sendToLogs = !existing && props.sendToCloudWatchLogs !== false;
    throwIfProblems(this, validateEncryptionAuditSettings({
      existingTrailArnGiven: props.existingTrailArn !== undefined,
      existingTrailLogGroupGiven: props.existingTrailLogGroup !== undefined,
      trailOnlyPropsGiven: (['trailName', 'multiRegion', 'sendToCloudWatchLogs', 'logRetention', 'trailBucketProps'] as const)
        .filter((p) => props[p] !== undefined),
      sendToCloudWatchLogs: props.sendToCloudWatchLogs,
      logRetentionGiven: props.logRetention !== undefined,
      trailName: props.trailName,
      multiRegion: props.multiRegion,
      kmsRequestRateThresholdPercent: props.kmsRequestRateThresholdPercent,
      trailBucketEncryption: props.trailBucketProps?.encryption,
      trailBucketConflictingProps: (['encryptionKey', 'encryptionKeyProps', 'bucketKeyEnabled', 'sseC', 'profile'] as const)
        .filter((p) => props.trailBucketProps?.[p] !== undefined),
      bucketsGiven: !discoveredBuckets,
      auditRegion: concreteRegion(stack.region),
      appRegions: [...appRegions(root)].sort(),
      bucketRegions: buckets.flatMap((b) => {
        const region = bucketRegion(b);
        return region ? [{ bucket: describeBucket(b), region }] : [];
      }),
      unnameableBuckets: buckets.filter((b) => !bucketNames.get(b)).map(describeBucket),
      bucketCount: buckets.length,
      unmatchableKeys: [],
    }));
    this.buckets = buckets;
    this.metricNamespace = props.metricNamespace ?? 'LogMetrics';
    this.alarmTopic = props.alarmTopic ?? new EncryptedAlarmTopic(this, 'AlarmTopic', { displayName: 'S3 encryption audit' }).topic;

    const names = buckets.map((b) => bucketNames.get(b)!);
    if (existing) {
      this.trailArn = props.existingTrailArn!;
      this.logGroup = props.existingTrailLogGroup;
    } else {
      const trailName = props.trailName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
      this.trailKey = new KmsKeyWithRotation(this, 'TrailKey', { description: `Encrypts the log files and log group of CloudTrail trail ${trailName}` });
      this.trailBucket = new EncryptedBucket(this, 'TrailBucket', { ...props.trailBucketProps, encryption: BucketEncryptionMode.SSE_KMS, encryptionKey: this.trailKey });
      // CloudTrail's bucket-policy and key-policy statements, pinned to this trail (aws:SourceArn).
      this.trailBucket.addServiceIntegration(ServiceIntegration.cloudTrail({ trailName }));
      const delivery = sendToLogs ? this.createLogGroup(trailName, props.logRetention ?? logs.RetentionDays.ONE_YEAR) : undefined;
      this.logGroup = delivery?.logGroup;
      this.trail = new cloudtrail.CfnTrail(this, 'Trail', {
        trailName,
        isLogging: true,
        isMultiRegionTrail: props.multiRegion ?? true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        kmsKeyId: this.trailKey.keyArn,
        s3BucketName: this.trailBucket.bucketName,
        cloudWatchLogsLogGroupArn: delivery?.logGroup.logGroupArn,
        cloudWatchLogsRoleArn: delivery?.role.roleArn,
        advancedEventSelectors: advancedEventSelectors(names, stack.partition),
      });
      // CloudTrail checks the bucket policy and the role when the trail is created.
      const bucketPolicy = this.trailBucket.bucket.policy?.node.defaultChild;
      if (bucketPolicy) this.trail.node.addDependency(bucketPolicy);
      if (delivery) this.trail.node.addDependency(delivery.role, delivery.policy);
      this.trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: trailName });
    }

    const keys = props.kmsKeys ?? [...libraryKeysIn(root), ...bucketKeys(buckets)];
    const keyMatches = dedupeKeyMatches(keys.map((k) => keyMatchFor(k, stack)).filter((m): m is KeyMatch => m !== undefined));
    throwIfProblems(this, validateEncryptionAuditSettings({
      ...NO_SETTINGS, unmatchableKeys: keys.filter((k) => !keyMatchFor(k, stack)).map((k) => k.node.path),
    }));
    if (this.logGroup) this.addMetricFilterAlarms(names, keyMatches);
    this.addKmsRequestRateAlarms(props.kmsRequestRateThresholdPercent);

    this.checkNothingAddedLater(discoveredBuckets ? buckets : undefined, props.kmsKeys === undefined ? keys : undefined);
  }

  /**
   * What the audit found when it was created is what its filters, selectors and alarms cover: a
   * bucket, key or key Region added to the app afterwards would be a silent gap, so it is a synth error.
   */
  private checkNothingAddedLater(discoveredBuckets: s3.IBucket[] | undefined, discoveredKeys: kms.IKey[] | undefined): void {
    const root = this.node.root;
    const buckets = new Set(discoveredBuckets);
    const keys = new Set(discoveredKeys);
    const alarmRegions = new Set(this.kmsRequestRateAlarms.map((a) => concreteRegion(Stack.of(a).region)));
    // The other Regions' alarm topics bring keys of their own, made by the audit itself.
    const ownSubtrees = this.kmsRequestRateAlarms.map((a) => `${a.node.path}/`);
    const error = (prop: string, problem: string, fix: string) => new ConstructPropError(this.node.path, prop, problem, fix).message;
    this.node.addValidation({
      validate: () => [
        ...(discoveredBuckets ? encryptedBucketsIn(root).filter((b) => !buckets.has(b.bucket) && b !== this.trailBucket).map((b) => error('buckets',
          `the EncryptedBucket ${b.node.path} was added to the app after the audit, which found its buckets when it was created, so it is not audited.`,
          'create the EncryptionAudit after every EncryptedBucket, or pass buckets: [...] explicitly.')) : []),
        ...(discoveredKeys ? libraryKeysIn(root).filter((k) => !keys.has(k) && !ownSubtrees.some((p) => k.node.path.startsWith(p))).map((k) => error('kmsKeys',
          `the key ${k.node.path} was added to the app after the audit, which found its keys when it was created, so its AccessDenied events raise no alarm.`,
          'create the EncryptionAudit after every key, or pass kmsKeys: [...] explicitly.')) : []),
        ...[...stacksWithKeysByRegion(root).keys()].filter((r) => !alarmRegions.has(r)).map((r) => error('kmsRequestRateAlarms',
          `the app has KMS keys in ${r}, added after the audit, which created a KMS request-rate alarm in each Region with keys when it was created; ${r} has none.`,
          'create the EncryptionAudit after every stack with KMS keys.')),
      ],
    });
  }

  private createLogGroup(trailName: string, retention: logs.RetentionDays): { logGroup: logs.LogGroup; role: iam.Role; policy: iam.ManagedPolicy } {
    const stack = Stack.of(this);
    const logGroupName = `aws-cloudtrail-logs-${trailName}`;
    // A literal name: the key policy names the log group without depending on it (no key <-> log group cycle).
    const logGroupArn = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.trailKey!.addToResourcePolicy(allowCloudWatchLogsToUseKeyStatement(stack.region, logGroupArn));
    const logGroup = new logs.LogGroup(this, 'TrailLogs', {
      logGroupName,
      encryptionKey: this.trailKey,
      retention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    logGroup.node.addDependency(this.trailKey!);
    const role = new iam.Role(this, 'TrailLogsRole', {
      assumedBy: new iam.ServicePrincipal(CLOUDTRAIL_PRINCIPAL),
      description: `Lets CloudTrail trail ${trailName} deliver events to ${logGroupName}`,
    });
    const streams = `${logGroupArn}:log-stream:${stack.account}_CloudTrail_${stack.region}*`;
    // A managed policy, not an inline one (HIPAA/NIST/PCI IAMNoInlinePolicy).
    const policy = new iam.ManagedPolicy(this, 'TrailLogsPolicy', { statements: [cloudTrailLogDeliveryStatement(streams)], roles: [role] });
    // CloudTrail names its log streams <account>_CloudTrail_<region>_<suffix>: the prefix is the
    // narrowest resource AWS documents, and cdk-nag AwsSolutions-IAM5 reports its wildcard.
    Validations.of(policy.node.defaultChild as iam.CfnManagedPolicy).acknowledge({
      id: iam5ResourceFindingId(stack.resolve(streams)),
      reason: 'CloudTrail creates its log streams as <account>_CloudTrail_<region>_<suffix> in this one log group; the prefix wildcard is the resource AWS documents in "Role policy document for CloudTrail to use CloudWatch Logs for monitoring".',
    });
    return { logGroup, role, policy };
  }

  private addMetricFilterAlarms(bucketNames: PatternValue[], keyMatches: KeyMatch[]): void {
    const specs: AuditAlarmSpec[] = [
      {
        id: 'KmsKeyDisabledOrScheduledForDeletion',
        patterns: [KMS_KEY_DISABLED_OR_SCHEDULED_FOR_DELETION_PATTERN],
        description: 'A KMS key was disabled or scheduled for deletion (CIS 3.7/4.7, Security Hub CloudWatch.7): data under it becomes unreadable. Runbook: find the key and caller in the trail; if unplanned, run EnableKey or CancelKeyDeletion (the 30-day window allows it) and review who holds kms:DisableKey and kms:ScheduleKeyDeletion.',
      },
      {
        id: 'KmsAccessDenied',
        patterns: keyMatches.length ? kmsAccessDeniedPatterns(keyMatches) : [],
        description: 'KMS denied a request on one of the S3 encryption keys. Runbook: from the trail, read the caller and operation; a missing grant (EncryptedBucket.grantRead/grantWrite) is an outage to fix, an unknown caller is a probe to investigate.',
      },
      {
        id: 'KmsThrottling',
        patterns: [KMS_THROTTLING_PATTERN],
        description: 'KMS throttled requests (ThrottlingException): S3 uploads and downloads of SSE-KMS objects fail or retry. Runbook: check the KMS request-rate alarm and AWS/KMS SuccessfulRequest per key, turn on S3 Bucket Keys, then request a quota increase.',
      },
      {
        id: 'S3EncryptionPolicyDenials',
        patterns: bucketNames.length ? encryptionPolicyDenialPatterns(bucketNames) : [],
        description: 'S3 denied a request with encryption headers on an audited bucket: another algorithm or KMS key, KMS without a key id, or SSE-C where it is blocked. Runbook: from the trail, find the client and fix its upload settings (send no encryption headers, or the bucket\'s key ARN); repeated attempts from an unknown principal are a probe.',
      },
      {
        id: 'BucketPolicyOrEncryptionChanges',
        patterns: bucketNames.length ? bucketPolicyOrEncryptionChangePatterns(bucketNames) : [],
        description: 'The policy or default encryption of an audited bucket was changed or deleted (or someone tried). Runbook: compare with the deployed CloudFormation template (drift detection); if not a deployment, restore it by redeploying and find the caller in the trail.',
      },
    ];
    const filterCount = specs.reduce((n, spec) => n + spec.patterns.length, 0);
    if (filterCount > MAX_METRIC_FILTERS_PER_LOG_GROUP) {
      throw new ConstructPropError(this.node.path, 'buckets',
        `${bucketNames.length} buckets and ${keyMatches.length} keys need ${filterCount} metric filters (each filter pattern holds at most 1024 characters), but a log group takes ${MAX_METRIC_FILTERS_PER_LOG_GROUP} ("PutMetricFilter").`,
        'pass fewer buckets (or kmsKeys), or give long-named buckets shorter names.');
    }
    const prefix = Names.uniqueResourceName(this, { maxLength: 64 });
    for (const spec of specs.filter((s) => s.patterns.length > 0)) {
      const metricName = `${prefix}-${spec.id}`;
      spec.patterns.forEach((pattern, i) => {
        this.metricFilters.push(new logs.MetricFilter(this, `${spec.id}Filter${spec.patterns.length > 1 ? i + 1 : ''}`, {
          logGroup: this.logGroup!,
          filterPattern: logs.FilterPattern.literal(pattern),
          metricNamespace: this.metricNamespace,
          metricName,
          metricValue: '1',
        }));
      });
      // Security Hub's remediation: metric value 1, alarm when >= 1.
      const alarm = new cloudwatch.Alarm(this, `${spec.id}Alarm`, {
        metric: new cloudwatch.Metric({ namespace: this.metricNamespace, metricName, statistic: 'Sum', period: Duration.minutes(5) }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: spec.description,
      });
      alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
      this.alarms.push(alarm);
    }
  }

  private addKmsRequestRateAlarms(thresholdPercent: number | undefined): void {
    const stack = Stack.of(this);
    this.kmsRequestRateAlarms.push(new KmsRequestRateAlarm(this, 'KmsRequestRate', { thresholdPercent, alarmTopic: this.alarmTopic }));
    const ownRegion = concreteRegion(stack.region);
    for (const [region, other] of stacksWithKeysByRegion(this.node.root)) {
      if (region === ownRegion) continue;
      // An alarm watches metrics of its own Region only, so it goes to a stack there.
      this.kmsRequestRateAlarms.push(new KmsRequestRateAlarm(other, `${Names.uniqueId(this)}KmsRequestRate`, { thresholdPercent }));
    }
  }
}

/** "The maximum number of metric filters that can be associated with a log group is 100" (CloudWatch Logs PutMetricFilter). */
const MAX_METRIC_FILTERS_PER_LOG_GROUP = 100;

/** Settings that trigger no problem, to validate one aspect at a time. */
const NO_SETTINGS = {
  existingTrailArnGiven: false, existingTrailLogGroupGiven: false, trailOnlyPropsGiven: [], logRetentionGiven: false,
  trailBucketConflictingProps: [], bucketsGiven: true, appRegions: [], bucketRegions: [], unnameableBuckets: [], bucketCount: 0, unmatchableKeys: [],
};

/**
 * Every management event (KMS's included: the only eventSource a trail may exclude is never
 * excluded), and S3 data events on the named buckets' objects. "You can use either
 * AdvancedEventSelectors or EventSelectors, but not both" (PutEventSelectors): only advanced ones are
 * rendered. Whole-bucket object ARNs use StartsWith `arn:<partition>:s3:::<bucket>/` ("Logging data
 * events", https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html).
 */
function advancedEventSelectors(bucketNames: PatternValue[], partition: string): cloudtrail.CfnTrail.AdvancedEventSelectorProperty[] {
  const selectors: cloudtrail.CfnTrail.AdvancedEventSelectorProperty[] = [{
    name: 'All management events, KMS included',
    fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }],
  }];
  if (bucketNames.length > 0) {
    selectors.push({
      name: 'S3 object-level events of the audited buckets',
      fieldSelectors: [
        { field: 'eventCategory', equalTo: ['Data'] },
        { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
        { field: 'resources.ARN', startsWith: bucketNames.map((n) => `arn:${partition}:s3:::${n.text}/`) },
      ],
    });
  }
  return selectors;
}

function bucketKeys(buckets: s3.IBucket[]): kms.IKey[] {
  return buckets.flatMap((b) => {
    const key = EncryptedBucket.of(b)?.encryptionKey ?? b.encryptionKey;
    return key ? [key] : [];
  });
}

function dedupeKeyMatches(matches: KeyMatch[]): KeyMatch[] {
  const seen = new Set<string>();
  return matches.filter((m) => {
    const key = m.kind === 'keyId' ? `id:${m.keyId.text}` : `prefix:${m.prefix.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describeBucket(bucket: s3.IBucket): string {
  return bucket.node.path;
}
