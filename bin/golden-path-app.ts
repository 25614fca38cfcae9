import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BucketEncryptionMode, EncryptedBucket, KmsKeyWithRotation } from '../lib';
import { acknowledgeOnResource, addCompliancePacks } from './compliance-packs';

/** Where the golden path deploys: placeholder accounts from `cdk.json` context, no credentials needed. */
export interface GoldenPathConfig {
  readonly account: string;
  readonly primaryRegion: string;
  readonly replicaRegion: string;
}

/** Reads the golden-path context from `cdk.json` (overridable with `-c key=value`). */
export function goldenPathConfig(app: App): GoldenPathConfig {
  const read = (key: string) => {
    const value = app.node.tryGetContext(`golden-path:${key}`);
    if (typeof value !== 'string' || value === '') throw new Error(`cdk.json context 'golden-path:${key}' is missing`);
    return value;
  };
  return { account: read('account'), primaryRegion: read('primary-region'), replicaRegion: read('replica-region') };
}

/** The primary stack: a rotating key, a data bucket and its access-log bucket. */
export class GoldenPathPrimaryStack extends Stack {
  public readonly dataKey: KmsKeyWithRotation;
  public readonly accessLogs: EncryptedBucket;
  public readonly data: EncryptedBucket;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    this.dataKey = new KmsKeyWithRotation(this, 'DataKey', { alias: 'golden-path/data' });
    // HIPAA, NIST 800-53 R5 and PCI require KMS default encryption on every bucket, the log bucket
    // included; log delivery supports SSE-KMS with a customer-managed key (EncryptedBucket adds the
    // key-policy statement for logging.s3.amazonaws.com).
    this.accessLogs = new EncryptedBucket(this, 'AccessLogs', {
      encryptionKeyProps: { alias: 'golden-path/access-logs' },
    });
    this.data = new EncryptedBucket(this, 'Data', {
      encryption: BucketEncryptionMode.SSE_KMS,
      encryptionKey: this.dataKey,
      serverAccessLogsBucket: this.accessLogs.bucket,
      serverAccessLogsPrefix: 'data/',
    });
    acknowledgeFindingsOfAccessLogBucket(this.accessLogs);
    for (const pack of ['HIPAA.Security', 'NIST.800.53.R4', 'NIST.800.53.R5', 'PCI.DSS.321']) {
      acknowledgeOnResource(this.data.bucket.node.defaultChild as s3.CfnBucket, `${pack}-S3BucketReplicationEnabled`,
        'Cross-Region replication of this bucket arrives with ReplicatedEncryptedBucket (issue 3).');
    }
    acknowledgeObjectLock(this.data, 'holds application data that must stay deletable and overwritable (GDPR erasure); the regulated profile enables Object Lock where WORM retention is required.');
  }
}

function acknowledgeFindingsOfAccessLogBucket(logs: EncryptedBucket): void {
  const cfn = logs.bucket.node.defaultChild as s3.CfnBucket;
  const replication = 'An access-log bucket is the end of the logging chain: replicating it would need a replica bucket that in turn must replicate (an endless regress). Logs are retained and versioned in place.';
  for (const pack of ['HIPAA.Security', 'NIST.800.53.R4', 'NIST.800.53.R5', 'PCI.DSS.321']) {
    acknowledgeOnResource(cfn, `${pack}-S3BucketReplicationEnabled`, replication);
  }
  acknowledgeObjectLock(logs, 'S3 server access log delivery does not support destination buckets with a default Object Lock retention; logs are versioned and protected by the TLS and encryption policies.');
}

function acknowledgeObjectLock(bucket: EncryptedBucket, reason: string): void {
  acknowledgeOnResource(bucket.bucket.node.defaultChild as s3.CfnBucket, 'NIST.800.53.R4-S3BucketDefaultLockEnabled', `This bucket ${reason}`.replace('This bucket S3', 'S3'));
}

/** Builds the golden-path app: its stacks plus the five compliance packs. */
export function buildGoldenPathApp(app: App): { primary: GoldenPathPrimaryStack } {
  const config = goldenPathConfig(app);
  const primary = new GoldenPathPrimaryStack(app, 'GoldenPathPrimary', {
    env: { account: config.account, region: config.primaryRegion },
    description: 's3-encryption-constructs golden path: SSE-KMS data bucket with access logs',
  });
  addCompliancePacks(app);
  return { primary };
}
