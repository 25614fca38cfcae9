import { type CfnResource } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { PLACEHOLDER_CLOSE, PLACEHOLDER_OPEN, iamPatternMatches, renderCfnString } from './cfn-expression';
import { arrayOf, field, pathOf } from './json';
import { type NormalizedStatement } from './policy-statement-match';
import { type IndexedResource, SERVICE_CFN_TYPES, type TemplateIndex } from './template-index';
import { S3_LOG_DELIVERY_PRINCIPAL } from '../private/s3-log-delivery';

/**
 * Which AWS services write to or read from a bucket, found in the app's templates, and what AWS
 * documents about the encryption each one can use. Remediation and the rules decide from this what
 * may change on a bucket without breaking a working integration.
 */

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

const SSE_S3 = ['AES256'];
const SSE_S3_OR_KMS = ['AES256', 'aws:kms'];

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
} as const satisfies Record<string, AwsServiceFacts>;

/** The facts assumed about a service principal nobody documented for us: the most careful ones. */
function unknownService(principal: string, writes: boolean): AwsServiceFacts {
  return {
    id: `SERVICE:${principal}`, name: `the AWS service ${principal}`, writes, supportedAlgorithms: [], choosesOwnEncryption: true,
    fact: 'which encryption it supports and which encryption headers it sends are not known to the guardrails',
    doc: { title: 'Policies and permissions in Amazon S3', url: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-policy-language-overview.html' },
  };
}

const SERVICE_PRINCIPALS: Readonly<Record<string, AwsServiceFacts>> = {
  [S3_LOG_DELIVERY_PRINCIPAL]: AWS_SERVICES.s3ServerAccessLogs,
  'logdelivery.elasticloadbalancing.amazonaws.com': AWS_SERVICES.elbAccessLogs,
  'delivery.logs.amazonaws.com': AWS_SERVICES.vendedLogs,
  'cloudtrail.amazonaws.com': AWS_SERVICES.cloudTrail,
  'cloudfront.amazonaws.com': AWS_SERVICES.cloudFrontOac,
  'config.amazonaws.com': AWS_SERVICES.config,
  's3.amazonaws.com': AWS_SERVICES.s3Service,
  'storage-lens.s3.amazonaws.com': AWS_SERVICES.storageLens,
};

/** One use of a bucket by an AWS service. */
export interface BucketIntegration {
  readonly service: AwsServiceFacts;
  /** Where it was found: a resource path, or the bucket-policy statement. */
  readonly evidence: string;
  /** The resource that configures it (trail, flow log, load balancer, distribution, source bucket). */
  readonly source?: IndexedResource;
  /** Whether it writes to the bucket (a reader that is granted write actions counts as a writer). */
  readonly writes: boolean;
}

/** Actions that put objects into a bucket (what a writer's Allow grants). */
const WRITE_ACTION = 's3:putobject';

/** The AWS accounts Elastic Load Balancing writes legacy access logs from, one per older Region (aws-cdk-lib's region facts). */
const ELB_LOG_ACCOUNTS: ReadonlySet<string> = new Set(RegionInfo.regions.map((r) => r.elbv2Account).filter((a): a is string => a !== undefined));

const OAI_ARN = /^arn:aws:iam::cloudfront:user\/CloudFront Origin Access Identity /;

/** Log-delivery services: what `S3LogTargetEncryption` checks. */
export const LOG_DELIVERY_SERVICES: readonly AwsServiceFacts[] = [
  AWS_SERVICES.s3ServerAccessLogs, AWS_SERVICES.elbAccessLogs, AWS_SERVICES.nlbAccessLogs, AWS_SERVICES.cloudFrontStandardLogs,
  AWS_SERVICES.vpcFlowLogs, AWS_SERVICES.vendedLogs,
];

/** Whether the service documents SSE-S3 as the only encryption of the bucket it uses. */
export function supportsOnlySseS3(service: AwsServiceFacts): boolean {
  return service.supportedAlgorithms.length === 1 && service.supportedAlgorithms[0] === 'AES256';
}

/** The log-delivery integrations of a bucket (services that write logs into it). */
export function logDeliveriesTo(bucket: IndexedResource, index: TemplateIndex): readonly BucketIntegration[] {
  return integrationsOf(bucket, index).filter((i) => i.writes && LOG_DELIVERY_SERVICES.includes(i.service));
}

/** A short citation: `title (url)`. */
export function cite(doc: AwsDoc): string {
  return `"${doc.title}" (${doc.url})`;
}

/** Every AWS service integration of `bucket` the app shows, deduplicated by service and evidence. */
export function integrationsOf(bucket: IndexedResource, index: TemplateIndex): readonly BucketIntegration[] {
  const fromResources = index.memo('integrationsByBucket', () => linkServiceResources(index)).get(bucket.construct) ?? [];
  const out: BucketIntegration[] = [...fromResources];
  for (const source of index.logSourcesOf(bucket)) {
    out.push({ service: AWS_SERVICES.s3ServerAccessLogs, evidence: `LoggingConfiguration of ${source.construct.node.path}`, source, writes: true });
  }
  const acl = renderCfnString(bucket.properties.AccessControl, bucket.ctx);
  if (acl === 'LogDeliveryWrite') {
    out.push({ service: AWS_SERVICES.s3ServerAccessLogs, evidence: 'AccessControl LogDeliveryWrite (ACL-based log delivery)', writes: true });
  }
  for (const policy of index.policiesOf(bucket)) {
    for (const statement of index.statementsOf(policy)) out.push(...integrationsInStatement(statement, index));
  }
  const seen = new Set<string>();
  return out.filter((i) => {
    const key = `${i.service.id}|${i.evidence}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The services an Allow statement of the bucket policy lets in. */
function integrationsInStatement(statement: NormalizedStatement, index: TemplateIndex): BucketIntegration[] {
  if (statement.effect !== 'Allow') return [];
  const writes = grantsWrite(statement);
  const where = `bucket policy statement ${statement.sid ?? '(no Sid)'}`;
  const out: BucketIntegration[] = [];
  for (const principal of statement.servicePrincipals) {
    const service = SERVICE_PRINCIPALS[principal] ?? unknownService(principal, writes);
    out.push({ service, evidence: `${where} (${principal})`, writes });
  }
  for (const principal of statement.awsPrincipals) {
    const account = /^arn:aws:iam::(\d{12}):root$/.exec(principal)?.[1] ?? (/^\d{12}$/.test(principal) ? principal : undefined);
    if (account && ELB_LOG_ACCOUNTS.has(account)) {
      out.push({ service: AWS_SERVICES.elbAccessLogs, evidence: `${where} (Elastic Load Balancing account ${account})`, writes });
    } else if (OAI_ARN.test(principal) || index.typeOfReference(principal) === SERVICE_CFN_TYPES.originAccessIdentity) {
      out.push({ service: AWS_SERVICES.cloudFrontOai, evidence: `${where} (${principal})`, writes });
    }
  }
  for (const user of statement.canonicalUsers) {
    const oai = index.typeOfReference(user) === SERVICE_CFN_TYPES.originAccessIdentity;
    out.push({ service: oai ? AWS_SERVICES.cloudFrontOai : AWS_SERVICES.canonicalUser, evidence: `${where} (CanonicalUser ${user})`, writes });
  }
  return out;
}

/** Whether some Allow statement lets `principal` (a service) put objects. */
export function allowsServiceWrite(statements: readonly NormalizedStatement[], principal: string): boolean {
  return statements.some((s) => s.effect === 'Allow' && s.servicePrincipals.includes(principal) && grantsWrite(s));
}

function grantsWrite(statement: NormalizedStatement): boolean {
  if (statement.actions) return statement.actions.some((pattern) => iamPatternMatches(pattern, WRITE_ACTION, false));
  return statement.notActions !== undefined && !statement.notActions.some((pattern) => iamPatternMatches(pattern, WRITE_ACTION, false));
}

/** Buckets named by trails, flow logs, load balancers and distributions, with the service each one is. */
function linkServiceResources(index: TemplateIndex): Map<CfnResource, BucketIntegration[]> {
  const links = new Map<CfnResource, BucketIntegration[]>();
  const link = (bucket: IndexedResource | undefined, integration: BucketIntegration) => {
    if (!bucket) return;
    links.set(bucket.construct, [...(links.get(bucket.construct) ?? []), integration]);
  };
  const byName = (value: unknown, ctx: IndexedResource['ctx']) => {
    const name = renderCfnString(value, ctx);
    return name === undefined ? undefined : index.findBucket(name);
  };
  for (const construct of index.of(SERVICE_CFN_TYPES.trail)) {
    const trail = index.entry(construct);
    link(byName(trail.properties.S3BucketName, trail.ctx), { service: AWS_SERVICES.cloudTrail, evidence: `AWS::CloudTrail::Trail ${construct.node.path}`, source: trail, writes: true });
  }
  for (const construct of index.of(SERVICE_CFN_TYPES.flowLog)) {
    const flowLog = index.entry(construct);
    if (renderCfnString(flowLog.properties.LogDestinationType, flowLog.ctx) !== 's3') continue;
    const destination = renderCfnString(flowLog.properties.LogDestination, flowLog.ctx);
    const arn = destination === undefined ? undefined : bucketArnOfDestination(destination);
    link(arn === undefined ? undefined : index.findBucket(arn), {
      service: AWS_SERVICES.vpcFlowLogs, evidence: `AWS::EC2::FlowLog ${construct.node.path}`, source: flowLog, writes: true,
    });
  }
  for (const construct of index.of(SERVICE_CFN_TYPES.loadBalancerV2)) {
    const lb = index.entry(construct);
    const type = renderCfnString(lb.properties.Type, lb.ctx) ?? 'application';
    const service = type === 'network' ? AWS_SERVICES.nlbAccessLogs : AWS_SERVICES.elbAccessLogs;
    for (const attribute of arrayOf(lb.properties.LoadBalancerAttributes)) {
      const key = renderCfnString(field(attribute, 'Key'), lb.ctx);
      if (!key || !/^(access_logs|connection_logs|health_check_logs)\.s3\.bucket$/.test(key)) continue;
      link(byName(field(attribute, 'Value'), lb.ctx), { service, evidence: `${key} of AWS::ElasticLoadBalancingV2::LoadBalancer ${construct.node.path}`, source: lb, writes: true });
    }
  }
  for (const construct of index.of(SERVICE_CFN_TYPES.classicLoadBalancer)) {
    const lb = index.entry(construct);
    link(byName(pathOf(lb.properties, 'AccessLoggingPolicy', 'S3BucketName'), lb.ctx), {
      service: AWS_SERVICES.elbAccessLogs, evidence: `AccessLoggingPolicy of AWS::ElasticLoadBalancing::LoadBalancer ${construct.node.path}`, source: lb, writes: true,
    });
  }
  for (const construct of index.of(SERVICE_CFN_TYPES.distribution)) {
    const distribution = index.entry(construct);
    const config = distribution.properties.DistributionConfig;
    const byDomain = (value: unknown) => {
      const domain = renderCfnString(value, distribution.ctx);
      return domain === undefined ? undefined : index.findBucketByDomainName(domain);
    };
    const path = construct.node.path;
    link(byDomain(pathOf(config, 'Logging', 'Bucket')), {
      service: AWS_SERVICES.cloudFrontStandardLogs, evidence: `Logging of AWS::CloudFront::Distribution ${path}`, source: distribution, writes: true,
    });
    for (const origin of arrayOf(field(config, 'Origins'))) {
      const oai = renderCfnString(pathOf(origin, 'S3OriginConfig', 'OriginAccessIdentity'), distribution.ctx);
      const oac = field(origin, 'OriginAccessControlId');
      if (oai) link(byDomain(field(origin, 'DomainName')), { service: AWS_SERVICES.cloudFrontOai, evidence: `origin of AWS::CloudFront::Distribution ${path}`, source: distribution, writes: false });
      else if (oac !== undefined) link(byDomain(field(origin, 'DomainName')), { service: AWS_SERVICES.cloudFrontOac, evidence: `origin of AWS::CloudFront::Distribution ${path}`, source: distribution, writes: false });
    }
  }
  return links;
}

/** `arn:aws:s3:::bucket` of a log destination `arn:aws:s3:::bucket[/prefix]` (bucket ARNs have no `/`). */
function bucketArnOfDestination(destination: string): string {
  if (destination.startsWith(PLACEHOLDER_OPEN)) {
    const end = destination.indexOf(PLACEHOLDER_CLOSE);
    return end < 0 ? destination : destination.slice(0, end + PLACEHOLDER_CLOSE.length);
  }
  const slash = destination.indexOf('/');
  return slash < 0 ? destination : destination.slice(0, slash);
}

/** The key prefix of a flow log's S3 destination (`arn/prefix/` gives `prefix/`), '' when none. */
export function flowLogKeyPrefix(flowLog: IndexedResource): string | undefined {
  const destination = renderCfnString(flowLog.properties.LogDestination, flowLog.ctx);
  if (destination === undefined) return undefined;
  const tail = destination.slice(bucketArnOfDestination(destination).length).replace(/^\//, '');
  return tail === '' || tail.endsWith('/') ? tail : `${tail}/`;
}
