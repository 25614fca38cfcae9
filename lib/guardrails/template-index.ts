import * as fs from 'node:fs';
import { CfnOutput, CfnResource, type IPolicyValidationContext, Stack, Token } from 'aws-cdk-lib';
import { type IConstruct } from 'constructs';
import {
  PLACEHOLDER_CLOSE, PLACEHOLDER_OPEN, type RenderContext, getAttPlaceholder, refPlaceholder, renderCfnString,
} from './cfn-expression';
import { type JsonObject, arrayOf, field, objectOf, pathOf } from './json';
import { type NormalizedStatement, normalizePolicyDocument } from './policy-statement-match';

/** CloudFormation types the guardrails read. */
export const CFN_TYPES = {
  bucket: 'AWS::S3::Bucket',
  bucketPolicy: 'AWS::S3::BucketPolicy',
  key: 'AWS::KMS::Key',
  /** A multi-Region replica key: a key for identity (aliases, ARNs), not for key-policy rules (its primary has them). */
  replicaKey: 'AWS::KMS::ReplicaKey',
  alias: 'AWS::KMS::Alias',
} as const;

/** CloudFormation types of the services that write to or read from buckets (see bucket-integrations.ts). */
export const SERVICE_CFN_TYPES = {
  trail: 'AWS::CloudTrail::Trail',
  flowLog: 'AWS::EC2::FlowLog',
  loadBalancerV2: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
  classicLoadBalancer: 'AWS::ElasticLoadBalancing::LoadBalancer',
  distribution: 'AWS::CloudFront::Distribution',
  originAccessIdentity: 'AWS::CloudFront::CloudFrontOriginAccessIdentity',
} as const;

const INDEXED_TYPES: ReadonlySet<string> = new Set([...Object.values(CFN_TYPES), ...Object.values(SERVICE_CFN_TYPES)]);

/** One resource as it renders into its template (property overrides included, tokens resolved). */
export interface IndexedResource {
  readonly construct: CfnResource;
  readonly stack: Stack;
  readonly ctx: RenderContext;
  readonly logicalId: string;
  readonly type: string;
  /** The rendered `Properties` (PascalCase, as in the template); `{}` when the resource has none. */
  readonly properties: JsonObject;
  /** Why rendering failed, when it did. */
  readonly renderError?: string;
}

/** How a bucket can be named in a policy or another resource: every equivalent spelling. */
export interface BucketSpellings {
  readonly names: readonly string[];
  readonly arns: readonly string[];
  /** Its S3 endpoint host names (CloudFront origins and log buckets name a bucket this way). */
  readonly domainNames?: readonly string[];
}

/**
 * Every S3 bucket, bucket policy, KMS key and alias of an app as it renders into CloudFormation,
 * with the links between them: which policy belongs to which bucket (by `Ref`, name or a
 * cross-stack export), which key a bucket or a statement names (by ARN, id, alias or reference),
 * which buckets log to or replicate into a bucket. Rendering is lazy and memoized; `refresh`
 * re-renders a resource after it changed (remediation).
 */
export class TemplateIndex {
  private readonly resourcesByType = new Map<string, CfnResource[]>();
  private readonly tracked = new Set<CfnResource>();
  private readonly entries = new Map<CfnResource, IndexedResource>();
  private readonly statements = new Map<CfnResource, NormalizedStatement[]>();
  private readonly spellings = new WeakMap<IndexedResource, BucketSpellings>();
  private readonly stackKeys = new Map<Stack, string>();
  private readonly contexts = new Map<Stack, RenderContext>();
  private exports?: Map<string, string>;
  // Links hold constructs, not rendered entries, so a refreshed resource is read fresh through them.
  private bucketsBySpelling?: Map<string, CfnResource>;
  private keysByRef?: Map<string, CfnResource>;
  private aliasesByName?: Map<string, CfnResource>;
  private policiesByBucket?: Map<CfnResource, CfnResource[]>;
  private logSources?: Map<CfnResource, CfnResource[]>;
  private replicationSources?: Map<CfnResource, CfnResource[]>;
  private typesByReference?: Map<string, string>;
  private readonly memos = new Map<string, unknown>();

  /**
   * @param root the app (or any construct: the index covers its whole tree)
   * @param templates synthesized templates by stack, when they exist (a validation plugin gets
   *   them): resources and exports are then read from the template instead of rendered again
   */
  constructor(private readonly root: IConstruct, private readonly templates: ReadonlyMap<Stack, unknown> = new Map()) {
    for (const construct of root.node.findAll()) {
      if (CfnResource.isCfnResource(construct) && INDEXED_TYPES.has(construct.cfnResourceType)) {
        this.track(construct);
      }
    }
  }

  /** Adds a resource created after the index was built. */
  public add(resource: CfnResource): void {
    if (!INDEXED_TYPES.has(resource.cfnResourceType) || this.tracked.has(resource)) return;
    this.track(resource);
    if (this.typesByReference) {
      const stack = Stack.of(resource);
      this.typesByReference.set(`${this.contextOf(stack).stackKey}#${stack.resolve(resource.logicalId) as string}`, resource.cfnResourceType);
    }
    if (resource.cfnResourceType === CFN_TYPES.bucketPolicy) {
      const target = this.policiesByBucket && this.bucketOfPolicy(this.entry(resource));
      if (target) this.policiesByBucket!.set(target.construct, [...(this.policiesByBucket!.get(target.construct) ?? []), resource]);
    } else if (resource.cfnResourceType === CFN_TYPES.key) {
      const key = this.keysByRef && this.entry(resource);
      if (key) this.keysByRef!.set(`${key.ctx.stackKey}#${key.logicalId}`, resource);
    } else {
      this.invalidateLinks(); // a new bucket or alias can change any link
    }
  }

  /**
   * Forgets what was rendered for `resource`, so the next read sees its changes. Links (bucket
   * names, logging and replication targets, which bucket a policy is for) are kept: remediation,
   * the only caller, never changes them.
   */
  public refresh(resource: CfnResource): void {
    this.entries.delete(resource);
    this.statements.delete(resource);
  }

  /** Resources of one type. */
  public of(type: string): readonly CfnResource[] {
    return this.resourcesByType.get(type) ?? [];
  }

  /** The rendered form of a resource. */
  public entry(resource: CfnResource): IndexedResource {
    let entry = this.entries.get(resource);
    if (!entry) {
      entry = this.render(resource);
      this.entries.set(resource, entry);
    }
    return entry;
  }

  /** The normalized statements of a bucket policy's or key's policy document. */
  public statementsOf(entry: IndexedResource): NormalizedStatement[] {
    let out = this.statements.get(entry.construct);
    if (!out) {
      const document = entry.type === CFN_TYPES.key ? entry.properties.KeyPolicy : entry.properties.PolicyDocument;
      out = normalizePolicyDocument(document, entry.ctx);
      this.statements.set(entry.construct, out);
    }
    return out;
  }

  /** Every spelling of a bucket defined in the app. */
  public bucketSpellings(bucket: IndexedResource): BucketSpellings {
    let spellings = this.spellings.get(bucket);
    if (!spellings) {
      spellings = this.computeSpellings(bucket);
      this.spellings.set(bucket, spellings);
    }
    return spellings;
  }

  private computeSpellings(bucket: IndexedResource): BucketSpellings {
    const stackKey = bucket.ctx.stackKey;
    const ref = refPlaceholder(stackKey, bucket.logicalId);
    const names = [ref];
    const arns = [getAttPlaceholder(stackKey, bucket.logicalId, 'Arn'), `arn:aws:s3:::${ref}`];
    const domainNames = ['DomainName', 'RegionalDomainName', 'DualStackDomainName'].map((a) => getAttPlaceholder(stackKey, bucket.logicalId, a));
    const name = renderCfnString(bucket.properties.BucketName, bucket.ctx);
    if (name !== undefined) {
      names.push(name);
      arns.push(`arn:aws:s3:::${name}`);
    }
    const region = bucket.ctx.pseudo['AWS::Region'] ?? `${PLACEHOLDER_OPEN}AWS::Region${PLACEHOLDER_CLOSE}`;
    for (const n of names) domainNames.push(`${n}.s3.amazonaws.com`, `${n}.s3.${region}.amazonaws.com`);
    return { names, arns, domainNames };
  }

  /** The bucket of the app with this S3 endpoint host name (`<bucket>.s3[.<region>].amazonaws.com`), if any. */
  public findBucketByDomainName(domainName: string): IndexedResource | undefined {
    const domains = this.memo('bucketsByDomainName', () => {
      const out = new Map<string, CfnResource>();
      for (const construct of this.of(CFN_TYPES.bucket)) {
        for (const domain of this.bucketSpellings(this.entry(construct)).domainNames ?? []) out.set(domain, construct);
      }
      return out;
    });
    const found = domains.get(domainName);
    return found && this.entry(found);
  }

  /**
   * The CloudFormation type of the resource a placeholder refers to (`⟨stack#LogicalId⟩` or
   * `⟨stack#LogicalId.Attr⟩`), for any resource of the app; undefined for anything else.
   */
  public typeOfReference(canonical: string): string | undefined {
    const reference = referenceOf(canonical);
    if (!reference) return undefined;
    if (!this.typesByReference) {
      this.typesByReference = new Map();
      for (const construct of this.root.node.findAll()) {
        if (!CfnResource.isCfnResource(construct)) continue;
        const stack = Stack.of(construct);
        this.typesByReference.set(`${this.contextOf(stack).stackKey}#${stack.resolve(construct.logicalId) as string}`, construct.cfnResourceType);
      }
    }
    return this.typesByReference.get(reference);
  }

  /**
   * A value computed once per index (until a new bucket or alias changes the links), for derived
   * views such as which services use which bucket.
   */
  public memo<T>(key: string, compute: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, compute());
    return this.memos.get(key) as T;
  }

  /** Spellings of a bucket known only by the name a policy gives (a bucket outside the app). */
  public spellingsOfName(name: string): BucketSpellings {
    const bucket = this.findBucket(name);
    return bucket ? this.bucketSpellings(bucket) : { names: [name], arns: [`arn:aws:s3:::${name}`] };
  }

  /** The bucket of the app with this canonical name or ARN, if any. */
  public findBucket(nameOrArn: string): IndexedResource | undefined {
    if (!this.bucketsBySpelling) {
      this.bucketsBySpelling = new Map();
      for (const construct of this.of(CFN_TYPES.bucket)) {
        const { names, arns } = this.bucketSpellings(this.entry(construct));
        for (const spelling of [...names, ...arns]) this.bucketsBySpelling.set(spelling, construct);
      }
    }
    const found = this.bucketsBySpelling.get(nameOrArn);
    return found && this.entry(found);
  }

  /** The bucket a bucket policy is attached to, when it is defined in the app. */
  public bucketOfPolicy(policy: IndexedResource): IndexedResource | undefined {
    const name = this.policyBucketName(policy);
    return name === undefined ? undefined : this.findBucket(name);
  }

  /** The canonical bucket name a bucket policy names. */
  public policyBucketName(policy: IndexedResource): string | undefined {
    return renderCfnString(policy.properties.Bucket, policy.ctx);
  }

  /** The bucket policies attached to a bucket (CloudFormation keeps only one per bucket). */
  public policiesOf(bucket: IndexedResource): readonly IndexedResource[] {
    if (!this.policiesByBucket) {
      this.policiesByBucket = new Map();
      for (const construct of this.of(CFN_TYPES.bucketPolicy)) {
        const target = this.bucketOfPolicy(this.entry(construct));
        if (!target) continue;
        const list = this.policiesByBucket.get(target.construct) ?? [];
        list.push(construct);
        this.policiesByBucket.set(target.construct, list);
      }
    }
    return (this.policiesByBucket.get(bucket.construct) ?? []).map((p) => this.entry(p));
  }

  /** The buckets of the app whose server access logs go to `target`. */
  public logSourcesOf(target: IndexedResource): readonly IndexedResource[] {
    if (!this.logSources) {
      this.logSources = this.linkBuckets((source) => {
        const name = renderCfnString(pathOf(source.properties, 'LoggingConfiguration', 'DestinationBucketName'), source.ctx);
        return name === undefined ? [] : [name];
      });
    }
    return (this.logSources.get(target.construct) ?? []).map((b) => this.entry(b));
  }

  /** The buckets of the app that replicate into `destination`. */
  public replicationSourcesOf(destination: IndexedResource): readonly IndexedResource[] {
    if (!this.replicationSources) {
      this.replicationSources = this.linkBuckets((source) => replicationRules(source.properties)
        .map((rule) => renderCfnString(pathOf(rule, 'Destination', 'Bucket'), source.ctx))
        .filter((arn): arn is string => arn !== undefined));
    }
    return (this.replicationSources.get(destination.construct) ?? []).map((b) => this.entry(b));
  }

  /**
   * A comparable identity for a KMS key however it is written: key ARN, key id, alias name or ARN,
   * or a reference to a key or alias of the app. Unknown spellings are their own identity.
   */
  public keyIdentity(canonical: string): string {
    const key = this.findKey(canonical);
    if (key) return `key:${key.ctx.stackKey}#${key.logicalId}`;
    const keyArn = /^arn:aws:kms:[^:]*:[^:]*:key\/(.+)$/.exec(canonical);
    if (keyArn) return `id:${keyArn[1]}`;
    const aliasName = aliasNameOf(canonical);
    if (aliasName) return `alias:${aliasName}`;
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(canonical) || /^mrk-[0-9a-f]{32}$/i.test(canonical)) {
      return `id:${canonical}`;
    }
    return canonical;
  }

  /** The key of the app that a canonical key spelling names (following aliases), if any. */
  public findKey(canonical: string): IndexedResource | undefined {
    if (!this.keysByRef) {
      this.keysByRef = new Map();
      for (const construct of [...this.of(CFN_TYPES.key), ...this.of(CFN_TYPES.replicaKey)]) {
        const key = this.entry(construct);
        this.keysByRef.set(`${key.ctx.stackKey}#${key.logicalId}`, construct);
      }
      this.aliasesByName = new Map();
      for (const construct of this.of(CFN_TYPES.alias)) {
        const alias = this.entry(construct);
        const name = renderCfnString(alias.properties.AliasName, alias.ctx);
        if (name) this.aliasesByName.set(name, construct);
        this.aliasesByName.set(`${alias.ctx.stackKey}#${alias.logicalId}`, construct);
      }
    }
    const reference = referenceOf(canonical) ?? referenceOf(/^arn:aws:kms:[^:]*:[^:]*:key\/(.+)$/.exec(canonical)?.[1] ?? '');
    if (reference) {
      const key = this.keysByRef.get(reference);
      if (key) return this.entry(key);
      const alias = this.aliasesByName!.get(reference);
      if (alias) return this.keyOfAlias(this.entry(alias));
    }
    const aliasName = aliasNameOf(canonical);
    if (aliasName) {
      const alias = this.aliasesByName!.get(`alias/${aliasName}`);
      if (alias) return this.keyOfAlias(this.entry(alias));
    }
    return undefined;
  }

  private keyOfAlias(alias: IndexedResource): IndexedResource | undefined {
    const target = renderCfnString(alias.properties.TargetKeyId, alias.ctx);
    return target === undefined || aliasNameOf(target) ? undefined : this.findKey(target);
  }

  private linkBuckets(targetsOf: (source: IndexedResource) => string[]): Map<CfnResource, CfnResource[]> {
    const links = new Map<CfnResource, CfnResource[]>();
    for (const construct of this.of(CFN_TYPES.bucket)) {
      for (const spelling of targetsOf(this.entry(construct))) {
        const target = this.findBucket(spelling);
        if (!target) continue;
        const list = links.get(target.construct) ?? [];
        if (!list.includes(construct)) list.push(construct);
        links.set(target.construct, list);
      }
    }
    return links;
  }

  private track(resource: CfnResource): void {
    this.tracked.add(resource);
    const list = this.resourcesByType.get(resource.cfnResourceType) ?? [];
    list.push(resource);
    this.resourcesByType.set(resource.cfnResourceType, list);
  }

  private invalidateLinks(): void {
    this.bucketsBySpelling = undefined;
    this.keysByRef = undefined;
    this.aliasesByName = undefined;
    this.policiesByBucket = undefined;
    this.logSources = undefined;
    this.replicationSources = undefined;
    this.typesByReference = undefined;
    this.memos.clear();
  }

  private render(resource: CfnResource): IndexedResource {
    const stack = Stack.of(resource);
    const ctx = this.contextOf(stack);
    const logicalId = stack.resolve(resource.logicalId) as string;
    const synthesized = pathOf(this.templates.get(stack), 'Resources', logicalId);
    if (field(synthesized, 'Type') === resource.cfnResourceType) {
      return { construct: resource, stack, ctx, logicalId, type: resource.cfnResourceType, properties: objectOf(field(synthesized, 'Properties')) };
    }
    try {
      // aws-cdk-lib's internal renderer, on purpose: no public API renders one resource with its overrides
      // (inspect() and the L1 getters give unconverted props without addOverride/addPropertyOverride).
      const rendered: unknown = stack.resolve((resource as unknown as { _toCloudFormation(): unknown })._toCloudFormation());
      const body = Object.values(objectOf(field(rendered, 'Resources')))[0];
      return { construct: resource, stack, ctx, logicalId, type: resource.cfnResourceType, properties: objectOf(field(body, 'Properties')) };
    } catch (e) {
      return { construct: resource, stack, ctx, logicalId, type: resource.cfnResourceType, properties: {}, renderError: (e as Error).message };
    }
  }

  private contextOf(stack: Stack): RenderContext {
    let ctx = this.contexts.get(stack);
    if (!ctx) {
      let key = this.stackKeys.get(stack);
      if (!key) {
        key = `s${this.stackKeys.size}`;
        this.stackKeys.set(stack, key);
      }
      const known = (value: string) => (Token.isUnresolved(value) ? undefined : value);
      ctx = {
        stackKey: key,
        pseudo: { 'AWS::AccountId': known(stack.account), 'AWS::Region': known(stack.region) },
        importValue: (name) => this.exportValue(name),
      };
      this.contexts.set(stack, ctx);
    }
    return ctx;
  }

  private exportValue(name: string): string | undefined {
    if (!this.exports) {
      this.exports = new Map();
      for (const [stack, template] of this.templates) this.addExports(field(template, 'Outputs'), this.contextOf(stack));
      for (const construct of this.root.node.findAll()) {
        if (!(construct instanceof CfnOutput)) continue;
        const stack = Stack.of(construct);
        if (this.templates.has(stack)) continue;
        let rendered: unknown;
        try {
          rendered = stack.resolve((construct as unknown as { _toCloudFormation(): unknown })._toCloudFormation());
        } catch {
          continue;
        }
        this.addExports(field(rendered, 'Outputs'), this.contextOf(stack));
      }
    }
    return this.exports.get(name);
  }

  private addExports(outputs: unknown, ctx: RenderContext): void {
    for (const output of Object.values(objectOf(outputs))) {
      const exportName = renderCfnString(pathOf(output, 'Export', 'Name'), ctx);
      const value = renderCfnString(field(output, 'Value'), ctx);
      if (exportName !== undefined && value !== undefined) this.exports!.set(exportName, value);
    }
  }
}

/** The `stack#LogicalId` inside a `⟨stack#LogicalId⟩` / `⟨stack#LogicalId.Attr⟩` placeholder. */
export function referenceOf(canonical: string): string | undefined {
  if (!canonical.startsWith(PLACEHOLDER_OPEN) || !canonical.endsWith(PLACEHOLDER_CLOSE)) return undefined;
  const inner = canonical.slice(PLACEHOLDER_OPEN.length, -PLACEHOLDER_CLOSE.length);
  if (inner.includes(PLACEHOLDER_OPEN) || !inner.includes('#')) return undefined;
  const dot = inner.indexOf('.', inner.indexOf('#'));
  return dot < 0 ? inner : inner.slice(0, dot);
}

function aliasNameOf(canonical: string): string | undefined {
  const match = /^(?:arn:aws:kms:[^:]*:[^:]*:)?alias\/(.+)$/.exec(canonical);
  return match?.[1];
}

/** The replication rules of a rendered bucket. */
export function replicationRules(properties: unknown): readonly unknown[] {
  return arrayOf(pathOf(properties, 'ReplicationConfiguration', 'Rules'));
}

/** The path users know a resource by: its L2's path when it is the L2's `defaultChild`. */
export function displayPath(resource: IConstruct): string {
  const scope = resource.node.scope;
  return scope && scope.node.defaultChild === resource ? scope.node.path : resource.node.path;
}

/**
 * The synthesized template of each stack a validation context lists, by stack construct. Stacks
 * whose template cannot be read are left out (their resources are then rendered).
 */
export function synthesizedTemplates(root: IConstruct, context: IPolicyValidationContext): Map<Stack, unknown> {
  const stacksByPath = new Map<string, Stack>();
  for (const construct of root.node.findAll()) if (Stack.isStack(construct)) stacksByPath.set(construct.node.path, construct);
  const out = new Map<Stack, unknown>();
  for (const { stackConstructPath, templatePath } of context.stackTemplates ?? []) {
    const stack = stackConstructPath === undefined ? undefined : stacksByPath.get(stackConstructPath);
    if (!stack) continue;
    try {
      out.set(stack, JSON.parse(fs.readFileSync(templatePath, 'utf8')));
    } catch {
      // unreadable: the rules render that stack's resources instead
    }
  }
  return out;
}
