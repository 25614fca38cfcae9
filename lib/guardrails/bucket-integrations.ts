import { type CfnResource } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { PLACEHOLDER_CLOSE, PLACEHOLDER_OPEN, iamPatternMatches, renderCfnString } from './cfn-expression';
import { arrayOf, field, pathOf } from './json';
import { type NormalizedStatement } from './policy-statement-match';
import { type IndexedResource, SERVICE_CFN_TYPES, type TemplateIndex } from './template-index';
import { AWS_SERVICES, type AwsDoc, type AwsServiceFacts } from '../private/aws-service-facts';
import { S3_LOG_DELIVERY_PRINCIPAL } from '../private/s3-log-delivery';

export { AWS_SERVICES, type AwsDoc, type AwsServiceFacts } from '../private/aws-service-facts';

/**
 * Which AWS services write to or read from a bucket, found in the app's templates, and what AWS
 * documents about the encryption each one can use. Remediation and the rules decide from this what
 * may change on a bucket without breaking a working integration.
 */


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
