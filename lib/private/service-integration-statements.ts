import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The bucket-policy and key-policy statements AWS documents for the services that write to (or read
 * from) an S3 bucket, as pure functions of ARNs and names. Each builder names the AWS page it follows.
 * Every service-principal statement carries the confused-deputy conditions the service documents
 * (`aws:SourceArn` and/or `aws:SourceAccount`), and every write the `s3:x-amz-acl` condition where the
 * service documents one.
 */

/** The canned ACL that log-delivering services send, and that BucketOwnerEnforced buckets accept. */
export const BUCKET_OWNER_FULL_CONTROL = 'bucket-owner-full-control';

/** Service principals of the integrations. */
export const SERVICE_PRINCIPALS = {
  cloudTrail: 'cloudtrail.amazonaws.com',
  config: 'config.amazonaws.com',
  elbLogDelivery: 'logdelivery.elasticloadbalancing.amazonaws.com',
  vendedLogDelivery: 'delivery.logs.amazonaws.com',
  cloudFront: 'cloudfront.amazonaws.com',
  s3: 's3.amazonaws.com',
  storageLens: 'storage-lens.s3.amazonaws.com',
  serverAccessLogs: 'logging.s3.amazonaws.com',
} as const;

type Conditions = Record<string, Record<string, unknown>>;

/** `arn:<partition>:cloudtrail:<region>:<account>:trail/<name>`, the `aws:SourceArn` CloudTrail sends. */
export function trailArn(partition: string, region: string, account: string, trailName: string): string {
  return `arn:${partition}:cloudtrail:${region}:${account}:trail/${trailName}`;
}

/** A key prefix as a path segment: '' or 'prefix/' (a trailing slash is added when missing). */
export function prefixPath(prefix: string | undefined): string {
  if (!prefix) return '';
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

function allow(sid: string, service: string, actions: string[], resources: string[], conditions?: Conditions): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    effect: iam.Effect.ALLOW,
    principals: [new iam.ServicePrincipal(service)],
    actions,
    resources,
    conditions,
  });
}

// ---------------------------------------------------------------------------------------------
// AWS CloudTrail. "Amazon S3 bucket policy for CloudTrail":
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
// "Configure AWS KMS key policies for CloudTrail":
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html

/** What the CloudTrail statements need to know. */
export interface CloudTrailStatementInputs {
  readonly bucketArn: string;
  readonly trailArn: string;
  /** The account whose `AWSLogs/<account>/` tree the trail writes (the management account for organization trails). */
  readonly trailAccount: string;
  /** For an organization trail, its organization id: member accounts' logs go under `AWSLogs/<orgId>/`. */
  readonly organizationId?: string;
  readonly prefix?: string;
  readonly partition: string;
  readonly sidSuffix: string;
}

/** Object ARNs CloudTrail writes log and digest files to. */
export function cloudTrailObjectArns(i: CloudTrailStatementInputs): string[] {
  const logs = `${i.bucketArn}/${prefixPath(i.prefix)}AWSLogs`;
  return [`${logs}/${i.trailAccount}/*`, ...(i.organizationId ? [`${logs}/${i.organizationId}/*`] : [])];
}

/** `AWSCloudTrailAclCheck` and `AWSCloudTrailWrite` (plus the organization tree), pinned to the trail. */
export function cloudTrailBucketStatements(i: CloudTrailStatementInputs): iam.PolicyStatement[] {
  const source = { 'aws:SourceArn': i.trailArn };
  return [
    allow(`AWSCloudTrailAclCheck${i.sidSuffix}`, SERVICE_PRINCIPALS.cloudTrail, ['s3:GetBucketAcl'], [i.bucketArn], { StringEquals: source }),
    allow(`AWSCloudTrailWrite${i.sidSuffix}`, SERVICE_PRINCIPALS.cloudTrail, ['s3:PutObject'], cloudTrailObjectArns(i), {
      StringEquals: { 's3:x-amz-acl': BUCKET_OWNER_FULL_CONTROL, ...source },
    }),
  ];
}

/**
 * The key-policy statements of the trail's key: encrypt log and digest files (with the trail's
 * encryption context), describe the key, and decrypt (CloudTrail needs it when the bucket uses S3
 * Bucket Keys: "kms:Decrypt permissions are required to create or update a trail with SSE-KMS
 * encryption enabled"). All pinned to the trail by `aws:SourceArn`.
 */
export function cloudTrailKeyStatements(i: CloudTrailStatementInputs, bucketKeyEnabled: boolean): iam.PolicyStatement[] {
  const source = { 'aws:SourceArn': i.trailArn };
  const statements = [
    allow(`AllowCloudTrailEncryptLogs${i.sidSuffix}`, SERVICE_PRINCIPALS.cloudTrail, ['kms:GenerateDataKey*'], ['*'], {
      StringEquals: source,
      StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${i.partition}:cloudtrail:*:${i.trailAccount}:trail/*` },
    }),
    allow(`AllowCloudTrailDescribeKey${i.sidSuffix}`, SERVICE_PRINCIPALS.cloudTrail, ['kms:DescribeKey'], ['*'], { StringEquals: source }),
  ];
  if (bucketKeyEnabled) {
    statements.push(allow(`AllowCloudTrailDecryptWithBucketKey${i.sidSuffix}`, SERVICE_PRINCIPALS.cloudTrail, ['kms:Decrypt'], ['*'], { StringEquals: source }));
  }
  return statements;
}

/**
 * The objects CloudTrail writes digest files to. AWS's older guide says digest files are encrypted
 * with SSE-S3 even when the trail has a KMS key; the current guide says SSE-KMS. Both are accepted.
 * "CloudTrail digest file structure":
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html
 */
export function cloudTrailDigestObjectArns(i: CloudTrailStatementInputs): string[] {
  return [`${i.bucketArn}/${prefixPath(i.prefix)}AWSLogs/*/CloudTrail-Digest/*`];
}

// ---------------------------------------------------------------------------------------------
// AWS Config. "Permissions for the Amazon S3 Bucket for the AWS Config Delivery Channel":
// https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html
// "Permissions for the KMS Key for the AWS Config Delivery Channel":
// https://docs.aws.amazon.com/config/latest/developerguide/s3-kms-key-policy.html

/** What the AWS Config statements need to know. */
export interface ConfigStatementInputs {
  readonly bucketArn: string;
  readonly sourceAccounts: string[];
  readonly prefix?: string;
  readonly sidSuffix: string;
}

/** `AWSConfigBucketPermissionsCheck`, `AWSConfigBucketExistenceCheck`, `AWSConfigBucketDelivery`. */
export function configBucketStatements(i: ConfigStatementInputs): iam.PolicyStatement[] {
  const source = { 'aws:SourceAccount': i.sourceAccounts };
  return [
    allow(`AWSConfigBucketPermissionsCheck${i.sidSuffix}`, SERVICE_PRINCIPALS.config, ['s3:GetBucketAcl'], [i.bucketArn], { StringEquals: source }),
    allow(`AWSConfigBucketExistenceCheck${i.sidSuffix}`, SERVICE_PRINCIPALS.config, ['s3:ListBucket'], [i.bucketArn], { StringEquals: source }),
    allow(`AWSConfigBucketDelivery${i.sidSuffix}`, SERVICE_PRINCIPALS.config, ['s3:PutObject'],
      i.sourceAccounts.map((account) => `${i.bucketArn}/${prefixPath(i.prefix)}AWSLogs/${account}/Config/*`),
      { StringEquals: { 's3:x-amz-acl': BUCKET_OWNER_FULL_CONTROL, ...source } }),
  ];
}

/** `AWSConfigKMSPolicy`: Config encrypts (and, with Bucket Keys, decrypts) delivered objects. */
export function configKeyStatements(i: ConfigStatementInputs): iam.PolicyStatement[] {
  return [allow(`AWSConfigKMSPolicy${i.sidSuffix}`, SERVICE_PRINCIPALS.config, ['kms:Decrypt', 'kms:GenerateDataKey'], ['*'],
    { StringEquals: { 'aws:SourceAccount': i.sourceAccounts } })];
}

// ---------------------------------------------------------------------------------------------
// Application and Classic Load Balancer access logs (SSE-S3 only). "Enable access logs for your
// Application Load Balancer":
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html

/** What the ALB/CLB access-log statement needs to know. */
export interface LoadBalancerLogStatementInputs {
  readonly bucketArn: string;
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  /** The Region's legacy Elastic Load Balancing account, for Regions available before August 2022. */
  readonly legacyElbAccount?: string;
  readonly prefix?: string;
  readonly sidSuffix: string;
}

/**
 * Log delivery's write. Regions available before August 2022 deliver as the Region's Elastic Load
 * Balancing account (AWS's legacy policy, no conditions documented); the others as
 * `logdelivery.elasticloadbalancing.amazonaws.com`, pinned to this account's load balancers.
 */
export function loadBalancerLogStatements(i: LoadBalancerLogStatementInputs): iam.PolicyStatement[] {
  const resources = [`${i.bucketArn}/${prefixPath(i.prefix)}AWSLogs/${i.account}/*`];
  if (i.legacyElbAccount) {
    return [new iam.PolicyStatement({
      sid: `AllowElbAccessLogDelivery${i.sidSuffix}`,
      principals: [new iam.AccountPrincipal(i.legacyElbAccount)],
      actions: ['s3:PutObject'],
      resources,
    })];
  }
  return [allow(`AllowElbAccessLogDelivery${i.sidSuffix}`, SERVICE_PRINCIPALS.elbLogDelivery, ['s3:PutObject'], resources, {
    ArnLike: { 'aws:SourceArn': `arn:${i.partition}:elasticloadbalancing:${i.region}:${i.account}:loadbalancer/*` },
  })];
}

// ---------------------------------------------------------------------------------------------
// Logs delivered by CloudWatch Logs' vended-log delivery (`delivery.logs.amazonaws.com`): VPC Flow
// Logs, Network Load Balancer access logs, CloudFront standard logging (v2).
// "Amazon S3 bucket permissions for flow logs": https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-permissions.html
// "Required key policy for use with SSE-KMS": https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-cmk-policy.html
// "Logs sent to Amazon S3": https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-S3.html

/** What the vended-log statements need to know. */
export interface VendedLogStatementInputs {
  readonly bucketArn: string;
  readonly accounts: string[];
  /** The `aws:SourceArn` patterns log delivery sends (ArnLike). */
  readonly sourceArns: string[];
  /** Object ARNs written. */
  readonly objectArns: string[];
  /** Sid stem, e.g. `VpcFlowLogs`. */
  readonly name: string;
  readonly sidSuffix: string;
}

/** `AWSLogDeliveryAclCheck` and `AWSLogDeliveryWrite`. */
export function vendedLogBucketStatements(i: VendedLogStatementInputs): iam.PolicyStatement[] {
  const source = { StringEquals: { 'aws:SourceAccount': i.accounts }, ArnLike: { 'aws:SourceArn': i.sourceArns } };
  return [
    allow(`${i.name}DeliveryAclCheck${i.sidSuffix}`, SERVICE_PRINCIPALS.vendedLogDelivery, ['s3:GetBucketAcl'], [i.bucketArn], source),
    allow(`${i.name}DeliveryWrite${i.sidSuffix}`, SERVICE_PRINCIPALS.vendedLogDelivery, ['s3:PutObject'], i.objectArns, {
      ...source,
      StringEquals: { ...source.StringEquals, 's3:x-amz-acl': BUCKET_OWNER_FULL_CONTROL },
    }),
  ];
}

/** "Allow Logs Delivery to use the key", with the same confused-deputy conditions. */
export function vendedLogKeyStatements(i: VendedLogStatementInputs): iam.PolicyStatement[] {
  return [allow(`Allow${i.name}DeliveryToUseTheKey${i.sidSuffix}`, SERVICE_PRINCIPALS.vendedLogDelivery,
    ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'], ['*'],
    { StringEquals: { 'aws:SourceAccount': i.accounts }, ArnLike: { 'aws:SourceArn': i.sourceArns } })];
}

// ---------------------------------------------------------------------------------------------
// CloudFront origin access control. "Restrict access to an Amazon S3 origin":
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html

/** What the origin-access-control statements need to know. */
export interface OriginAccessControlStatementInputs {
  readonly bucketArn: string;
  /** The distribution ARN (`arn:<partition>:cloudfront::<account>:distribution/<id>`). */
  readonly distributionArn: string;
  /** Key-policy form of the distribution ARN: exact, or every distribution of the account (see the integration). */
  readonly keyPolicyDistributionArn: string;
  readonly allowWrites: boolean;
  readonly sidSuffix: string;
}

/** `cloudfront.amazonaws.com` reads (and with `allowWrites`, writes) objects for this distribution only. */
export function originAccessControlBucketStatements(i: OriginAccessControlStatementInputs): iam.PolicyStatement[] {
  return [allow(`AllowCloudFrontServicePrincipal${i.sidSuffix}`, SERVICE_PRINCIPALS.cloudFront,
    i.allowWrites ? ['s3:GetObject', 's3:PutObject'] : ['s3:GetObject'], [`${i.bucketArn}/*`],
    { StringEquals: { 'aws:SourceArn': i.distributionArn } })];
}

/** `AllowCloudFrontServicePrincipalSSE-KMS`: decrypt (and for writes, encrypt) for the distribution. */
export function originAccessControlKeyStatements(i: OriginAccessControlStatementInputs): iam.PolicyStatement[] {
  const exact = i.keyPolicyDistributionArn === i.distributionArn;
  return [allow(`AllowCloudFrontServicePrincipalSseKms${i.sidSuffix}`, SERVICE_PRINCIPALS.cloudFront,
    i.allowWrites ? ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'] : ['kms:Decrypt'], ['*'],
    exact ? { StringEquals: { 'aws:SourceArn': i.distributionArn } } : { StringLike: { 'aws:SourceArn': i.keyPolicyDistributionArn } })];
}

/** A CloudFront origin access identity reads objects (SSE-S3 buckets only: OAI cannot use SSE-KMS). */
export function originAccessIdentityBucketStatement(bucketArn: string, principal: iam.IPrincipal, sidSuffix: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: `AllowCloudFrontOriginAccessIdentity${sidSuffix}`,
    principals: [principal],
    actions: ['s3:GetObject'],
    resources: [`${bucketArn}/*`],
  });
}

// ---------------------------------------------------------------------------------------------
// S3 Inventory and S3 Storage Lens exports. "Configuring Amazon S3 Inventory":
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/configure-inventory.html
// "Examples of Amazon S3 bucket policies": https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html
// "Using an AWS KMS key to encrypt your metrics exports":
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage_lens_encrypt_permissions.html

/** What the S3 Inventory statements need to know. */
export interface InventoryStatementInputs {
  readonly bucketArn: string;
  readonly sourceBucketArn: string;
  readonly sourceAccount: string;
  readonly prefix?: string;
  readonly sidSuffix: string;
}

/** S3 writes inventory reports of `sourceBucketArn` only. */
export function inventoryBucketStatements(i: InventoryStatementInputs): iam.PolicyStatement[] {
  return [allow(`AllowS3InventoryDelivery${i.sidSuffix}`, SERVICE_PRINCIPALS.s3, ['s3:PutObject'], [`${i.bucketArn}/${prefixPath(i.prefix)}*`], {
    ArnLike: { 'aws:SourceArn': i.sourceBucketArn },
    StringEquals: { 'aws:SourceAccount': i.sourceAccount, 's3:x-amz-acl': BUCKET_OWNER_FULL_CONTROL },
  })];
}

/** "Allow Amazon S3 use of the customer managed key" for inventory reports of `sourceBucketArn` only. */
export function inventoryKeyStatements(i: InventoryStatementInputs): iam.PolicyStatement[] {
  return [allow(`AllowS3InventoryToUseTheKey${i.sidSuffix}`, SERVICE_PRINCIPALS.s3, ['kms:GenerateDataKey'], ['*'], {
    StringEquals: { 'aws:SourceAccount': i.sourceAccount },
    ArnLike: { 'aws:SourceArn': i.sourceBucketArn },
  })];
}

/** What the Storage Lens statements need to know. */
export interface StorageLensStatementInputs {
  readonly bucketArn: string;
  /** `arn:<partition>:s3:<region>:<account>:storage-lens/<configuration id>`. */
  readonly dashboardArn: string;
  readonly account: string;
  /** The account id, or the organization id for organization-level dashboards. */
  readonly exportOwner: string;
  readonly prefix?: string;
  readonly sidSuffix: string;
}

/** Storage Lens writes this dashboard's metrics exports. */
export function storageLensBucketStatements(i: StorageLensStatementInputs): iam.PolicyStatement[] {
  return [allow(`AllowS3StorageLensExport${i.sidSuffix}`, SERVICE_PRINCIPALS.storageLens, ['s3:PutObject'],
    [`${i.bucketArn}/${prefixPath(i.prefix)}StorageLens/${i.exportOwner}/*`], {
      StringEquals: { 's3:x-amz-acl': BUCKET_OWNER_FULL_CONTROL, 'aws:SourceAccount': i.account, 'aws:SourceArn': i.dashboardArn },
    })];
}

/** "Allow Amazon S3 Storage Lens use of the KMS key" for this dashboard. */
export function storageLensKeyStatements(i: StorageLensStatementInputs): iam.PolicyStatement[] {
  return [allow(`AllowS3StorageLensToUseTheKey${i.sidSuffix}`, SERVICE_PRINCIPALS.storageLens, ['kms:GenerateDataKey'], ['*'], {
    StringEquals: { 'aws:SourceAccount': i.account, 'aws:SourceArn': i.dashboardArn },
  })];
}
