import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { throwIfProblems } from './private/construct-prop-error';
import { EncryptedAlarmTopic } from './encrypted-alarm-topic';
import { KmsRequestRate } from './kms-request-rate';
import {
  KMS_REQUEST_RATE_PERCENT_EXPRESSION, KMS_REQUEST_RATE_THRESHOLD_PERCENT, KMS_SYMMETRIC_USAGE_METRIC, validateKmsRequestRateThreshold,
} from './private/kms-usage-metric';

/** Props of {@link KmsRequestRateAlarm}. */
export interface KmsRequestRateAlarmProps {
  /**
   * Alarm when the account's symmetric KMS request rate in this Region reaches this percentage of
   * its quota. Between 1 and 100.
   * @default 80
   */
  readonly thresholdPercent?: number;

  /**
   * The SNS topic the alarm notifies. It must be in the alarm's Region.
   * @default - a new EncryptedAlarmTopic
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * A CloudWatch alarm on the account's KMS request rate in one Region against its quota for
 * symmetric cryptographic operations ("Cryptographic operations (symmetric) request rate"), which S3
 * SSE-KMS and DSSE-KMS requests count against together with every other symmetric-key request in
 * the Region. It fires when the rate is at or above `thresholdPercent` of the quota in 3 of 5
 * consecutive minutes, and notifies an encrypted SNS topic. Create it in each Region where your keys
 * live (EncryptionAudit does).
 */
export class KmsRequestRateAlarm extends Construct {
  /** The alarm. */
  public readonly alarm: cloudwatch.Alarm;
  /** The topic the alarm notifies. */
  public readonly alarmTopic: sns.ITopic;
  /** The threshold, in percent of the quota. */
  public readonly thresholdPercent: number;

  /**
   * @param scope the construct this one is defined in
   * @param id its id, unique within `scope`
   * @param props its settings (all optional)
   */
  constructor(scope: Construct, id: string, props: KmsRequestRateAlarmProps = {}) {
    super(scope, id);
    throwIfProblems(this, validateKmsRequestRateThreshold('thresholdPercent', props.thresholdPercent));
    this.thresholdPercent = props.thresholdPercent ?? KMS_REQUEST_RATE_THRESHOLD_PERCENT.default;
    this.alarmTopic = props.alarmTopic ?? new EncryptedAlarmTopic(this, 'AlarmTopic', { displayName: 'KMS request rate' }).topic;

    const usage = new cloudwatch.Metric({
      namespace: KMS_SYMMETRIC_USAGE_METRIC.namespace,
      metricName: KMS_SYMMETRIC_USAGE_METRIC.metricName,
      dimensionsMap: { ...KMS_SYMMETRIC_USAGE_METRIC.dimensions },
      statistic: KMS_SYMMETRIC_USAGE_METRIC.statistic,
      period: Duration.seconds(KMS_SYMMETRIC_USAGE_METRIC.periodSeconds),
    });
    const percent = new cloudwatch.MathExpression({
      expression: KMS_REQUEST_RATE_PERCENT_EXPRESSION,
      usingMetrics: { usage },
      period: Duration.seconds(KMS_SYMMETRIC_USAGE_METRIC.periodSeconds),
      label: 'Symmetric KMS requests, % of quota',
    });
    this.alarm = new cloudwatch.Alarm(this, 'Alarm', {
      metric: percent,
      threshold: this.thresholdPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `The account's symmetric KMS request rate in this Region reached ${this.thresholdPercent}% of "${KmsRequestRate.SYMMETRIC_QUOTA_NAME}" in 3 of the last 5 minutes; past 100% KMS throttles S3 uploads and downloads of SSE-KMS objects. Runbook: find the callers (AWS/KMS SuccessfulRequest by KeyArn, or CloudTrail), turn on S3 Bucket Keys where they are off, then request a quota increase in Service Quotas.`,
    });
    this.alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
  }
}
