import {
  AspectPriority, Aspects, CfnResource, type IAspect, type IPolicyValidationContext, type IPolicyValidationPlugin, type PolicyValidationPluginReport,
  type PolicyViolation, Validations,
} from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { type IConstruct } from 'constructs';
import { BucketEncryptionMode } from '../bucket-encryption-mode';
import { ConstructPropError } from '../private/construct-prop-error';
import { ALLOWED_MINIMUM_TLS_VERSIONS } from '../private/encrypted-bucket-policy-statements';
import { isAcknowledged } from './acknowledgements';
import { BucketRemediator } from './bucket-remediation';
import { GuardrailMode } from './guardrail-mode';
import { S3_ENCRYPTION_RULE_TYPES, annotateRuleExceptions, evaluateApp, fullRuleId, ruleContext } from './rule-evaluation';
import { CFN_TYPES, TemplateIndex } from './template-index';

/** Props of {@link EncryptionGuardrails}. */
export interface EncryptionGuardrailsProps {
  /** Report, enforce or remediate. */
  readonly mode: GuardrailMode;

  /**
   * The weakest default encryption accepted, and what remediation moves weaker buckets to.
   * `SSE_KMS` accepts SSE-KMS and DSSE-KMS and remediates to SSE-KMS under a new rotating key.
   * @default BucketEncryptionMode.SSE_KMS
   */
  readonly minimumEncryption?: BucketEncryptionMode;

  /**
   * The minimum TLS version of the statement remediation adds to a bucket that has none (1.2 or 1.3).
   * A bucket that already requires 1.3 keeps it. A bucket AWS services use (CloudTrail, log
   * delivery, CloudFront) gets 1.2, the minimum every AWS endpoint guarantees.
   * @default 1.2
   */
  readonly minimumTlsVersion?: number;
}

/** The guardrails applied to a scope, kept on the scope itself and shared by every copy of this library. */
const APPLIED_GUARDRAILS = Symbol.for('s3-encryption-constructs.EncryptionGuardrails');

/**
 * Holds every S3 bucket, bucket policy and KMS key under a scope (usually the whole app) to the
 * rules of {@link S3EncryptionChecks}, whoever created them. Apply once per scope:
 * `EncryptionGuardrails.of(app, { mode: GuardrailMode.ENFORCE })`.
 *
 * Ordering:
 * - In `REMEDIATE` mode the Aspect runs at {@link EncryptionGuardrails.REMEDIATION_PRIORITY} (100),
 *   before Aspects at `AspectPriority.MUTATING` (200) and the default (500): every other Aspect,
 *   and cdk-nag (a validation plugin, which runs after synthesis), sees the fixed buckets. Policy
 *   statements are added through the L2 (`addToResourcePolicy`) when there is one, so a bucket
 *   policy created later by anyone is the same resource, not a second one.
 * - Findings are computed from the synthesized templates, after every Aspect ran, by a
 *   validation plugin named {@link EncryptionGuardrails.PLUGIN_NAME}: policies created lazily or by
 *   later Aspects count. ENFORCE reports errors (synthesis fails, `app.synth()` throws), REPORT and
 *   REMEDIATE warnings, in CDK's validation report and `cdk synth` output.
 *
 * Findings are acknowledged like cdk-nag findings:
 * `Validations.of(construct).acknowledge({ id: 'S3Encryption-<rule>', reason })`.
 */
export class EncryptionGuardrails implements IAspect {
  /** Priority of the remediating Aspect: before `AspectPriority.MUTATING`. */
  public static readonly REMEDIATION_PRIORITY = AspectPriority.MUTATING - 100;
  /** Name of the validation plugin that reports the findings (the namespace of its rule ids). */
  public static readonly PLUGIN_NAME = 'EncryptionGuardrails';

  /**
   * Applies the guardrails to `scope` and everything in it. Once per scope; different scopes may
   * combine modes (e.g. REMEDIATE on a stack inside an app under ENFORCE).
   */
  public static of(scope: IConstruct, props: EncryptionGuardrailsProps): EncryptionGuardrails {
    const applied = (scope as unknown as Record<symbol, EncryptionGuardrails | undefined>)[APPLIED_GUARDRAILS];
    if (applied) {
      throw new ConstructPropError(scope.node.path || '<app>', 'mode',
        `EncryptionGuardrails are already applied here (mode ${applied.mode.name}).`, 'apply them once per scope.');
    }
    const guardrails = new EncryptionGuardrails(scope, props);
    Object.defineProperty(scope, APPLIED_GUARDRAILS, { value: guardrails });
    Aspects.of(scope).add(guardrails, {
      priority: props.mode === GuardrailMode.REMEDIATE ? EncryptionGuardrails.REMEDIATION_PRIORITY : AspectPriority.READONLY,
    });
    Validations.of(scope).addPlugins(new GuardrailsReport(scope, guardrails));
    return guardrails;
  }

  /** The mode. */
  public readonly mode: GuardrailMode;
  /** The weakest accepted default encryption. */
  public readonly minimumEncryption: BucketEncryptionMode;
  /** The minimum TLS version remediation adds. */
  public readonly minimumTlsVersion: number;

  /** @internal the remediator (REMEDIATE mode), whose notes the report adds. */
  public readonly _remediator?: BucketRemediator;
  /** The app as it renders, for the design exceptions annotated in REPORT and ENFORCE modes. */
  private exceptionIndex?: TemplateIndex;
  private readonly root: IConstruct;

  private constructor(scope: IConstruct, props: EncryptionGuardrailsProps) {
    const path = scope.node.path || '<app>';
    if (!(props.mode instanceof GuardrailMode)) {
      throw new ConstructPropError(path, 'mode', 'is not a GuardrailMode.', 'pass GuardrailMode.REPORT, GuardrailMode.ENFORCE or GuardrailMode.REMEDIATE.');
    }
    if (props.minimumEncryption !== undefined && !(props.minimumEncryption instanceof BucketEncryptionMode)) {
      throw new ConstructPropError(path, 'minimumEncryption', 'is not a BucketEncryptionMode.', 'pass BucketEncryptionMode.SSE_S3, SSE_KMS or DSSE_KMS.');
    }
    const tls = props.minimumTlsVersion ?? 1.2;
    if (!ALLOWED_MINIMUM_TLS_VERSIONS.includes(tls)) {
      throw new ConstructPropError(path, 'minimumTlsVersion', `${tls} is not a TLS version a bucket policy may require.`,
        `use one of ${ALLOWED_MINIMUM_TLS_VERSIONS.join(', ')}.`);
    }
    this.mode = props.mode;
    this.root = scope.node.root;
    this.minimumEncryption = props.minimumEncryption ?? BucketEncryptionMode.SSE_KMS;
    this.minimumTlsVersion = tls;
    if (this.mode === GuardrailMode.REMEDIATE) {
      this._remediator = new BucketRemediator(scope.node.root, { minimumEncryption: this.minimumEncryption, minimumTlsVersion: tls });
    }
  }

  /**
   * Remediates each `CfnBucket` (REMEDIATE mode); the other modes change nothing and only annotate
   * the design exceptions of the rules (e.g. an SSE-S3 log bucket accepted under a KMS minimum).
   */
  public visit(node: IConstruct): void {
    if (!(node instanceof s3.CfnBucket)) return;
    if (this._remediator) {
      this._remediator.remediate(node);
      return;
    }
    this.exceptionIndex ??= new TemplateIndex(this.root);
    annotateRuleExceptions(node, ruleContext(this.exceptionIndex, this.minimumEncryption));
  }
}

/** The validation plugin that reports the guardrails' findings for one scope. */
class GuardrailsReport implements IPolicyValidationPlugin {
  public readonly name = EncryptionGuardrails.PLUGIN_NAME;

  constructor(private readonly scope: IConstruct, private readonly guardrails: EncryptionGuardrails) {}

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const root = (context).appConstruct ?? this.scope.node.root;
    const findings = evaluateApp(root, context, this.guardrails.minimumEncryption);
    const severity = this.guardrails.mode === GuardrailMode.ENFORCE ? 'error' : 'warning';
    const violations: PolicyViolation[] = [];
    for (const resource of this.scope.node.findAll()) {
      if (!CfnResource.isCfnResource(resource) || !S3_ENCRYPTION_RULE_TYPES.has(resource.cfnResourceType)) continue;
      for (const { rule, problems } of findings.get(resource) ?? []) {
        if (!problems || problems.length === 0) continue;
        const ruleId = fullRuleId(rule);
        if (isAcknowledged(resource, ruleId)) continue;
        const leftAlone = this.notRemediated(resource, ruleId);
        violations.push({
          ruleName: ruleId,
          description: `${problems.join(' ')}${leftAlone ? ` Not remediated: ${leftAlone}` : ''}`,
          fix: `${rule.explanation} To accept it: Validations.of(construct).acknowledge({ id: '${ruleId}', reason }).`,
          severity,
          violatingResources: [{ constructPath: resource.node.path, locations: ['Properties'] }],
        });
      }
    }
    return { success: this.guardrails.mode !== GuardrailMode.ENFORCE || violations.length === 0, violations };
  }

  private notRemediated(resource: CfnResource, ruleId: string): string | undefined {
    const remediator = this.guardrails._remediator;
    if (!remediator) return undefined;
    return remediator.notesFor(resource)?.get(ruleId) ?? (resource.cfnResourceType === CFN_TYPES.key
      ? 'only a key aws-cdk-lib created for one bucket is changed; other keys may be shared, so their owners decide.' : undefined);
  }
}
