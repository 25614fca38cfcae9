import { type PropProblem } from './construct-prop-error';

/** Allowed range and default of the request-rate threshold, in percent of the quota. */
export const KMS_REQUEST_RATE_THRESHOLD_PERCENT = { min: 1, max: 100, default: 80 } as const;

/**
 * The CloudWatch usage metric of KMS's shared symmetric cryptographic-operations quota.
 *
 * Namespace `AWS/Usage`, metric `CallCount`, dimensions Service, Type, Resource and Class: "CloudWatch
 * usage metrics" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Usage-Metrics.html),
 * which also says "The most useful statistic for the metric is SUM, which represents the total
 * operation count for the 1-minute period". AWS documents no KMS-specific dimension values.
 * `Service=KMS`, `Type=API`, `Class=None`, `Resource=CryptographicOperationsSymmetric` (one
 * aggregate for Decrypt, Encrypt, GenerateDataKey... as the quota counts them) come from public
 * dashboards and IaC that alarm on this quota (third-party, e.g. Terraform modules using
 * `(usage_data/SERVICE_QUOTA(usage_data))*100`); they cannot be checked without an AWS account.
 */
export const KMS_SYMMETRIC_USAGE_METRIC = {
  namespace: 'AWS/Usage',
  metricName: 'CallCount',
  dimensions: { Service: 'KMS', Type: 'API', Resource: 'CryptographicOperationsSymmetric', Class: 'None' },
  statistic: 'Sum',
  periodSeconds: 60,
} as const;

/**
 * Usage as a percentage of the quota. AWS's own example is `m1/SERVICE_QUOTA(m1)*100`
 * ("Visualizing your service quotas and setting alarms",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Quotas-Visualize-Alarms.html).
 * KMS's quota is per second ("AWS KMS establishes quotas for the number of API operations requested
 * in each second") while `CallCount` is a per-minute Sum, so the sum is first divided by the period
 * (`PERIOD(m1)`, in seconds) to give requests per second. AWS's own worked example does the same: KMS
 * aggregates requests per minute, so a 10,000/s quota is "600,000 requests per minute" ("Manage your
 * AWS KMS API request rates using Service Quotas and Amazon CloudWatch", AWS Security Blog, linked from
 * https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html). The period average
 * hides bursts shorter than a minute, which KMS throttles all the same: keep the threshold below 100.
 */
export const KMS_REQUEST_RATE_PERCENT_EXPRESSION = '100 * (usage / PERIOD(usage)) / SERVICE_QUOTA(usage)';

/** Checks a request-rate threshold (percent of the quota). Pure. */
export function validateKmsRequestRateThreshold(prop: string, value: number | undefined): PropProblem[] {
  if (value === undefined) return [];
  const { min, max } = KMS_REQUEST_RATE_THRESHOLD_PERCENT;
  if (Number.isFinite(value) && value >= min && value <= max) return [];
  return [{
    prop,
    problem: `${value} is not a percentage of the quota between ${min} and ${max}.`,
    fix: `pass a number from ${min} to ${max} (alarm at that share of the KMS request quota), or omit it for ${KMS_REQUEST_RATE_THRESHOLD_PERCENT.default}.`,
  }];
}
