import * as fs from 'node:fs';
import { Annotations, CfnResource, type IPolicyValidationContext } from 'aws-cdk-lib';
import { isAcknowledged } from './acknowledgements';
import { type IConstruct } from 'constructs';
import { BucketEncryptionMode } from '../bucket-encryption-mode';
import { type RuleContext, type S3EncryptionRule } from './rule';
import { S3_ENCRYPTION_RULES } from './rules';
import { TemplateIndex, synthesizedTemplates } from './template-index';

/** Prefix of every rule id of the pack, e.g. `S3Encryption-S3BucketTlsOnly`. */
export const S3_ENCRYPTION_PACK_NAME = 'S3Encryption';

/** CloudFormation types any rule of the pack looks at. */
export const S3_ENCRYPTION_RULE_TYPES: ReadonlySet<string> = new Set(S3_ENCRYPTION_RULES.flatMap((r) => r.appliesTo));

/** The full id of a rule, as reported and acknowledged. */
export function fullRuleId(rule: S3EncryptionRule): string {
  return `${S3_ENCRYPTION_PACK_NAME}-${rule.id}`;
}

/** One rule's verdict on one resource. */
export interface RuleFinding {
  readonly rule: S3EncryptionRule;
  /** `undefined`: not applicable; empty: compliant; otherwise the problems. */
  readonly problems: readonly string[] | undefined;
  /** Compliant by a documented design exception: why (see `S3EncryptionRule.exception`). */
  readonly exception?: string;
}

/** The context rules are evaluated with; `minimumEncryption` defaults to SSE-KMS. */
export function ruleContext(index: TemplateIndex, minimumEncryption: BucketEncryptionMode | undefined): RuleContext {
  return { index, minimumEncryption: minimumEncryption ?? BucketEncryptionMode.SSE_KMS };
}

/** Runs every rule that applies to `resource`'s type. A rule that throws reports the error as a problem. */
export function evaluateRules(resource: CfnResource, context: RuleContext): RuleFinding[] {
  if (!S3_ENCRYPTION_RULE_TYPES.has(resource.cfnResourceType)) return [];
  const entry = context.index.entry(resource);
  return S3_ENCRYPTION_RULES.filter((rule) => rule.appliesTo.includes(resource.cfnResourceType)).map((rule) => {
    if (entry.renderError) return { rule, problems: [`the resource could not be rendered to CloudFormation: ${entry.renderError}`] };
    try {
      const problems = rule.check(entry, context);
      const exception = problems?.length === 0 ? rule.exception?.(entry, context) : undefined;
      return exception === undefined ? { rule, problems } : { rule, problems, exception };
    } catch (e) {
      return { rule, problems: [`the rule failed on this resource (${(e as Error).message}); treat it as not compliant.`] };
    }
  });
}

/** Findings of every S3/KMS resource of an app, from one synthesis. */
export type AppFindings = ReadonlyMap<CfnResource, readonly RuleFinding[]>;

/**
 * The last findings, kept on the app's root construct. A key private to this copy of the library: another
 * copy's rules may differ, so each copy evaluates with its own.
 */
const SHARED_FINDINGS = Symbol('s3-encryption-constructs.guardrails.findings');

interface SharedFindings {
  readonly signature: string;
  readonly findings: AppFindings;
}

/**
 * Runs every rule on every S3/KMS resource of the app, reading the synthesized templates of the
 * validation context. Plugins of one synthesis (the pack and the guardrails' report) share the
 * result: the signature covers the minimum and each template file's path, size and time.
 */
export function evaluateApp(root: IConstruct, context: IPolicyValidationContext, minimumEncryption: BucketEncryptionMode): AppFindings {
  const signature = [minimumEncryption.name, ...(context.templatePaths ?? []).map((p) => {
    try {
      const stat = fs.statSync(p);
      return `${p}:${stat.size}:${stat.mtimeMs}`;
    } catch {
      return `${p}:missing`;
    }
  })].join('|');
  const holder = root as unknown as Record<symbol, SharedFindings | undefined>;
  const cached = holder[SHARED_FINDINGS];
  if (cached?.signature === signature) return cached.findings;
  const rules = ruleContext(new TemplateIndex(root, synthesizedTemplates(root, context)), minimumEncryption);
  const findings = new Map<CfnResource, RuleFinding[]>();
  for (const construct of root.node.findAll()) {
    if (CfnResource.isCfnResource(construct) && S3_ENCRYPTION_RULE_TYPES.has(construct.cfnResourceType)) {
      findings.set(construct, evaluateRules(construct, rules));
    }
  }
  Object.defineProperty(holder, SHARED_FINDINGS, { value: { signature, findings }, configurable: true, writable: true });
  return findings;
}

/**
 * Adds an Info annotation for each rule that accepts `resource` by a documented design exception
 * (`S3EncryptionRule.exception`), naming the rule and the reason, so the exception shows in
 * `cdk synth` output and the cloud assembly where a failure would otherwise be. Returns them.
 */
export function annotateRuleExceptions(resource: CfnResource, context: RuleContext): string[] {
  if (!S3_ENCRYPTION_RULE_TYPES.has(resource.cfnResourceType)) return [];
  const entry = context.index.entry(resource);
  if (entry.renderError) return [];
  const out: string[] = [];
  for (const rule of S3_ENCRYPTION_RULES) {
    if (!rule.exception || !rule.appliesTo.includes(resource.cfnResourceType) || isAcknowledged(resource, fullRuleId(rule))) continue;
    // exception() rejects cheaply (most buckets are not SSE-S3); check() only confirms the rule passes.
    const reason = rule.exception(entry, context);
    if (reason === undefined || rule.check(entry, context)?.length !== 0) continue;
    const message = `EncryptionGuardrails: ${fullRuleId(rule)} accepted by design: ${reason}`;
    Annotations.of(resource).addInfo(message);
    out.push(message);
  }
  return out;
}
