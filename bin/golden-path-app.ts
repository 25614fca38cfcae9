import { Annotations, type App, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { type Construct } from 'constructs';
import {
  BucketEncryptionMode, EncryptedBucket, EncryptionAudit, EncryptionGuardrails, GuardrailMode, KmsKeyWithRotation, type ReplicaBucketAttributes,
  ReplicatedEncryptedBucket, ReplicaTarget, ReplicationDestination, S3EncryptionChecks, ServiceIntegration,
} from '../lib';
import { acknowledgeOnResource, addCompliancePacks } from './compliance-packs';

/** The packs whose S3BucketReplicationEnabled rule the end of a replication or logging chain acknowledges. */
const PACKS_REQUIRING_REPLICATION = ['HIPAA.Security', 'NIST.800.53.R4', 'NIST.800.53.R5', 'PCI.DSS.321'];

/** Where the golden path deploys: placeholder accounts from `cdk.json` context, no credentials needed. */
export interface GoldenPathConfig {
  readonly account: string;
  readonly primaryRegion: string;
  readonly replicaRegion: string;
}

/** Reads the golden-path context from `cdk.json` (overridable with `-c key=value`). */
export function goldenPathConfig(app: App): GoldenPathConfig {
  const read = (key: string) => {
    const value: unknown = app.node.tryGetContext(`golden-path:${key}`);
    if (typeof value !== 'string' || value === '') {
      throw new Error(`cdk.json context 'golden-path:${key}' is missing. Fix: set it in cdk.json's "context", or pass -c golden-path:${key}=<value>.`);
    }
    return value;
  };
  return { account: read('account'), primaryRegion: read('primary-region'), replicaRegion: read('replica-region') };
}

/** Physical names both stacks agree on, so neither refers to the other (no cross-stack reference). */
export function goldenPathReplicationNames(config: GoldenPathConfig) {
  return {
    replicaBucketName: `golden-path-data-replica-${config.account}-${config.replicaRegion}`,
    replicationRoleName: `golden-path-data-replication-${config.primaryRegion}`,
  };
}

/** Props of the primary stack: where its data bucket replicates to. */
export interface GoldenPathPrimaryStackProps extends StackProps {
  /** The replica bucket, as plain values from the replica stack. */
  readonly replicaTarget: ReplicaBucketAttributes;
}

/**
 * The primary stack: a rotating key, a data bucket replicated to the replica Region, and its
 * access-log bucket.
 */
export class GoldenPathPrimaryStack extends Stack {
  public readonly dataKey: KmsKeyWithRotation;
  public readonly accessLogs: EncryptedBucket;
  public readonly data: EncryptedBucket;
  public readonly dataReplication: ReplicatedEncryptedBucket;
  public readonly site: EncryptedBucket;
  public readonly siteLogs: EncryptedBucket;
  public readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: GoldenPathPrimaryStackProps) {
    super(scope, id, props);
    this.dataKey = new KmsKeyWithRotation(this, 'DataKey', { alias: 'golden-path/data' });
    // Server access log destinations must use SSE-S3 (see acknowledgeFindingsOfAccessLogBucket).
    this.accessLogs = new EncryptedBucket(this, 'AccessLogs', { encryption: BucketEncryptionMode.SSE_S3 });
    this.data = new EncryptedBucket(this, 'Data', {
      encryption: BucketEncryptionMode.SSE_KMS,
      encryptionKey: this.dataKey,
      serverAccessLogsBucket: this.accessLogs.bucket,
      serverAccessLogsPrefix: 'data/',
    });
    // Cross-Region replication into the replica stack's bucket, which is deployed first.
    this.dataReplication = new ReplicatedEncryptedBucket(this, 'DataReplication', {
      source: this.data,
      rules: [{ destination: ReplicaTarget.fromAttributes(props.replicaTarget) }],
    });
    acknowledgeFindingsOfAccessLogBucket(this.accessLogs);
    acknowledgeObjectLock(this.data, 'This bucket holds application data that must stay deletable and overwritable (GDPR erasure); the regulated profile enables Object Lock where WORM retention is required.');

    // A static site served by CloudFront through origin access control, SSE-KMS end to end, with
    // CloudFront standard logs (v2) delivered into a KMS-encrypted log bucket.
    ({ site: this.site, siteLogs: this.siteLogs, distribution: this.distribution } = addCloudFrontSite(this, this.accessLogs));
  }
}

/** Props of the replica stack. */
export interface GoldenPathReplicaStackProps extends StackProps {
  /** The account of the primary stack (the replication source). */
  readonly sourceAccount: string;
  /** The replica bucket's name (deterministic, see `goldenPathReplicationNames`). */
  readonly replicaBucketName: string;
  /** The source's replication role name (deterministic). */
  readonly replicationRoleName: string;
}

/**
 * The replica stack, in the replica Region: the bucket (and rotating key) that receives the data
 * bucket's replicas, and its own access-log bucket (log delivery needs a target in the same Region).
 */
export class GoldenPathReplicaStack extends Stack {
  public readonly accessLogs: EncryptedBucket;
  public readonly dataReplica: ReplicationDestination;

  constructor(scope: Construct, id: string, props: GoldenPathReplicaStackProps) {
    super(scope, id, props);
    this.accessLogs = new EncryptedBucket(this, 'AccessLogs', { encryption: BucketEncryptionMode.SSE_S3 });
    this.dataReplica = new ReplicationDestination(this, 'DataReplica', {
      bucketName: props.replicaBucketName,
      replicaKeyAlias: 'golden-path/data-replica',
      source: { account: props.sourceAccount, replicationRoleName: props.replicationRoleName },
      serverAccessLogsBucket: this.accessLogs.bucket,
      serverAccessLogsPrefix: 'data-replica/',
    });
    acknowledgeFindingsOfAccessLogBucket(this.accessLogs);
    const replica = this.dataReplica.bucket.bucket.node.defaultChild as s3.CfnBucket;
    for (const pack of PACKS_REQUIRING_REPLICATION) {
      acknowledgeOnResource(replica, `${pack}-S3BucketReplicationEnabled`,
        'This bucket is the cross-Region replica of GoldenPathPrimary/Data: it is the end of the replication chain. Replicating the replica would need yet another bucket that in turn must replicate (an endless regress); the data already exists in two Regions.');
    }
    acknowledgeObjectLock(this.dataReplica.bucket, 'This bucket is the replica of a bucket that holds application data that must stay deletable and overwritable (GDPR erasure); S3 requires Object Lock on a replica only when the source has it, and the source does not.');
  }
}

/**
 * The site bucket, its distribution (origin access control) and the distribution's standard logs.
 * The origin is given a read-only view of the bucket, so the bucket's and key's policies come from
 * the service integration alone (aws-cdk-lib would otherwise add its own copies).
 */
function addCloudFrontSite(stack: Stack, accessLogs: EncryptedBucket) {
  const site = new EncryptedBucket(stack, 'Site', {
    encryptionKeyProps: { alias: 'golden-path/site' },
    serverAccessLogsBucket: accessLogs.bucket,
    serverAccessLogsPrefix: 'site/',
  });
  const siteLogs = new EncryptedBucket(stack, 'SiteLogs', {
    encryptionKeyProps: { alias: 'golden-path/site-logs' },
    serverAccessLogsBucket: accessLogs.bucket,
    serverAccessLogsPrefix: 'site-logs/',
  });
  const origin = s3.Bucket.fromBucketAttributes(stack, 'SiteOrigin', {
    bucketArn: site.bucketArn,
    bucketRegionalDomainName: site.bucket.bucketRegionalDomainName,
  });
  const distribution = new cloudfront.Distribution(stack, 'SiteDistribution', {
    defaultBehavior: {
      origin: origins.S3BucketOrigin.withOriginAccessControl(origin),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
    },
    defaultRootObject: 'index.html',
  });
  Annotations.of(distribution).acknowledgeWarning('@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
    'The site bucket\'s bucket and key policies are added by EncryptedBucket.addServiceIntegration(ServiceIntegration.cloudFrontOriginAccessControl(...)).');
  site.addServiceIntegration(ServiceIntegration.cloudFrontOriginAccessControl({ distribution }));

  // Standard logging (v2): CloudWatch Logs delivers from us-east-1 (the primary Region here).
  siteLogs.addServiceIntegration(ServiceIntegration.cloudFrontStandardLogs({ prefix: 'cdn' }));
  const source = new logs.CfnDeliverySource(stack, 'SiteLogSource', {
    name: 'golden-path-site',
    logType: 'ACCESS_LOGS',
    resourceArn: stack.formatArn({ service: 'cloudfront', region: '', resource: 'distribution', resourceName: distribution.distributionId }),
  });
  const destination = new logs.CfnDeliveryDestination(stack, 'SiteLogDestination', {
    name: 'golden-path-site-logs',
    destinationResourceArn: `${siteLogs.bucketArn}/cdn`,
  });
  const delivery = new logs.CfnDelivery(stack, 'SiteLogDelivery', {
    deliverySourceName: source.ref,
    deliveryDestinationArn: destination.attrArn,
  });
  delivery.node.addDependency(siteLogs.bucket.policy!);

  const cfnDistribution = distribution.node.defaultChild as cloudfront.CfnDistribution;
  acknowledgeOnResource(cfnDistribution, 'AwsSolutions-CFR1', 'The site has no geographic restriction requirement; add geoRestriction where licensing or sanctions demand it.');
  acknowledgeOnResource(cfnDistribution, 'AwsSolutions-CFR2', 'Web application firewalling is outside this S3-encryption golden path; attach a CLOUDFRONT-scope web ACL (webAclId) in production.');
  acknowledgeOnResource(cfnDistribution, 'AwsSolutions-CFR3', 'Access logging uses CloudFront standard logging v2 (AWS::Logs::Delivery SiteLogDelivery into SiteLogs), not the legacy Logging property: legacy logging needs S3 ACLs, which every EncryptedBucket disables.');
  acknowledgeOnResource(cfnDistribution, controlTower('cloudfront_access_logs_enabled_check'), 'Standard logging v2 (AWS::Logs::Delivery SiteLogDelivery into SiteLogs) replaces the legacy Logging property, which needs S3 ACLs (CT.CLOUDFRONT.PR.9).');
  acknowledgeOnResource(cfnDistribution, controlTower('cloudfront_origin_failover_enabled_check'), 'The site has one origin bucket; an origin group needs a second bucket in another Region with its own replication, beyond this S3-encryption golden path (CT.CLOUDFRONT.PR.4).');
  for (const rule of ['cloudfront_custom_ssl_certificate_check', 'cloudfront_sni_enabled_check', 'cloudfront_security_policy_check']) {
    acknowledgeOnResource(cfnDistribution, controlTower(rule), 'The golden path serves the default *.cloudfront.net domain, which has no custom certificate (so no SNI and no selectable security policy); attach an ACM certificate with TLSv1.2_2021 for a real domain.');
  }
  acknowledgeOnResource(cfnDistribution, 'AwsSolutions-CFR4', 'The distribution uses the default *.cloudfront.net certificate, whose viewer TLS policy CloudFront fixes (minimumProtocolVersion needs a custom certificate: set TLS_V1_2_2021 with one). Origin requests are always HTTPS, signed by origin access control, and the bucket denies TLS older than 1.2.');
  const siteReason = 'The site\'s content is published from source control, so a replica adds no recovery; it is versioned and SSE-KMS encrypted.';
  for (const [bucket, replication] of [[site, siteReason], [siteLogs, 'CloudFront logs are the end of the logging chain: replicating them would need a replica that in turn must replicate (an endless regress).']] as const) {
    const cfn = bucket.bucket.node.defaultChild as s3.CfnBucket;
    for (const pack of PACKS_REQUIRING_REPLICATION) acknowledgeOnResource(cfn, `${pack}-S3BucketReplicationEnabled`, replication);
    acknowledgeObjectLock(bucket, 'Site content and its logs must stay replaceable; Object Lock (WORM) is for records that must be retained unchanged.');
  }
  return { site, siteLogs, distribution };
}

function acknowledgeFindingsOfAccessLogBucket(logs: EncryptedBucket): void {
  const cfn = logs.bucket.node.defaultChild as s3.CfnBucket;
  const replication = 'An access-log bucket is the end of the logging chain: replicating it would need a replica bucket that in turn must replicate (an endless regress). Logs are retained and versioned in place.';
  const sseS3Only = 'S3 server access log destinations must use SSE-S3: "The destination bucket must use Amazon S3 managed keys (SSE-S3). If the destination bucket uses SSE-KMS, Amazon S3 might deliver log objects that are encrypted with a key that you can\'t access." (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html). Access to the logs is controlled by the bucket policy (TLS only, no public access).';
  for (const pack of PACKS_REQUIRING_REPLICATION) {
    acknowledgeOnResource(cfn, `${pack}-S3BucketReplicationEnabled`, replication);
    acknowledgeOnResource(cfn, `${pack}-S3DefaultEncryptionKMS`, sseS3Only);
  }
  acknowledgeObjectLock(logs, 'S3 server access log delivery does not support destination buckets with a default Object Lock retention; logs are versioned and protected by the TLS and encryption policies.');
  acknowledgeOnResource(cfn, controlTower('s3_bucket_default_encryption_kms_check'), `${sseS3Only} (CT.S3.PR.10)`);
  acknowledgeOnResource(cfn, controlTower('s3_bucket_logging_enabled_check'), 'The access-log bucket is the end of the logging chain; Security Hub S3.9 does not require it to log itself (CT.S3.PR.2).');
}

/** Object Lock (WORM) is not claimed for this bucket: cdk-nag's NIST R4 rule and Control Tower CT.S3.PR.9. */
function acknowledgeObjectLock(bucket: EncryptedBucket, reason: string): void {
  const cfn = bucket.bucket.node.defaultChild as s3.CfnBucket;
  acknowledgeOnResource(cfn, 'NIST.800.53.R4-S3BucketDefaultLockEnabled', reason);
  acknowledgeOnResource(cfn, controlTower('s3_bucket_object_lock_enabled_check'), `${reason} (CT.S3.PR.9)`);
  acknowledgeOnResource(cfn, controlTower('s3_event_notifications_enabled_check'),
    'Nothing in the golden path consumes object events of this bucket; add notifications where a consumer exists (CT.S3.PR.4, Security Hub S3.11).');
}

/** The acknowledgement id of a Control Tower proactive control as cdk-validator-cfnguard reports it. */
function controlTower(rule: string): string {
  return `cdk-validator-cfnguard::${rule}`;
}

/** Options of the golden-path app. */
export interface GoldenPathOptions {
  /**
   * Add the EncryptionAudit (off only to measure its synth cost, bench/synth-cases/golden-path-audit.ts).
   * @default true
   */
  readonly encryptionAudit?: boolean;
}

/**
 * Builds the golden-path app: its stacks plus the five compliance packs, the S3 encryption pack
 * and the guardrails Aspect in ENFORCE mode. The replica stack
 * deploys first (S3 rejects a replication rule whose destination does not exist); the stacks share
 * only plain names, so there is no cross-stack (let alone cross-Region) reference.
 */
export function buildGoldenPathApp(app: App, options: GoldenPathOptions = {}): { primary: GoldenPathPrimaryStack; replica: GoldenPathReplicaStack; audit?: EncryptionAudit } {
  const config = goldenPathConfig(app);
  const names = goldenPathReplicationNames(config);
  const replica = new GoldenPathReplicaStack(app, 'GoldenPathReplica', {
    env: { account: config.account, region: config.replicaRegion },
    description: 's3-encryption-constructs golden path: cross-Region replica of the data bucket',
    sourceAccount: config.account,
    ...names,
  });
  const primary = new GoldenPathPrimaryStack(app, 'GoldenPathPrimary', {
    env: { account: config.account, region: config.primaryRegion },
    description: 's3-encryption-constructs golden path: SSE-KMS data bucket with access logs, replicated across Regions',
    replicaTarget: replica.dataReplica.replicaTargetAttributes(),
  });
  primary.addStackDependency(replica, 'S3 rejects a replication rule whose destination bucket does not exist yet');
  const audit = options.encryptionAudit === false ? undefined : addEncryptionAudit(primary, replica);
  addCompliancePacks(app);
  // Our S3 encryption pack, and the guardrails Aspect: any bucket, policy or key below the standard
  // is a synth error at its path.
  Validations.of(app).addPlugins(new S3EncryptionChecks(app, { verbose: true }));
  EncryptionGuardrails.of(app, { mode: GuardrailMode.ENFORCE });
  return { primary, replica, audit };
}

/**
 * The encryption audit, once for the account, in the primary stack, created after every bucket and
 * key: a multi-Region trail recording KMS management events and the object-level events of the
 * buckets that hold data (the data bucket, its replica and the site; not the log buckets, whose
 * writes are the services' own), its alarms, and a KMS request-rate alarm in both Regions (the
 * replica Region's goes into the replica stack).
 */
function addEncryptionAudit(primary: GoldenPathPrimaryStack, replica: GoldenPathReplicaStack): EncryptionAudit {
  const audit = new EncryptionAudit(primary, 'EncryptionAudit', {
    trailName: 'golden-path-encryption-audit',
    buckets: [primary.data.bucket, replica.dataReplica.bucket.bucket, primary.site.bucket],
    trailBucketProps: { serverAccessLogsBucket: primary.accessLogs.bucket, serverAccessLogsPrefix: 'encryption-audit-trail/' },
  });
  const trailBucket = audit.trailBucket!;
  for (const pack of PACKS_REQUIRING_REPLICATION) {
    acknowledgeOnResource(trailBucket.bucket.node.defaultChild as s3.CfnBucket, `${pack}-S3BucketReplicationEnabled`,
      'CloudTrail log files are validated by their digest files (log file validation is on); a copy in another Region is the job of an organization or log-archive trail, not of this account-level one.');
  }
  acknowledgeObjectLock(trailBucket, 'CloudTrail log file integrity is proven by log file validation (signed digest files), not by Object Lock.');
  return audit;
}
