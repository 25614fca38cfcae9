/**
 * What AWS documents about each service that writes to or reads from S3 buckets: the bucket
 * encryptions it can work with and the page that says so. One table for `ServiceIntegration` (which
 * refuses a mode the service cannot use) and the guardrails (which never remediate a bucket into one).
 */

const SSE_S3 = ['AES256'];
const SSE_S3_OR_KMS = ['AES256', 'aws:kms'];
/** Services that write as an IAM role with the bucket's default encryption can use any mode. */
const ANY = ['AES256', 'aws:kms', 'aws:kms:dsse'];

/** An AWS documentation page a decision relies on. */
export interface AwsDoc {
  readonly title: string;
  readonly url: string;
}

/** What the guardrails know about one AWS service that uses buckets. */
export interface AwsServiceFacts {
  /** Stable id, e.g. `S3_SERVER_ACCESS_LOGS`. */
  readonly id: string;
  /** How users know it, e.g. `S3 server access logging`. */
  readonly name: string;
  /** Whether it writes objects (logs, reports) or only reads them. */
  readonly writes: boolean;
  /** Default encryptions of the bucket the service documents support for (`AES256`, `aws:kms`). */
  readonly supportedAlgorithms: readonly string[];
  /**
   * The service can encrypt what it writes with an encryption of its own choosing (a key set on
   * the trail, delivery channel, ...), so it may send encryption headers that differ from the
   * bucket's default. False: it writes with the bucket's default encryption.
   */
  readonly choosesOwnEncryption: boolean;
  /** The documented encryption fact, one sentence, for annotations and findings. */
  readonly fact: string;
  /** The AWS page the fact is from. */
  readonly doc: AwsDoc;
}

/** The services the guardrails recognize. Unknown service principals are treated conservatively. */
export const AWS_SERVICES = {
  s3ServerAccessLogs: {
    id: 'S3_SERVER_ACCESS_LOGS', name: 'S3 server access logging', writes: true, supportedAlgorithms: SSE_S3, choosesOwnEncryption: false,
    fact: 'the destination bucket must use SSE-S3; with SSE-KMS, S3 might deliver log objects encrypted with a key you cannot access',
    doc: { title: 'Enabling Amazon S3 server access logging', url: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html' },
  },
  elbAccessLogs: {
    id: 'ELB_ACCESS_LOGS', name: 'Elastic Load Balancing access logs (Application or Classic Load Balancer)', writes: true, supportedAlgorithms: SSE_S3, choosesOwnEncryption: false,
    fact: 'the only server-side encryption option that is supported is SSE-S3',
    doc: { title: 'Enable access logs for your Application Load Balancer', url: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html' },
  },
  nlbAccessLogs: {
    id: 'NLB_ACCESS_LOGS', name: 'Network Load Balancer access logs', writes: true, supportedAlgorithms: SSE_S3_OR_KMS, choosesOwnEncryption: false,
    fact: 'the bucket may use SSE-S3, or SSE-KMS with a customer managed key whose policy lets delivery.logs.amazonaws.com use it (not the AWS managed key)',
    doc: { title: 'Enable access logs for your Network Load Balancer', url: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/enable-access-logs.html' },
  },
  cloudFrontStandardLogs: {
    id: 'CLOUDFRONT_STANDARD_LOGS', name: 'CloudFront standard logging (legacy)', writes: true, supportedAlgorithms: SSE_S3_OR_KMS, choosesOwnEncryption: false,
    fact: 'the bucket needs ACLs enabled and may use SSE-S3, or SSE-KMS with a customer managed key whose policy lets delivery.logs.amazonaws.com use it (not the AWS managed key)',
    doc: { title: 'Configure standard logging (legacy)', url: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html' },
  },
  vpcFlowLogs: {
    id: 'VPC_FLOW_LOGS', name: 'VPC Flow Logs', writes: true, supportedAlgorithms: SSE_S3_OR_KMS, choosesOwnEncryption: false,
    fact: 'the bucket may use SSE-S3, or SSE-KMS with a customer managed key (by full ARN) whose policy lets delivery.logs.amazonaws.com use it; '
      + 'flow log creation replaces a bucket policy that lacks the log-delivery statements',
    doc: { title: 'Amazon S3 bucket permissions for flow logs', url: 'https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-permissions.html' },
  },
  vendedLogs: {
    id: 'CLOUDWATCH_VENDED_LOGS', name: 'CloudWatch Logs vended log delivery (delivery.logs.amazonaws.com)', writes: true, supportedAlgorithms: SSE_S3_OR_KMS, choosesOwnEncryption: false,
    fact: 'the bucket may use SSE-S3, or SSE-KMS with a customer managed key whose policy lets delivery.logs.amazonaws.com use it (not the AWS managed key)',
    doc: { title: 'Logs sent to Amazon S3', url: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-S3.html' },
  },
  cloudTrail: {
    id: 'CLOUDTRAIL', name: 'AWS CloudTrail', writes: true, supportedAlgorithms: SSE_S3_OR_KMS, choosesOwnEncryption: true,
    fact: 'CloudTrail encrypts log (and digest) files with the trail\'s own KMS key when one is set (KMSKeyId), and with SSE-S3 otherwise; '
      + 'the key-policy statements it needs are on that key',
    doc: {
      title: 'Encrypting CloudTrail log files, digest files, and event data stores with AWS KMS keys (SSE-KMS)',
      url: 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html',
    },
  },
  cloudFrontOai: {
    id: 'CLOUDFRONT_OAI', name: 'CloudFront origin access identity (OAI)', writes: false, supportedAlgorithms: SSE_S3, choosesOwnEncryption: false,
    fact: 'OAI does not support SSE-KMS: objects encrypted with a KMS key cannot be served (migrate the distribution to origin access control first)',
    doc: { title: 'Restrict access to an Amazon S3 origin', url: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html' },
  },
  cloudFrontOac: {
    id: 'CLOUDFRONT_OAC', name: 'CloudFront origin access control (OAC)', writes: false, supportedAlgorithms: SSE_S3_OR_KMS, choosesOwnEncryption: false,
    fact: 'OAC reads SSE-KMS objects only when the key policy lets cloudfront.amazonaws.com decrypt for the distribution (aws:SourceArn)',
    doc: { title: 'Restrict access to an Amazon S3 origin', url: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html' },
  },
  canonicalUser: {
    id: 'CANONICAL_USER', name: 'an S3 canonical user (another account or a CloudFront OAI)', writes: false, supportedAlgorithms: SSE_S3, choosesOwnEncryption: false,
    fact: 'a canonical user id cannot be named in a KMS key policy, so it could not be given use of a new key',
    doc: { title: 'Key policies in AWS KMS', url: 'https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html' },
  },
  config: {
    id: 'AWS_CONFIG', name: 'AWS Config delivery', writes: true, supportedAlgorithms: SSE_S3_OR_KMS, choosesOwnEncryption: true,
    fact: 'the delivery channel may encrypt with its own key (s3KmsKeyArn)',
    doc: { title: 'Permissions for the Amazon S3 Bucket for the AWS Config Delivery Channel', url: 'https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html' },
  },
  s3Service: {
    id: 'S3_INVENTORY', name: 'S3 Inventory / analytics exports (s3.amazonaws.com)', writes: true, supportedAlgorithms: SSE_S3_OR_KMS, choosesOwnEncryption: true,
    fact: 'the inventory configuration may set its own encryption (SSE-S3 or a KMS key) for the report',
    doc: { title: 'Configuring Amazon S3 Inventory', url: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/configure-inventory.html' },
  },
  storageLens: {
    id: 'S3_STORAGE_LENS', name: 'S3 Storage Lens metrics export', writes: true, supportedAlgorithms: SSE_S3_OR_KMS, choosesOwnEncryption: true,
    fact: 'the export sets its own encryption (SSE-S3 or a KMS key)',
    doc: { title: 'Using an AWS KMS key to encrypt your metrics exports', url: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage_lens_encrypt_permissions.html' },
  },
  cloudFrontStandardLogsV2: {
    id: 'CLOUDFRONT_STANDARD_LOGS_V2', name: 'CloudFront standard logs (v2)', writes: true, supportedAlgorithms: SSE_S3_OR_KMS, choosesOwnEncryption: false,
    fact: 'CloudWatch Logs delivers them (delivery.logs.amazonaws.com); the bucket may use SSE-S3, or SSE-KMS with a customer managed key (an AWS managed key gives unreadable logs)',
    doc: { title: 'Configure standard logging (v2)', url: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html' },
  },
  batchOperationsReports: {
    id: 'S3_BATCH_OPERATIONS_REPORTS', name: 'S3 Batch Operations completion reports', writes: true, supportedAlgorithms: SSE_S3, choosesOwnEncryption: true,
    fact: 'completion reports are always encrypted with SSE-S3 (written by the job\'s role)',
    doc: { title: 'Examples: S3 Batch Operations completion reports', url: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-examples-reports.html' },
  },
  athenaQueryResults: {
    id: 'ATHENA_QUERY_RESULTS', name: 'Amazon Athena query results', writes: true, supportedAlgorithms: ANY, choosesOwnEncryption: true,
    fact: 'results are written by the querying principal, encrypted as the workgroup says (SSE_S3, SSE_KMS with a key, or the bucket default when unset)',
    doc: { title: 'Encrypt Athena query results stored in Amazon S3', url: 'https://docs.aws.amazon.com/athena/latest/ug/encrypting-query-results-stored-in-s3.html' },
  },
  firehose: {
    id: 'FIREHOSE', name: 'Amazon Data Firehose', writes: true, supportedAlgorithms: ANY, choosesOwnEncryption: true,
    fact: 'the delivery role writes with the bucket default (NoEncryption) or SSE-KMS under the key the stream names',
    doc: { title: 'Controlling access with Amazon Data Firehose', url: 'https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html' },
  },
} as const satisfies Record<string, AwsServiceFacts>;
