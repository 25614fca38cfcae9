import * as iam from 'aws-cdk-lib/aws-iam';

/** The CloudWatch service principal that publishes alarm notifications. */
export const CLOUDWATCH_PRINCIPAL = 'cloudwatch.amazonaws.com';
/** The CloudTrail service principal. */
export const CLOUDTRAIL_PRINCIPAL = 'cloudtrail.amazonaws.com';

/**
 * Key policy of an SNS topic's key: lets CloudWatch alarms publish to the encrypted topic. The
 * statement AWS documents in "Key management" (Amazon SNS), "Enable compatibility between event
 * sources from AWS services and encrypted topics": the service principal gets kms:GenerateDataKey*
 * and kms:Decrypt, with no condition (AWS documents none for this delivery path, and a condition
 * the request does not carry would drop every notification silently).
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */
export function allowCloudWatchAlarmsToUseTopicKeyStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopic',
    effect: iam.Effect.ALLOW,
    principals: [new iam.ServicePrincipal(CLOUDWATCH_PRINCIPAL)],
    actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
    resources: ['*'],
  });
}

/**
 * Topic policy: CloudWatch alarms of this account and Region may publish. AWS Knowledge Center, "Why
 * didn't I receive an SNS notification for my CloudWatch alarm trigger?": allow cloudwatch.amazonaws.com
 * sns:Publish, restricted to alarms with ArnLike aws:SourceArn.
 * https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
 */
export function allowCloudWatchAlarmsToPublishStatement(topicArn: string, alarmArnPattern: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsOfThisAccountToPublish',
    effect: iam.Effect.ALLOW,
    principals: [new iam.ServicePrincipal(CLOUDWATCH_PRINCIPAL)],
    actions: ['sns:Publish'],
    resources: [topicArn],
    conditions: { ArnLike: { 'aws:SourceArn': alarmArnPattern } },
  });
}

/**
 * Key policy: CloudWatch Logs in `region` may use the key for one log group only. "Encrypt log data
 * in CloudWatch Logs using AWS KMS", single-log-group form (kms:EncryptionContext:aws:logs:arn).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function allowCloudWatchLogsToUseKeyStatement(region: string, logGroupArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsForTheTrailLogGroup',
    effect: iam.Effect.ALLOW,
    principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn } },
  });
}

/**
 * The CloudTrail role's permissions to deliver to CloudWatch Logs: CreateLogStream and PutLogEvents
 * on the trail's log streams (`<account>_CloudTrail_<region>*`) of one log group. "Role policy
 * document for CloudTrail to use CloudWatch Logs for monitoring".
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html
 */
export function cloudTrailLogDeliveryStatement(logStreamArnPattern: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AWSCloudTrailCreateLogStreamAndPutLogEvents',
    effect: iam.Effect.ALLOW,
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logStreamArnPattern],
  });
}
