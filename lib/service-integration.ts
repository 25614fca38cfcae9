import { Aws, Stack, Token } from 'aws-cdk-lib';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { BucketEncryptionMode } from './bucket-encryption-mode';
import { ConstructPropError } from './private/construct-prop-error';
import { allowServerAccessLogDeliveryStatement } from './private/encrypted-bucket-policy-statements';
import {
  cloudTrailBucketStatements, cloudTrailDigestObjectArns, cloudTrailKeyStatements, type CloudTrailStatementInputs,
  configBucketStatements, configKeyStatements, inventoryBucketStatements, inventoryKeyStatements, loadBalancerLogStatements,
  originAccessControlBucketStatements, originAccessControlKeyStatements, originAccessIdentityBucketStatement, prefixPath,
  SERVICE_PRINCIPALS, storageLensBucketStatements, storageLensKeyStatements, trailArn, vendedLogBucketStatements,
  vendedLogKeyStatements, type VendedLogStatementInputs,
} from './private/service-integration-statements';
import { AWS_SERVICES, type AwsServiceFacts } from './private/aws-service-facts';
import type { IServiceIntegrationTarget } from './private/service-integration-target';

/** Options of {@link ServiceIntegration.cloudTrail}. */
export interface CloudTrailIntegrationOptions {
  /**
   * The trail's name. The bucket and key policies name the trail by ARN (`aws:SourceArn`), built from
   * this name, so the trail itself is not referenced (that would be a dependency cycle: the trail
   * waits for the bucket policy). Pass the same name as `trailName` to `cloudtrail.Trail`.
   */
  readonly trailName: string;

  /**
   * The trail's home Region (where it was created; a multi-Region trail keeps one ARN).
   * @default - the bucket's Region
   */
  readonly trailRegion?: string;

  /**
   * The account that owns the trail: for an organization trail, the management account.
   * @default - the bucket's account
   */
  readonly trailAccount?: string;

  /**
   * The organization id (`o-...`) of an organization trail: member accounts' logs go under
   * `AWSLogs/<organizationId>/`.
   * @default - not an organization trail
   */
  readonly organizationId?: string;

  /**
   * The trail's S3 key prefix (`S3KeyPrefix`).
   * @default - no prefix
   */
  readonly prefix?: string;
}

/** Options of {@link ServiceIntegration.config}. */
export interface ConfigIntegrationOptions {
  /**
   * The accounts whose AWS Config delivery channels write to this bucket.
   * @default - the bucket's account
   */
  readonly sourceAccounts?: string[];

  /**
   * The delivery channel's S3 key prefix (`s3KeyPrefix`).
   * @default - no prefix
   */
  readonly prefix?: string;
}

/** Options of log deliveries keyed by account: load balancer access logs, VPC Flow Logs, CloudFront standard logs. */
export interface LogDeliveryIntegrationOptions {
  /**
   * The accounts whose resources deliver logs here.
   * @default - the bucket's account
   */
  readonly sourceAccounts?: string[];

  /**
   * The log destination's key prefix (the `prefix` given to the load balancer, flow log or distribution).
   * @default - no prefix
   */
  readonly prefix?: string;
}

/** Options of {@link ServiceIntegration.cloudFrontOriginAccessControl}. */
export interface CloudFrontOriginAccessControlOptions {
  /** The distribution whose origin access control reads the bucket. */
  readonly distribution: cloudfront.IDistribution;

  /**
   * Also let the distribution write objects (PUT through CloudFront); reads only otherwise.
   * @default false
   */
  readonly allowWrites?: boolean;
}

/** Options of {@link ServiceIntegration.cloudFrontOriginAccessIdentity}. */
export interface CloudFrontOriginAccessIdentityOptions {
  /** The legacy origin access identity that reads the bucket. */
  readonly originAccessIdentity: cloudfront.IOriginAccessIdentity;
}

/** Options of {@link ServiceIntegration.s3Inventory}. */
export interface S3InventoryIntegrationOptions {
  /** The bucket whose inventory (or analytics export) is delivered here. */
  readonly sourceBucket: s3.IBucket;

  /**
   * The account that owns the source bucket.
   * @default - the bucket's account
   */
  readonly sourceAccount?: string;

  /**
   * The inventory destination prefix.
   * @default - any key
   */
  readonly prefix?: string;
}

/** Options of {@link ServiceIntegration.storageLens}. */
export interface StorageLensIntegrationOptions {
  /** The Storage Lens dashboard (configuration) id. */
  readonly configurationId: string;

  /**
   * The dashboard's home Region.
   * @default - the bucket's Region
   */
  readonly region?: string;

  /**
   * The account that owns the dashboard.
   * @default - the bucket's account
   */
  readonly account?: string;

  /**
   * For an organization-level dashboard, the organization id (exports go under `StorageLens/<organizationId>/`).
   * @default - an account-level dashboard
   */
  readonly organizationId?: string;

  /**
   * The export's destination prefix.
   * @default - no prefix
   */
  readonly prefix?: string;
}

/** Options of the integrations that write as an IAM role: Athena, Firehose, S3 Batch Operations reports. */
export interface RoleIntegrationOptions {
  /** The role (or other grantable) that the service uses to write. */
  readonly grantee: iam.IGrantable;

  /**
   * The key prefix the service writes under.
   * @default - any key
   */
  readonly prefix?: string;
}

/** Options of {@link ServiceIntegration.serverAccessLogs}. */
export interface ServerAccessLogsIntegrationOptions {
  /** The bucket whose server access logs are delivered here. */
  readonly sourceBucket: s3.IBucket;

  /** The prefix of those logs in this bucket (the source's `LogFilePrefix`). */
  readonly prefix: string;

  /**
   * The account that owns the source bucket.
   * @default - the bucket's account
   */
  readonly sourceAccount?: string;
}

type Bind = (target: IServiceIntegrationTarget) => void;

const ALL_MODES = [BucketEncryptionMode.SSE_S3, BucketEncryptionMode.SSE_KMS, BucketEncryptionMode.DSSE_KMS];

/**
 * An AWS service that writes to or reads from an `EncryptedBucket`, with exactly the bucket-policy and
 * key-policy statements its AWS documentation lists, confused-deputy conditions included. Add it with
 * `EncryptedBucket.addServiceIntegration`. An enum-like class: use the static factories.
 *
 * The bucket's TLS and encryption denies stay in force for everyone else. A service that cannot use the
 * bucket's encryption (ELB and server access logs on SSE-KMS, CloudFront OAI on SSE-KMS, and every
 * service AWS does not document for DSSE-KMS) is a synth error naming the service, the mode and the fix.
 */
export class ServiceIntegration {
  /**
   * AWS CloudTrail log and digest files. The trail must use the bucket's own KMS key (`KmsKeyId` =
   * the bucket key's ARN) for SSE-KMS buckets: its key-policy statements are added to that key.
   * Digest files are accepted with SSE-S3 too, on their own objects only (AWS's older guide says
   * CloudTrail writes them with SSE-S3).
   */
  public static cloudTrail(options: CloudTrailIntegrationOptions): ServiceIntegration {
    return new ServiceIntegration(AWS_SERVICES.cloudTrail, (t) => {
        const account = options.trailAccount ?? t.stack.account;
        const inputs: CloudTrailStatementInputs = {
          bucketArn: t.bucketArn,
          trailArn: trailArn(Aws.PARTITION, options.trailRegion ?? t.stack.region, account, options.trailName),
          trailAccount: account,
          organizationId: options.organizationId,
          prefix: options.prefix,
          partition: Aws.PARTITION,
          sidSuffix: t.nextSidSuffix(),
        };
        t.addBucketStatements(cloudTrailBucketStatements(inputs));
        if (t.encryption.usesKms) {
          t.addKeyStatements(AWS_SERVICES.cloudTrail.name, cloudTrailKeyStatements(inputs, t.bucketKeyEnabled));
          t.allowServiceAlgorithm(SERVICE_PRINCIPALS.cloudTrail, BucketEncryptionMode.SSE_S3.sseAlgorithm, cloudTrailDigestObjectArns(inputs));
        }
      });
  }

  /**
   * AWS Config delivery channel snapshots and history. For SSE-KMS buckets set the delivery
   * channel's `s3KmsKeyArn` to the bucket key's ARN.
   */
  public static config(options: ConfigIntegrationOptions = {}): ServiceIntegration {
    return new ServiceIntegration(AWS_SERVICES.config, (t) => {
      const inputs = { bucketArn: t.bucketArn, sourceAccounts: options.sourceAccounts ?? [t.stack.account], prefix: options.prefix, sidSuffix: t.nextSidSuffix() };
      t.addBucketStatements(configBucketStatements(inputs));
      if (t.encryption.usesKms) t.addKeyStatements(AWS_SERVICES.config.name, configKeyStatements(inputs));
    });
  }

  /**
   * Application and Classic Load Balancer access logs. AWS: "The only server-side encryption option
   * that's supported is Amazon S3-managed keys (SSE-S3)", so the bucket must be SSE-S3. The stack
   * must have an explicit Region (log delivery's principal depends on it).
   */
  public static loadBalancerAccessLogs(options: LogDeliveryIntegrationOptions = {}): ServiceIntegration {
    return new ServiceIntegration(AWS_SERVICES.elbAccessLogs, (t) => {
        const region = t.stack.region;
        if (Token.isUnresolved(region)) {
          throw integrationError(t.path, 'Elastic Load Balancing access logs',
            'the stack has no explicit Region, and which principal delivers the logs depends on it.', 'give the stack env: { region }.');
        }
        const legacyElbAccount = RegionInfo.get(region).elbv2Account;
        const sidSuffix = t.nextSidSuffix();
        t.addBucketStatements((options.sourceAccounts ?? [t.stack.account]).flatMap((account, n) => loadBalancerLogStatements({
          bucketArn: t.bucketArn, account, region, partition: Aws.PARTITION, legacyElbAccount, prefix: options.prefix, sidSuffix: `${sidSuffix}${n || ''}`,
        })));
      });
  }

  /** Network Load Balancer access logs, delivered by CloudWatch Logs' log delivery (SSE-S3 or SSE-KMS with a customer-managed key). */
  public static networkLoadBalancerAccessLogs(options: LogDeliveryIntegrationOptions = {}): ServiceIntegration {
    return ServiceIntegration.vendedLogs(AWS_SERVICES.nlbAccessLogs, 'NetworkLoadBalancerLogs', options,
      (account, region) => `arn:${Aws.PARTITION}:logs:${region}:${account}:*`);
  }

  /** VPC Flow Logs published to S3 (SSE-S3 or SSE-KMS with a customer-managed key). */
  public static vpcFlowLogs(options: LogDeliveryIntegrationOptions = {}): ServiceIntegration {
    return ServiceIntegration.vendedLogs(AWS_SERVICES.vpcFlowLogs, 'VpcFlowLogs', options,
      (account, region) => `arn:${Aws.PARTITION}:logs:${region}:${account}:*`);
  }

  /**
   * CloudFront standard logging (v2), delivered by CloudWatch Logs' log delivery from us-east-1
   * (SSE-S3 or SSE-KMS with a customer-managed key). Legacy standard logging needs S3 ACLs, which
   * every `EncryptedBucket` disables (BucketOwnerEnforced), so it is not offered.
   */
  public static cloudFrontStandardLogs(options: LogDeliveryIntegrationOptions = {}): ServiceIntegration {
    return ServiceIntegration.vendedLogs(AWS_SERVICES.cloudFrontStandardLogsV2, 'CloudFrontLogs', options,
      (account) => `arn:${Aws.PARTITION}:logs:us-east-1:${account}:delivery-source:*`);
  }

  /**
   * A CloudFront distribution reading the bucket through origin access control. The bucket policy
   * names the distribution. The key policy names it too when its id is a plain value; a distribution
   * defined in this app is named by a token, and naming it in the key policy would be a dependency
   * cycle (key, distribution, bucket, key), so the key policy then allows the account's distributions
   * and the bucket policy alone decides which one reads.
   */
  public static cloudFrontOriginAccessControl(options: CloudFrontOriginAccessControlOptions): ServiceIntegration {
    return new ServiceIntegration(AWS_SERVICES.cloudFrontOac, (t) => {
        const account = Stack.of(options.distribution).account;
        const arnOf = (id: string) => `arn:${Aws.PARTITION}:cloudfront::${account}:distribution/${id}`;
        const id = options.distribution.distributionId;
        const inputs = {
          bucketArn: t.bucketArn,
          distributionArn: arnOf(id),
          keyPolicyDistributionArn: Token.isUnresolved(id) ? arnOf('*') : arnOf(id),
          allowWrites: options.allowWrites ?? false,
          sidSuffix: t.nextSidSuffix(),
        };
        t.addBucketStatements(originAccessControlBucketStatements(inputs));
        if (t.encryption.usesKms) t.addKeyStatements(AWS_SERVICES.cloudFrontOac.name, originAccessControlKeyStatements(inputs));
      });
  }

  /**
   * A CloudFront distribution reading through a legacy origin access identity. AWS: "OAI doesn't
   * support ... Amazon S3 server-side encryption with AWS KMS (SSE-KMS)", so the bucket must be SSE-S3;
   * use origin access control for KMS buckets.
   */
  public static cloudFrontOriginAccessIdentity(options: CloudFrontOriginAccessIdentityOptions): ServiceIntegration {
    return new ServiceIntegration(AWS_SERVICES.cloudFrontOai, (t) => {
        t.addBucketStatements([originAccessIdentityBucketStatement(t.bucketArn, options.originAccessIdentity.grantPrincipal, t.nextSidSuffix())]);
      }, 'read it through origin access control instead (ServiceIntegration.cloudFrontOriginAccessControl), which supports SSE-KMS');
  }

  /**
   * S3 Inventory (and S3 analytics export) reports of a source bucket. For SSE-KMS buckets set the
   * inventory's destination encryption to SSE-KMS with the bucket key's ARN: AWS notes that reports
   * written under the default encryption without a key ARN cannot be read.
   */
  public static s3Inventory(options: S3InventoryIntegrationOptions): ServiceIntegration {
    return new ServiceIntegration(AWS_SERVICES.s3Service, (t) => {
      const inputs = {
        bucketArn: t.bucketArn,
        sourceBucketArn: options.sourceBucket.bucketArn,
        sourceAccount: options.sourceAccount ?? t.stack.account,
        prefix: options.prefix,
        sidSuffix: t.nextSidSuffix(),
      };
      t.addBucketStatements(inventoryBucketStatements(inputs));
      if (t.encryption.usesKms) t.addKeyStatements(AWS_SERVICES.s3Service.name, inventoryKeyStatements(inputs));
    });
  }

  /** S3 Storage Lens metrics exports of one dashboard. For SSE-KMS buckets set the export's encryption to the bucket key's ARN. */
  public static storageLens(options: StorageLensIntegrationOptions): ServiceIntegration {
    return new ServiceIntegration(AWS_SERVICES.storageLens, (t) => {
      const account = options.account ?? t.stack.account;
      const inputs = {
        bucketArn: t.bucketArn,
        dashboardArn: `arn:${Aws.PARTITION}:s3:${options.region ?? t.stack.region}:${account}:storage-lens/${options.configurationId}`,
        account,
        exportOwner: options.organizationId ?? account,
        prefix: options.prefix,
        sidSuffix: t.nextSidSuffix(),
      };
      t.addBucketStatements(storageLensBucketStatements(inputs));
      if (t.encryption.usesKms) t.addKeyStatements(AWS_SERVICES.storageLens.name, storageLensKeyStatements(inputs));
    });
  }

  /**
   * S3 Batch Operations completion reports, written by the job's role (`grantee`) under the prefix.
   * AWS: "Completion reports are always encrypted with Amazon S3 managed keys (SSE-S3)", so the bucket
   * must be SSE-S3 (a KMS bucket's policy refuses SSE-S3 writes).
   */
  public static batchOperationsReports(options: RoleIntegrationOptions): ServiceIntegration {
    return new ServiceIntegration(AWS_SERVICES.batchOperationsReports, (t) => {
      t.grantObjects(options.grantee, `${prefixPath(options.prefix)}*`, false, true);
    });
  }

  /**
   * Amazon Athena query results, written and read by the querying principal (`grantee`). Configure
   * the workgroup's result encryption as SSE_KMS with the bucket key's ARN (SSE-KMS buckets) or SSE_S3
   * (SSE-S3 buckets); for DSSE-KMS buckets leave result encryption unset so the bucket default applies.
   */
  public static athenaQueryResults(options: RoleIntegrationOptions): ServiceIntegration {
    return ServiceIntegration.roleWriter(AWS_SERVICES.athenaQueryResults, options, true);
  }

  /**
   * Amazon Data Firehose delivery, as the stream's delivery role (`grantee`). Use `NoEncryption` (the
   * bucket default applies) or `KMSEncryptionConfig` with the bucket key's ARN.
   */
  public static firehoseDelivery(options: RoleIntegrationOptions): ServiceIntegration {
    return ServiceIntegration.roleWriter(AWS_SERVICES.firehose, options, true);
  }

  /**
   * S3 server access logs of a source bucket. AWS: "The destination bucket must use Amazon S3
   * managed keys (SSE-S3). If the destination bucket uses SSE-KMS, Amazon S3 might deliver log objects
   * that are encrypted with a key that you can't access." `EncryptedBucket`'s `serverAccessLogsBucket`
   * adds this integration to its log bucket.
   */
  public static serverAccessLogs(options: ServerAccessLogsIntegrationOptions): ServiceIntegration {
    return new ServiceIntegration(AWS_SERVICES.s3ServerAccessLogs, (t) => {
      t.addBucketStatements([allowServerAccessLogDeliveryStatement(t.bucketArn, options.prefix, options.sourceBucket.bucketArn,
        options.sourceAccount ?? t.stack.account, t.nextSidSuffix())]);
    });
  }

  private static vendedLogs(
    facts: AwsServiceFacts,
    sidName: string,
    options: LogDeliveryIntegrationOptions,
    sourceArn: (account: string, region: string) => string,
  ): ServiceIntegration {
    return new ServiceIntegration(facts, (t) => {
      const accounts = options.sourceAccounts ?? [t.stack.account];
      const inputs: VendedLogStatementInputs = {
        bucketArn: t.bucketArn,
        accounts,
        sourceArns: accounts.map((a) => sourceArn(a, t.stack.region)),
        objectArns: accounts.map((a) => `${t.bucketArn}/${prefixPath(options.prefix)}AWSLogs/${a}/*`),
        name: sidName,
        sidSuffix: t.nextSidSuffix(),
      };
      t.addBucketStatements(vendedLogBucketStatements(inputs));
      if (t.encryption.usesKms) t.addKeyStatements(facts.name, vendedLogKeyStatements(inputs));
    });
  }

  private static roleWriter(facts: AwsServiceFacts, options: RoleIntegrationOptions, read: boolean): ServiceIntegration {
    return new ServiceIntegration(facts, (t) => {
      t.grantObjects(options.grantee, `${prefixPath(options.prefix)}*`, read, true);
    });
  }

  /** The service, as named in messages. */
  public readonly serviceName: string;
  /** The bucket encryption modes the service supports. */
  public readonly supportedEncryption: BucketEncryptionMode[];
  /** The AWS page the integration's statements follow. */
  public readonly documentation: string;

  private readonly bind: Bind;
  private readonly unsupportedFix?: string;

  private constructor(facts: AwsServiceFacts, bind: Bind, unsupportedFix?: string) {
    this.serviceName = facts.name;
    this.supportedEncryption = ALL_MODES.filter((m) => facts.supportedAlgorithms.includes(m.sseAlgorithm));
    this.documentation = facts.doc.url;
    this.bind = bind;
    this.unsupportedFix = unsupportedFix;
  }

  /**
   * Applies the integration to a bucket: checks that the service can use the bucket's encryption,
   * then adds its statements. Called by `EncryptedBucket.addServiceIntegration`.
   * @internal
   */
  public _applyTo(target: IServiceIntegrationTarget): void {
    if (!this.supportedEncryption.includes(target.encryption)) {
      const supported = this.supportedEncryption.map((m) => m.name).join(' or ');
      throw integrationError(target.path, this.serviceName,
        `${this.serviceName} cannot write or read objects of a ${target.encryption.name} bucket: AWS documents ${supported} only (${this.documentation}).`,
        this.unsupportedFix ?? `use a separate EncryptedBucket with encryption: BucketEncryptionMode.${this.supportedEncryption[this.supportedEncryption.length - 1].name} for ${this.serviceName}.`);
    }
    this.bind(target);
  }
}

/** The synth error of an integration that cannot be added: names the bucket, the service and the fix. */
function integrationError(path: string, service: string, problem: string, fix: string): ConstructPropError {
  return new ConstructPropError(path, `addServiceIntegration(${service})`, problem, fix);
}
