import { type Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Options shared by the constructs that run one S3 Batch Operations task per Lambda invocation
 * (`SseCKeyRotation`, `ClientSideKeyRotation`): where the job's manifest and report live, and how
 * the function runs.
 */
export interface BatchOperationsJobOptions {
  /**
   * Bucket holding the job manifests (CSV or S3 Inventory): Batch Operations gets read access to
   * `manifestPrefix` in it.
   * @default - none: grant the Batch Operations role read access to your manifest yourself
   */
  readonly manifestBucket?: s3.IBucket;

  /**
   * Key prefix of the manifests in `manifestBucket`.
   * @default '' (the whole bucket)
   */
  readonly manifestPrefix?: string;

  /**
   * Bucket receiving the job completion reports: Batch Operations gets write access to `reportPrefix` in it.
   * @default - none: create jobs without a report, or grant access yourself
   */
  readonly reportBucket?: s3.IBucket;

  /**
   * Key prefix of the reports in `reportBucket`.
   * @default - `<construct kind>-reports/`, e.g. `sse-c-key-rotation-reports/`
   */
  readonly reportPrefix?: string;

  /**
   * Tasks one invocation works on at once (Batch Operations normally sends one). 1 to 64.
   * @default 4
   */
  readonly concurrencyPerInvocation?: number;

  /**
   * Function memory in MB.
   * @default - 1024 for SSE-C re-keying (its streamed fallback holds object parts), 512 for key rotation (metadata only)
   */
  readonly memorySize?: number;

  /**
   * Function timeout. A server-side copy of an object near 5 TB takes minutes.
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;

  /**
   * Retention of the function's log group (the audit trail of the job).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * KMS key to encrypt the function's log group with (its key policy must let CloudWatch Logs use it).
   * @default - encrypted with CloudWatch Logs' own keys
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * VPC to run the function in. It then needs routes to S3, and to KMS / Secrets Manager where its keys live (e.g. VPC endpoints).
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of `vpc` for the function.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Reserved concurrency: caps how many invocations Batch Operations can run at once (and so the
   * request rate against the bucket and the keys), and keeps them from starving other functions.
   * @default - no reservation (the account's unreserved concurrency)
   */
  readonly reservedConcurrentExecutions?: number;
}
