import * as iam from 'aws-cdk-lib/aws-iam';
import { S3_LOG_DELIVERY_PRINCIPAL } from './s3-log-delivery';

/** Sid of the statement that limits grant creation to AWS services (Control Tower CT.KMS.PR.3). */
export const DENY_GRANTS_NOT_FOR_AWS_RESOURCES_SID = 'DenyCreateGrantUnlessForAwsResource';
/** Sid of the optional statement that lets the account use the key only through S3. */
export const ALLOW_USE_THROUGH_S3_SID = 'AllowUseThroughS3ForThisAccount';
/** Sid of the statement that lets S3 server access log delivery write to a log bucket under this key. */
export const ALLOW_LOG_DELIVERY_SID = 'AllowS3ServerAccessLogDelivery';

/**
 * Deny `kms:CreateGrant` unless an AWS service creates the grant for an AWS resource.
 * The exact shape Control Tower's CT.KMS.PR.3 looks for: Principal `*`, Resource `*`, and
 * `BoolIfExists` false on both `kms:GrantIsForAWSResource` and `aws:PrincipalIsAWSService`.
 */
export function denyGrantsNotForAwsResourcesStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: DENY_GRANTS_NOT_FOR_AWS_RESOURCES_SID,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: {
      BoolIfExists: {
        'kms:GrantIsForAWSResource': 'false',
        'aws:PrincipalIsAWSService': 'false',
      },
    },
  });
}

/**
 * Let principals of `account` use the key for S3 encryption, and only through S3 in `region`:
 * the same model as the AWS-managed `aws/s3` key, but for a key you control. Principals still need
 * S3 permissions on the bucket; this statement only stops them needing KMS permissions too.
 */
export function allowUseThroughS3Statement(region: string, account: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: ALLOW_USE_THROUGH_S3_SID,
    effect: iam.Effect.ALLOW,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: ['*'],
    conditions: {
      StringEquals: {
        'kms:ViaService': s3ServiceEndpoint(region),
        'kms:CallerAccount': account,
      },
    },
  });
}

/**
 * Let S3 server access logging encrypt the log objects it delivers into a bucket under this key.
 * Scoped to deliveries for `sourceAccount`.
 */
export function allowLogDeliveryKeyStatement(sourceAccount: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: ALLOW_LOG_DELIVERY_SID,
    effect: iam.Effect.ALLOW,
    principals: [new iam.ServicePrincipal(S3_LOG_DELIVERY_PRINCIPAL)],
    actions: ['kms:GenerateDataKey'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': sourceAccount } },
  });
}

/** The `kms:ViaService` value of S3 in a Region. */
export function s3ServiceEndpoint(region: string): string {
  return `s3.${region}.amazonaws.com`;
}
