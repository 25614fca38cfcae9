import { Annotations, CfnResource, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { type IConstruct } from 'constructs';
import { BucketEncryptionMode } from '../bucket-encryption-mode';
import { EncryptedBucket } from '../encrypted-bucket';
import {
  denyInsecureTransportStatement,
  denyKmsWithoutKeyIdStatement,
  denyOtherEncryptionAlgorithmsStatement,
  denyOtherKmsKeysStatement,
  denyOutdatedTlsStatement,
} from '../private/encrypted-bucket-policy-statements';
import { DENY_GRANTS_NOT_FOR_AWS_RESOURCES_SID, denyGrantsNotForAwsResourcesStatement } from '../private/kms-key-policy-statements';
import { KmsKeyWithRotation } from '../kms-key-with-rotation';
import { isAcknowledged } from './acknowledgements';
import { asBoolean, defaultEncryptionOf, isAwsManagedS3Key } from './bucket-encryption-facts';
import {
  AWS_SERVICES, type AwsServiceFacts, type BucketIntegration, allowsServiceWrite, cite, flowLogKeyPrefix, integrationsOf, supportsOnlySseS3,
} from './bucket-integrations';
import { policySubjectOf } from './bucket-policy-subject';
import { PLACEHOLDER_CLOSE, PLACEHOLDER_OPEN, renderCfnString } from './cfn-expression';
import { type JsonObject, arrayOf, isJsonObject, pathOf } from './json';
import { type NormalizedStatement } from './policy-statement-match';
import {
  algorithmHeaderRequirement, anyCovers, kmsKeyHeaderRequirement, kmsKeyIdPresentRequirement, minimumTlsRequirement, tlsOnlyRequirement,
} from './required-statements';
import { type RuleContext } from './rule';
import { annotateRuleExceptions, evaluateRules, fullRuleId, ruleContext } from './rule-evaluation';
import {
  KmsKeyGrantsForAwsResourcesOnly, KmsKeyRotationEnabled, S3BucketDefaultEncryption, S3BucketEncryptionHeaders, S3BucketKeyEnabled, S3BucketMinimumTls, S3BucketSseCBlocked, S3BucketTlsOnly,
  S3LogTargetEncryption, S3ReplicaKmsEncrypted,
} from './rules';
import { type IndexedResource, TemplateIndex, replicationRules } from './template-index';

/** One default-encryption rule of a `CfnBucket`, as written in the L1 (camelCase), with nothing a token. */
type EncryptionRule = {
  -readonly [K in keyof s3.CfnBucket.ServerSideEncryptionRuleProperty]: s3.CfnBucket.ServerSideEncryptionRuleProperty[K];
};

/** What remediation aims for. */
export interface RemediationOptions {
  /** The default encryption a bucket below the minimum is moved to. */
  readonly minimumEncryption: BucketEncryptionMode;
  /** The minimum TLS version of the statement added when a bucket has none. */
  readonly minimumTlsVersion: number;
}

/** Rule ids of cdk-nag's public-access rules: acknowledging one means "this bucket is public on purpose". */
const PUBLIC_ACCESS_ACKNOWLEDGEMENTS = [
  'AwsSolutions-S2',
  ...['HIPAA.Security', 'NIST.800.53.R4', 'NIST.800.53.R5', 'PCI.DSS.321'].flatMap((pack) => [
    `${pack}-S3BucketLevelPublicAccessProhibited`, `${pack}-S3BucketPublicReadProhibited`, `${pack}-S3BucketPublicWriteProhibited`,
  ]),
];

const PUBLIC_ACLS = ['PublicRead', 'PublicReadWrite', 'AuthenticatedRead'];

/**
 * Fixes plain `s3.Bucket`s and `CfnBucket`s in place, only in ways that cannot weaken a setting or
 * break a working bucket: it adds what is missing (default encryption under a new rotating key,
 * Bucket Keys, the SSE-C block, policy statements, public-access blocks) and never replaces what a
 * user chose (an existing key, DSSE-KMS, a stricter TLS minimum, an explicit SSE-C opt-in or
 * Bucket Keys off). Whatever it leaves alone it records with the reason.
 */
export class BucketRemediator {
  private index?: TemplateIndex;
  private readonly notes = new Map<CfnResource, Map<string, string>>();

  constructor(private readonly root: IConstruct, private readonly options: RemediationOptions) {}

  /** Why findings of `resource` were left alone, by full rule id. */
  public notesFor(resource: CfnResource): ReadonlyMap<string, string> | undefined {
    return this.notes.get(resource);
  }

  /** Remediates one bucket. Buckets of `EncryptedBucket` are left to its own validation. */
  public remediate(cfn: s3.CfnBucket): void {
    const l2 = owningBucket(cfn);
    const index = (this.index ??= new TemplateIndex(this.root));
    index.add(cfn);
    index.refresh(cfn);
    const context = ruleContext(index, this.options.minimumEncryption);
    if (l2 && EncryptedBucket.of(l2)) {
      annotateRuleExceptions(cfn, context);
      return;
    }
    const run = new BucketRemediation(cfn, l2, index, context, this.options, (ruleId, reason, resource) => this.note(resource ?? cfn, ruleId, reason));
    run.apply();
  }

  private note(resource: CfnResource, ruleId: string, reason: string): void {
    const notes = this.notes.get(resource) ?? new Map<string, string>();
    notes.set(ruleId, reason);
    this.notes.set(resource, notes);
  }
}

/** CloudFormation types whose ARN, in a policy principal, names a principal of this app's account. */
const IAM_PRINCIPAL_TYPES: ReadonlySet<string> = new Set(['AWS::IAM::Role', 'AWS::IAM::User']);

/** The service principal of CloudWatch Logs vended log delivery (VPC Flow Logs among others). */
const VENDED_LOG_DELIVERY_PRINCIPAL = 'delivery.logs.amazonaws.com';

/** One bucket's remediation. */
class BucketRemediation {
  private readonly changes: string[] = [];
  private newKey?: kms.IKey;
  /** The AWS services that use the bucket, read before anything changes. */
  private integrations: readonly BucketIntegration[] = [];
  /** What was kept or done for each service, for its annotation. */
  private readonly decisions = new Map<AwsServiceFacts, string[]>();

  constructor(
    private readonly cfn: s3.CfnBucket,
    private readonly l2: s3.Bucket | undefined,
    private readonly index: TemplateIndex,
    private readonly context: RuleContext,
    private readonly options: RemediationOptions,
    private readonly leftAlone: (ruleId: string, reason: string, resource?: CfnResource) => void,
  ) {}

  public apply(): void {
    this.integrations = integrationsOf(this.entry(), this.index);
    const failing = this.failingRules();
    // A new default encryption changes what Bucket Keys and the header policy must be: re-check.
    const now = failing.has(fullRuleId(S3BucketDefaultEncryption)) && this.fixDefaultEncryption() ? this.failingRules() : failing;
    if (now.has(fullRuleId(S3BucketKeyEnabled))) this.fixBucketKeys();
    if (now.has(fullRuleId(S3BucketSseCBlocked))) this.fixSseC();
    this.fixPublicAccess();
    this.fixPolicies(now);
    this.fixOwnKey();
    for (const rule of [S3ReplicaKmsEncrypted, S3LogTargetEncryption]) {
      if (failing.has(fullRuleId(rule))) {
        this.leftAlone(fullRuleId(rule), rule === S3ReplicaKmsEncrypted
          ? 'replication is not changed automatically: replica keys live in the destination Region and the replication role needs matching KMS permissions.'
          : 'the log bucket\'s KMS encryption is not moved back to SSE-S3 automatically: objects already written keep their key, and their readers depend on it. '
            + 'Set SSEAlgorithm AES256 (what the log service supports).');
      }
    }
    if (this.changes.length > 0) {
      Annotations.of(this.cfn).addInfo(`EncryptionGuardrails remediated this bucket: ${this.changes.join('; ')}.`);
    }
    this.annotateIntegrations();
    this.index.refresh(this.cfn);
    annotateRuleExceptions(this.cfn, this.context);
  }

  /** Records, for the annotation of each service in `services`, what was kept or done because of it. */
  private decide(services: readonly AwsServiceFacts[], decision: string): void {
    for (const service of new Set(services)) this.decisions.set(service, [...(this.decisions.get(service) ?? []), decision]);
  }

  /** One Info annotation per service that uses the bucket: where it was found, what was kept or done, and the AWS page why. */
  private annotateIntegrations(): void {
    const byService = new Map<AwsServiceFacts, string[]>();
    for (const i of this.integrations) byService.set(i.service, [...(byService.get(i.service) ?? []), i.source ? i.source.construct.node.path : i.evidence]);
    for (const [service, evidence] of byService) {
      const decisions = this.decisions.get(service) ?? ['nothing it depends on was changed'];
      Annotations.of(this.cfn).addInfo(`EncryptionGuardrails: ${service.name} uses this bucket (${[...new Set(evidence)].join('; ')}). `
        + `${capitalize(decisions.join('; '))}. AWS: ${service.fact} (${cite(service.doc)}).`);
    }
  }

  /** Integrations matching `filter`, and their services. */
  private servicesWhere(filter: (i: BucketIntegration) => boolean): AwsServiceFacts[] {
    return [...new Set(this.integrations.filter(filter).map((i) => i.service))];
  }

  /** Full ids of the rules this bucket fails and that are not acknowledged on it. */
  private failingRules(): Set<string> {
    this.index.refresh(this.cfn);
    for (const policy of this.index.policiesOf(this.entry())) this.index.refresh(policy.construct);
    return new Set(evaluateRules(this.cfn, this.context)
      .filter((f) => f.problems !== undefined && f.problems.length > 0)
      .map((f) => fullRuleId(f.rule))
      .filter((id) => !isAcknowledged(this.cfn, id)));
  }

  private entry(): IndexedResource {
    return this.index.entry(this.cfn);
  }

  /** Sets the default encryption; false when it was left alone. */
  private fixDefaultEncryption(): boolean {
    const ruleId = fullRuleId(S3BucketDefaultEncryption);
    const leave = (reason: string) => { this.leftAlone(ruleId, reason); return false; };
    const rules = editableEncryptionRules(this.cfn);
    if (!rules) return leave('BucketEncryption is set through a token or override, so it cannot be changed safely.');
    const facts = defaultEncryptionOf(this.entry());
    const target = this.options.minimumEncryption;
    if (facts.sseAlgorithm !== undefined && facts.sseAlgorithm !== 'AES256') {
      return leave(`the bucket already uses ${facts.sseAlgorithm}; moving it to ${target.sseAlgorithm} changes its cost and key usage and is left to you.`);
    }
    // Services that can only use SSE-S3 here keep it; stating it explicitly changes nothing S3 does.
    const sseS3Only = this.servicesWhere((i) => supportsOnlySseS3(i.service) || i.service === AWS_SERVICES.cloudFrontStandardLogs);
    if (target.usesKms && sseS3Only.length > 0) {
      const names = sseS3Only.map((service) => service.name).join(', ');
      this.decide(sseS3Only, `default encryption kept at SSE-S3${facts.sseAlgorithm === undefined ? ' (now written explicitly)' : ''}, not moved to ${target.name}`);
      if (facts.sseAlgorithm === undefined) this.writeDefaultEncryption(rules, BucketEncryptionMode.SSE_S3, undefined);
      leave(`${names} use${sseS3Only.length === 1 ? 's' : ''} this bucket and ${sseS3Only.length === 1 ? 'supports' : 'support'} only SSE-S3 here `
        + `(${sseS3Only.map((service) => cite(service.doc)).join('; ')}).`);
      return facts.sseAlgorithm === undefined;
    }
    let key: kms.IKey | undefined;
    if (target.usesKms) {
      const unsafe = this.whyKmsWouldBreakReaders();
      if (unsafe) return leave(`${unsafe} Switching it to a new KMS key would break them.`);
      const scope = this.l2 ?? this.cfn.node.scope!;
      const id = this.l2 ? 'GuardrailsKey' : `${this.cfn.node.id}GuardrailsKey`;
      key = (scope.node.tryFindChild(id) as kms.IKey | undefined) ?? new KmsKeyWithRotation(scope, id, {
        description: `Default encryption key of ${this.cfn.node.path}, added by EncryptionGuardrails`,
        allowUseThroughS3: true,
      });
      const cfnKey = key.node.defaultChild;
      if (CfnResource.isCfnResource(cfnKey)) this.index.add(cfnKey);
      this.newKey = key;
    }
    this.writeDefaultEncryption(rules, target, key);
    return true;
  }

  private writeDefaultEncryption(rules: EncryptionRule[], target: BucketEncryptionMode, key: kms.IKey | undefined): void {
    const byDefault: s3.CfnBucket.ServerSideEncryptionByDefaultProperty = {
      sseAlgorithm: target.sseAlgorithm,
      kmsMasterKeyId: key?.keyArn,
    };
    const at = rules.findIndex((r) => r.serverSideEncryptionByDefault !== undefined);
    const rule = at >= 0 ? rules[at] : rules[0] ?? {};
    const updated: EncryptionRule = { ...rule, serverSideEncryptionByDefault: byDefault };
    if (target === BucketEncryptionMode.SSE_KMS) updated.bucketKeyEnabled = true;
    if (target !== BucketEncryptionMode.SSE_KMS) delete updated.bucketKeyEnabled;
    rules[at >= 0 ? at : 0] = updated;
    this.writeEncryptionRules(rules);
    this.changes.push(key
      ? `default encryption ${target.name} under new rotating key ${key.node.path} (usable through S3 by principals of this account${target === BucketEncryptionMode.SSE_KMS ? ', with S3 Bucket Keys' : ''})`
      : `default encryption ${target.name}`);
  }

  /**
   * The key aws-cdk-lib created for this bucket alone (`encryption: KMS/DSSE` without a key) is
   * the bucket's, so it is fixed too: rotation on (old material stays for decryption) and grants
   * limited to AWS services (S3 uses none). Any other key may be shared and is left alone.
   */
  private fixOwnKey(): void {
    const key = this.l2?.encryptionKey;
    const cfnKey = key?.node.defaultChild;
    if (!key || key.node.scope !== this.l2 || !(cfnKey instanceof kms.CfnKey)) return;
    this.index.add(cfnKey);
    this.index.refresh(cfnKey);
    const failing = new Set(evaluateRules(cfnKey, this.context)
      .filter((f) => f.problems !== undefined && f.problems.length > 0 && !isAcknowledged(cfnKey, fullRuleId(f.rule)))
      .map((f) => f.rule));
    if (failing.has(KmsKeyRotationEnabled)) {
      if (Token.isUnresolved(cfnKey.enableKeyRotation) || cfnKey.enableKeyRotation === false) {
        this.leftAlone(fullRuleId(KmsKeyRotationEnabled), 'rotation of the bucket\'s key was turned off explicitly.', cfnKey);
      } else {
        cfnKey.enableKeyRotation = true;
        this.changes.push(`rotation on for its key ${key.node.path}`);
      }
    }
    if (failing.has(KmsKeyGrantsForAwsResourcesOnly)) {
      key.addToResourcePolicy(denyGrantsNotForAwsResourcesStatement());
      this.changes.push(`grants on its key limited to AWS services (${DENY_GRANTS_NOT_FOR_AWS_RESOURCES_SID})`);
    }
    this.index.refresh(cfnKey);
  }

  private fixBucketKeys(): void {
    const ruleId = fullRuleId(S3BucketKeyEnabled);
    const rules = editableEncryptionRules(this.cfn);
    if (!rules) return this.leftAlone(ruleId, 'BucketEncryption is set through a token or override, so it cannot be changed safely.');
    const facts = defaultEncryptionOf(this.entry());
    if (facts.bucketKeyEnabled === false) {
      return this.leftAlone(ruleId, 'Bucket Keys were turned off explicitly; turning them on changes the KMS encryption context from the object ARN to the bucket ARN, which breaks policies that depend on it.');
    }
    const writers = this.servicesWhere(isServiceWriter);
    if (writers.length > 0) {
      this.decide(writers, 'S3 Bucket Keys left off');
      return this.leftAlone(ruleId, `AWS services write to it (${writers.map((w) => w.name).join(', ')}), and turning Bucket Keys on changes the KMS encryption context `
        + 'from the object ARN to the bucket ARN, which key-policy statements for them may depend on ("Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys", '
        + 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html).');
    }
    const at = rules.findIndex((r) => r.serverSideEncryptionByDefault !== undefined);
    if (at < 0) return;
    rules[at] = { ...rules[at], bucketKeyEnabled: true };
    this.writeEncryptionRules(rules);
    this.changes.push('S3 Bucket Keys on');
  }

  private fixSseC(): void {
    const ruleId = fullRuleId(S3BucketSseCBlocked);
    const rules = editableEncryptionRules(this.cfn);
    if (!rules) return this.leftAlone(ruleId, 'BucketEncryption is set through a token or override, so it cannot be changed safely.');
    const facts = defaultEncryptionOf(this.entry());
    if (facts.blockedEncryptionTypes?.includes('NONE')) {
      return this.leftAlone(ruleId, 'SSE-C was allowed explicitly (BlockedEncryptionTypes NONE); blocking it would break its users. Deny it to everyone but the custodian roles in the bucket policy (ArnNotEquals aws:PrincipalArn).');
    }
    const at = Math.max(0, rules.findIndex((r) => r.serverSideEncryptionByDefault !== undefined));
    const rule = rules[at] ?? {};
    const blocked = rule.blockedEncryptionTypes;
    if (Tokenization.isResolvable(blocked)) {
      return this.leftAlone(ruleId, 'BlockedEncryptionTypes is set through a token, so it cannot be changed safely.');
    }
    const existing = blocked?.encryptionType;
    if (existing !== undefined && (Token.isUnresolved(existing) || !Array.isArray(existing))) {
      return this.leftAlone(ruleId, 'BlockedEncryptionTypes is set through a token, so it cannot be changed safely.');
    }
    rules[at] = { ...rule, blockedEncryptionTypes: { encryptionType: [...(existing ?? []), 'SSE-C'] } };
    this.writeEncryptionRules(rules);
    this.changes.push('SSE-C blocked (BlockedEncryptionTypes SSE-C)');
  }

  private fixPublicAccess(): void {
    const current = this.cfn.publicAccessBlockConfiguration;
    const all = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
    if (current === undefined) {
      this.cfn.publicAccessBlockConfiguration = all;
      this.changes.push('public access blocked (all four settings)');
      return;
    }
    if (Tokenization.isResolvable(current) || Token.isUnresolved(current)) {
      return this.warnPublicAccess('PublicAccessBlockConfiguration is set through a token.');
    }
    const config = current;
    const open = (Object.keys(all) as (keyof typeof all)[]).filter((k) => config[k] !== true)
      .map((k) => k.charAt(0).toUpperCase() + k.slice(1)); // the CloudFormation names
    if (open.length === 0) return;
    const publicOnPurpose = this.whyPublic();
    if (publicOnPurpose) return this.warnPublicAccess(`${open.join(', ')} ${open.length === 1 ? 'is' : 'are'} off and ${publicOnPurpose}`);
    this.cfn.publicAccessBlockConfiguration = { ...config, ...all };
    this.changes.push(`public access blocked (${open.join(', ')} were off)`);
  }

  private warnPublicAccess(reason: string): void {
    Annotations.of(this.cfn).addWarningV2('s3-encryption-constructs:public-access-not-remediated',
      `EncryptionGuardrails left the public-access block of this bucket alone: ${reason} Block public access, or acknowledge the cdk-nag public-access rules on it.`);
  }

  private fixPolicies(failing: Set<string>): void {
    const arn = this.l2?.bucketArn ?? this.cfn.attrArn;
    const subject = policySubjectOf(this.entry(), this.index)!;
    const want = (ruleId: string, statement: iam.PolicyStatement) => ({ ruleId, statement });
    const wanted: { ruleId: string; statement: iam.PolicyStatement }[] = [];
    if (failing.has(fullRuleId(S3BucketTlsOnly)) && !anyCovers(subject.statements, tlsOnlyRequirement(subject.spellings), this.index)) {
      wanted.push(want(fullRuleId(S3BucketTlsOnly), denyInsecureTransportStatement(arn)));
    }
    if (failing.has(fullRuleId(S3BucketMinimumTls))) {
      const tls = this.minimumTlsForServices();
      if (locksOutTls(subject.statements)) {
        this.leftAlone(fullRuleId(S3BucketMinimumTls), 'a statement requires a TLS version newer than 1.3; removing a user\'s statement is left to you.');
      } else if (!anyCovers(subject.statements, minimumTlsRequirement(subject.spellings, tls), this.index)) {
        wanted.push(want(fullRuleId(S3BucketMinimumTls), denyOutdatedTlsStatement(arn, tls)));
      }
    }
    if (failing.has(fullRuleId(S3BucketEncryptionHeaders))) wanted.push(...this.headerStatements(arn, subject.statements, subject.spellings));
    if (wanted.length === 0) return;
    const taken = new Set(subject.statements.map((s) => s.sid).filter((s): s is string => s !== undefined));
    const delivery = this.flowLogDeliveryStatements(arn, subject.statements);
    const statements = [...wanted.map(({ statement }) => statement), ...delivery.statements].map((statement) => withFreeSid(statement, taken));
    const problem = this.addToPolicy(statements);
    if (problem) {
      for (const { ruleId } of wanted) this.leftAlone(ruleId, problem);
      return;
    }
    this.changes.push(`bucket policy statements added: ${statements.map((s) => s.sid).join(', ')}`);
    if (delivery.statements.length === 0) return;
    const policy = this.index.policiesOf(this.entry())[0]?.construct;
    for (const flowLog of delivery.flowLogs) {
      if (policy && Stack.of(policy) === Stack.of(flowLog)) flowLog.addDependency(policy);
    }
    this.decide([AWS_SERVICES.vpcFlowLogs], `its documented log-delivery statements (${delivery.statements.map((d) => d.sid).join(', ')}) were added with the denies, `
      + 'because creating a flow log replaces a bucket policy that lacks them; the flow log now waits for the policy');
  }

  /**
   * The bucket-policy statements VPC Flow Logs documents ("Amazon S3 bucket permissions for flow
   * logs"), when a flow log of the app writes here and the policy has none: flow log creation
   * otherwise replaces the policy (and the denies added with it) with its own.
   */
  private flowLogDeliveryStatements(arn: string, existing: readonly NormalizedStatement[]): { statements: iam.PolicyStatement[]; flowLogs: CfnResource[] } {
    const flowLogs = this.integrations.filter((i) => i.service === AWS_SERVICES.vpcFlowLogs && i.source).map((i) => i.source!);
    if (flowLogs.length === 0 || allowsServiceWrite(existing, VENDED_LOG_DELIVERY_PRINCIPAL)) return { statements: [], flowLogs: [] };
    const stack = Stack.of(this.cfn);
    const sourceOf = (flowLog: IndexedResource) => ({
      account: flowLog.stack.account,
      sourceArn: stack.formatArn({ service: 'logs', region: flowLog.stack.region, account: flowLog.stack.account, resource: '*' }),
    });
    const principal = new iam.ServicePrincipal(VENDED_LOG_DELIVERY_PRINCIPAL);
    const writes = new Map<string, iam.PolicyStatement>();
    for (const flowLog of flowLogs) {
      const { account, sourceArn } = sourceOf(flowLog);
      const prefix = flowLogKeyPrefix(flowLog);
      const hive = asBoolean(pathOf(flowLog.properties, 'DestinationOptions', 'HiveCompatiblePartitions')) === true;
      const objects = prefix === undefined ? `${arn}/*` : `${arn}/${prefix}AWSLogs/${hive ? 'aws-account-id=' : ''}${account}/*`;
      writes.set(objects, new iam.PolicyStatement({
        sid: 'AWSLogDeliveryWrite',
        principals: [principal],
        actions: ['s3:PutObject'],
        resources: [objects],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account, 's3:x-amz-acl': 'bucket-owner-full-control' },
          ArnLike: { 'aws:SourceArn': sourceArn },
        },
      }));
    }
    const { account, sourceArn } = sourceOf(flowLogs[0]);
    const aclCheck = new iam.PolicyStatement({
      sid: 'AWSLogDeliveryAclCheck',
      principals: [principal],
      actions: ['s3:GetBucketAcl'],
      resources: [arn],
      conditions: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': sourceArn } },
    });
    return { statements: [...writes.values(), aclCheck], flowLogs: flowLogs.map((f) => f.construct) };
  }

  /**
   * The TLS minimum to require: the configured one, but 1.2 where AWS services use the bucket.
   * Every AWS endpoint requires TLS 1.2 at least ("TLS 1.2 to become the minimum TLS protocol
   * level for all AWS API endpoints", AWS Security Blog); that a service calls S3 with TLS 1.3 is
   * documented nowhere.
   */
  private minimumTlsForServices(): number {
    const services = this.servicesWhere(() => true);
    if (this.options.minimumTlsVersion <= 1.2 || services.length === 0) return this.options.minimumTlsVersion;
    this.decide(services, `TLS minimum 1.2, not ${this.options.minimumTlsVersion}: AWS endpoints guarantee TLS 1.2 `
      + '("TLS 1.2 to become the minimum TLS protocol level for all AWS API endpoints", https://aws.amazon.com/blogs/security/tls-1-2-required-for-aws-endpoints/), '
      + 'and no page says the service uses TLS 1.3');
    return 1.2;
  }

  /**
   * The encryption-header denies the bucket lacks, minus those a service that writes to it might
   * not satisfy. No service documents the encryption headers it sends, so:
   * - the algorithm deny is added only when every service writer writes with the bucket's default
   *   encryption (it has no encryption setting of its own) or, on an SSE-S3 bucket, supports only
   *   SSE-S3: neither can ask for another algorithm (an inference from the documented support);
   * - the key denies (other key, KMS without a key id) are added only when no service writes.
   */
  private headerStatements(arn: string, existing: readonly NormalizedStatement[], spellings: ReturnType<TemplateIndex['bucketSpellings']>) {
    const ruleId = fullRuleId(S3BucketEncryptionHeaders);
    const facts = defaultEncryptionOf(this.entry());
    if (facts.unreadable.length > 0) {
      this.leftAlone(ruleId, 'the default encryption cannot be read at synth, so no header policy can be matched to it.');
      return [];
    }
    const algorithm = facts.sseAlgorithm ?? 'AES256';
    const out: { ruleId: string; statement: iam.PolicyStatement }[] = [];
    const skipped: string[] = [];
    const ownEncryption = this.servicesWhere((i) => isServiceWriter(i) && i.service.choosesOwnEncryption);
    const sseS3OnlyOnKms = algorithm === 'AES256' ? [] : this.servicesWhere((i) => isServiceWriter(i) && supportsOnlySseS3(i.service));
    const algorithmBlockers = [...ownEncryption, ...sseS3OnlyOnKms];
    if (!anyCovers(existing, algorithmHeaderRequirement(spellings, algorithm), this.index)) {
      if (algorithmBlockers.length === 0) {
        out.push({ ruleId, statement: denyOtherEncryptionAlgorithmsStatement(arn, algorithm) });
        const writers = this.servicesWhere(isServiceWriter);
        const added = `the deny of encryption algorithms other than ${algorithm} was added`;
        this.decide(writers.filter(supportsOnlySseS3), `${added}: it can only write SSE-S3`);
        this.decide(writers.filter((w) => !supportsOnlySseS3(w)), `${added}: it writes with the bucket's default encryption, having no encryption setting of its own`);
      } else {
        this.decide(algorithmBlockers, `no deny of encryption algorithms other than ${algorithm}`);
        skipped.push(`the deny of other encryption algorithms (${algorithmBlockers.map((service) => service.name).join(', ')} `
          + `${ownEncryption.length > 0 ? 'may encrypt with a setting of its own, e.g. a trail\'s KMS key, and send headers that differ' : 'can only write SSE-S3, which this bucket does not use'})`);
      }
    }
    const keyId = facts.kmsMasterKeyId;
    if (algorithm !== 'AES256' && keyId !== undefined && !isAwsManagedS3Key(keyId)) {
      const keyArn = this.newKey?.keyArn ?? this.keyArnOf(keyId);
      const writers = this.servicesWhere(isServiceWriter);
      const missing = [
        !anyCovers(existing, kmsKeyHeaderRequirement(spellings, keyId), this.index) ? 'key' : undefined,
        !anyCovers(existing, kmsKeyIdPresentRequirement(spellings, algorithm), this.index) ? 'key-id' : undefined,
      ].filter((m) => m !== undefined);
      if (missing.length > 0 && writers.length > 0) {
        this.decide(writers, 'no KMS key-id denies');
        skipped.push(`the KMS key-id denies (${writers.map((service) => service.name).join(', ')} write${writers.length === 1 ? 's' : ''} here, and no AWS document says which key-id header, if any, ${writers.length === 1 ? 'it sends' : 'they send'})`);
      } else if (missing.length > 0 && !keyArn) {
        this.leftAlone(ruleId, `the bucket's KMSMasterKeyID (${keyId}) is not a key ARN or a key of this app, so the policy cannot pin the key ARN clients must send.`);
        return out;
      } else if (keyArn) {
        if (missing.includes('key')) out.push({ ruleId, statement: denyOtherKmsKeysStatement(arn, keyArn) });
        if (missing.includes('key-id')) out.push({ ruleId, statement: denyKmsWithoutKeyIdStatement(arn) });
      }
    }
    if (skipped.length > 0) this.leftAlone(ruleId, `not added: ${skipped.join('; ')}. Service headers are not documented; the guardrails do not risk refusing their writes.`);
    return out;
  }

  /** The key ARN to pin for the bucket's existing key, when it can be known. */
  private keyArnOf(canonicalKeyId: string): string | undefined {
    const rule = (editableEncryptionRules(this.cfn) ?? []).find((r) => r.serverSideEncryptionByDefault !== undefined);
    const byDefault = rule?.serverSideEncryptionByDefault;
    const written = Tokenization.isResolvable(byDefault) ? undefined : byDefault?.kmsMasterKeyId;
    const isArn = /^arn:aws:kms:[^:]*:[^:]*:key\//.test(canonicalKeyId) || (canonicalKeyId.startsWith(PLACEHOLDER_OPEN) && canonicalKeyId.endsWith('.Arn\u27e9'));
    if (isArn && typeof written === 'string') return written;
    const key = this.index.findKey(canonicalKeyId);
    return key && key.construct instanceof kms.CfnKey ? key.construct.attrArn : undefined;
  }

  /** Adds statements to the bucket's one policy, creating it when there is none. A problem when it cannot. */
  private addToPolicy(statements: iam.PolicyStatement[]): string | undefined {
    const policies = this.index.policiesOf(this.entry());
    if (policies.length > 1) return `${policies.length} bucket policies target this bucket; merge them first.`;
    const own = this.l2?.policy?.node.defaultChild;
    const foreign = policies.find((p) => p.construct !== own);
    if (!foreign && this.l2) {
      for (const statement of statements) this.l2.addToResourcePolicy(statement);
      const created = this.l2.policy?.node.defaultChild;
      if (CfnResource.isCfnResource(created)) { this.index.add(created); this.index.refresh(created); }
      return undefined;
    }
    if (!foreign) {
      const policy = new s3.CfnBucketPolicy(this.cfn.node.scope!, `${this.cfn.node.id}GuardrailsPolicy`, {
        bucket: this.cfn.ref,
        policyDocument: new iam.PolicyDocument({ statements }),
      });
      this.index.add(policy);
      return undefined;
    }
    const construct = foreign.construct as s3.CfnBucketPolicy;
    const owner = construct.node.scope;
    if (owner instanceof s3.BucketPolicy && owner.node.defaultChild === construct) {
      owner.document.addStatements(...statements);
    } else if (construct.policyDocument instanceof iam.PolicyDocument) {
      construct.policyDocument.addStatements(...statements);
    } else if (isPlainDocument(construct.policyDocument)) {
      const document = construct.policyDocument;
      const existing = Array.isArray(document.Statement) ? arrayOf(document.Statement) : [document.Statement];
      construct.policyDocument = { ...document, Statement: [...existing, ...statements.map((s): unknown => s.toStatementJson())] };
    } else {
      return `the bucket policy ${construct.node.path} is written through a token, so statements cannot be added safely.`;
    }
    this.index.refresh(construct);
    return undefined;
  }

  /** Why readers or writers of the bucket could not use a new KMS key, if they could not. */
  private whyKmsWouldBreakReaders(): string | undefined {
    const entry = this.entry();
    if (entry.properties.WebsiteConfiguration !== undefined) return 'it is a static website, and website endpoints cannot serve KMS-encrypted objects.';
    const services = this.servicesWhere(() => true);
    if (services.length > 0) {
      const target = this.options.minimumEncryption;
      this.decide(services, `default encryption left as it is, not moved to ${target.name} under a new key`);
      return `AWS services use it (${services.map((service) => `${service.name}: ${service.fact}, ${cite(service.doc)}`).join('; ')}); `
        + 'none of them would be allowed to use a new key.';
    }
    const acl = entry.properties.AccessControl;
    if (acl !== undefined) {
      return `it uses the ${renderCfnString(acl, entry.ctx) ?? 'token-valued'} ACL (legacy log delivery or ACL grants), whose writers cannot use a customer-managed key.`;
    }
    if (replicationRules(entry.properties).length > 0) return 'it replicates to another bucket, and the replication role would need the new key.';
    if (this.index.replicationSourcesOf(entry).length > 0) return 'other buckets replicate into it, and their replication roles would need the new key.';
    const account = Stack.of(this.cfn).account;
    const statements = this.index.policiesOf(entry).flatMap((p) => this.index.statementsOf(p));
    for (const s of statements) {
      if (s.effect !== 'Allow') continue;
      if (s.everyone || s.hasNotPrincipal) return 'its policy allows anonymous or all-principal access.';
      const foreign = s.awsPrincipals.filter((p) => !sameAccount(p, account, this.index));
      if (foreign.length > 0) return `its policy grants access to principals of other accounts (${foreign.join(', ')}).`;
      if (s.opaque) return 'its policy has statements that cannot be read at synth.';
    }
    if (statements.some((s) => s.conditions.some((c) => c.key.startsWith('s3:x-amz-server-side-encryption')) && s.effect === 'Deny')) {
      return 'its policy already constrains encryption headers, and clients follow it.';
    }
    return undefined;
  }

  /** Why the bucket is public on purpose, if it is. */
  private whyPublic(): string | undefined {
    const entry = this.entry();
    if (entry.properties.WebsiteConfiguration !== undefined) return 'it is a static website.';
    const acl = renderCfnString(entry.properties.AccessControl, entry.ctx);
    if (acl !== undefined && PUBLIC_ACLS.includes(acl)) return `it grants the ${acl} ACL.`;
    const publicAllow = this.index.policiesOf(entry).flatMap((p) => this.index.statementsOf(p)).find((s) => s.effect === 'Allow' && s.everyone && s.conditions.length === 0);
    if (publicAllow) return `its policy allows everyone (${publicAllow.sid ?? 'a statement without Sid'}).`;
    if (PUBLIC_ACCESS_ACKNOWLEDGEMENTS.some((id) => isAcknowledged(this.cfn, id))) return 'a cdk-nag public-access rule is acknowledged on it.';
    return undefined;
  }

  private writeEncryptionRules(rules: EncryptionRule[]): void {
    const current = this.cfn.bucketEncryption;
    // editableEncryptionRules already refused a token-valued configuration.
    this.cfn.bucketEncryption = { ...(Tokenization.isResolvable(current) ? {} : current), serverSideEncryptionConfiguration: rules };
    this.index.refresh(this.cfn);
  }
}

/** The L2 bucket whose `CfnBucket` this is, if any. */
function owningBucket(cfn: s3.CfnBucket): s3.Bucket | undefined {
  const scope = cfn.node.scope;
  return scope instanceof s3.Bucket && scope.node.defaultChild === cfn ? scope : undefined;
}

/** A copy of the L1 encryption rules, or undefined when they are tokens (not safely editable). */
function editableEncryptionRules(cfn: s3.CfnBucket): EncryptionRule[] | undefined {
  const config = cfn.bucketEncryption;
  if (config === undefined) return [];
  if (Tokenization.isResolvable(config) || Token.isUnresolved(config)) return undefined;
  const rules = config.serverSideEncryptionConfiguration;
  if (Tokenization.isResolvable(rules) || !Array.isArray(rules)) return undefined;
  const out: EncryptionRule[] = [];
  for (const rule of rules) {
    if (Tokenization.isResolvable(rule) || Tokenization.isResolvable(rule.serverSideEncryptionByDefault)) return undefined;
    out.push({ ...rule });
  }
  return out;
}

/** A policy document written as plain JSON (not an `iam.PolicyDocument`, not a token). */
function isPlainDocument(document: unknown): document is JsonObject & { readonly Statement: unknown } {
  return isJsonObject(document) && !Tokenization.isResolvable(document)
    && document.Statement !== undefined && !Tokenization.isResolvable(document.Statement);
}

/**
 * Whether an AWS principal belongs to `account`. A reference counts only when it is a role or user
 * of this app; any other token (an OAI, an import, a parameter) and unknown accounts count as foreign.
 */
function sameAccount(principal: string, account: string, index: TemplateIndex): boolean {
  const type = index.typeOfReference(principal);
  if (type !== undefined) return IAM_PRINCIPAL_TYPES.has(type);
  if (/^arn:aws:(?:iam|sts)::\u27e8AWS::AccountId\u27e9:/.test(principal) || principal === `${PLACEHOLDER_OPEN}AWS::AccountId${PLACEHOLDER_CLOSE}`) return true;
  const match = /^(?:arn:aws:(?:iam|sts)::)?(\d{12})(?::|$)/.exec(principal);
  return match !== null && !Token.isUnresolved(account) && match[1] === account;
}

/** A service (not a client such as an OAI or canonical user) that puts objects into the bucket. */
function isServiceWriter(integration: BucketIntegration): boolean {
  return integration.writes && integration.service !== AWS_SERVICES.cloudFrontOai && integration.service !== AWS_SERVICES.canonicalUser;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function locksOutTls(statements: readonly NormalizedStatement[]): boolean {
  return statements.some((s) => s.effect === 'Deny' && s.conditions.some((c) => c.key === 's3:tlsversion'
    && c.operator.startsWith('NumericLessThan') && c.values.some((v) => Number(v) > 1.3)));
}

/** The statement with a Sid no other statement of the policy uses. */
function withFreeSid(statement: iam.PolicyStatement, taken: Set<string>): iam.PolicyStatement {
  const base = statement.sid ?? 'Guardrails';
  let sid = base;
  for (let n = 2; taken.has(sid); n++) sid = `${base}Guardrails${n === 2 ? '' : n}`;
  taken.add(sid);
  if (sid === statement.sid) return statement;
  return iam.PolicyStatement.fromJson({ ...statement.toStatementJson(), Sid: sid });
}
