import { Annotations, AspectPriority, Aspects, CfnResource, IAspect, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { BucketEncryptionMode } from '../bucket-encryption-mode';
import { ConstructPropError } from '../construct-prop-error';
import { ALLOWED_MINIMUM_TLS_VERSIONS } from '../encrypted-bucket-policy-statements';
import { isAcknowledged } from './acknowledgements';
import { BucketRemediator } from './bucket-remediation';
import { GuardrailMode } from './guardrail-mode';
import { RuleFinding, S3_ENCRYPTION_RULE_TYPES, evaluateRules, fullRuleId, ruleContext } from './rule-evaluation';
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
   * A bucket that already requires 1.3 keeps it.
   * @default 1.2
   */
  readonly minimumTlsVersion?: number;
}

const APPLIED = new WeakMap<IConstruct, EncryptionGuardrails>();

/**
 * Holds every S3 bucket, bucket policy and KMS key under a scope (usually the whole app) to the
 * rules of {@link S3EncryptionChecks}, whoever created them. Apply once:
 * `EncryptionGuardrails.of(app, { mode: GuardrailMode.ENFORCE })`.
 *
 * Ordering:
 * - In `REMEDIATE` mode the Aspect runs at {@link EncryptionGuardrails.REMEDIATION_PRIORITY} (100),
 *   before aspects at `AspectPriority.MUTATING` (200) and the default (500): every other Aspect, and
 *   cdk-nag (a validation plugin, which runs after synthesis), sees the fixed buckets. Policy
 *   statements are added through the L2 (`addToResourcePolicy`) when there is one, so a bucket
 *   policy created later by anyone is the same resource, not a second one.
 * - Findings are computed once, after every Aspect has run and the app is prepared (in the
 *   construct validation phase), so policies created lazily or by later Aspects are seen.
 *
 * Findings are acknowledged like cdk-nag findings:
 * `Validations.of(construct).acknowledge({ id: 'S3Encryption-<rule>', reason })`.
 */
export class EncryptionGuardrails implements IAspect {
  /** Priority of the remediating Aspect: before `AspectPriority.MUTATING`. */
  public static readonly REMEDIATION_PRIORITY = AspectPriority.MUTATING - 100;

  /**
   * Applies the guardrails to `scope` and everything in it. Once per scope; different scopes may
   * combine modes (e.g. REMEDIATE on a stack inside an app under ENFORCE).
   */
  public static of(scope: IConstruct, props: EncryptionGuardrailsProps): EncryptionGuardrails {
    if (APPLIED.has(scope)) {
      throw new ConstructPropError(scope.node.path || '<app>', 'mode',
        `EncryptionGuardrails are already applied here (mode ${APPLIED.get(scope)!.mode.name}).`, 'apply them once per scope.');
    }
    const guardrails = new EncryptionGuardrails(scope, props);
    APPLIED.set(scope, guardrails);
    Aspects.of(scope).add(guardrails, {
      priority: props.mode === GuardrailMode.REMEDIATE ? EncryptionGuardrails.REMEDIATION_PRIORITY : AspectPriority.READONLY,
    });
    return guardrails;
  }

  /** The mode. */
  public readonly mode: GuardrailMode;
  /** The weakest accepted default encryption. */
  public readonly minimumEncryption: BucketEncryptionMode;
  /** The minimum TLS version remediation adds. */
  public readonly minimumTlsVersion: number;

  private readonly registered = new WeakSet<CfnResource>();
  private readonly remediator?: BucketRemediator;
  private findings?: Map<CfnResource, RuleFinding[]>;

  private constructor(private readonly scope: IConstruct, props: EncryptionGuardrailsProps) {
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
    this.minimumEncryption = props.minimumEncryption ?? BucketEncryptionMode.SSE_KMS;
    this.minimumTlsVersion = tls;
    if (this.mode === GuardrailMode.REMEDIATE) {
      this.remediator = new BucketRemediator(scope.node.root, { minimumEncryption: this.minimumEncryption, minimumTlsVersion: tls });
    }
  }

  /** Remediates buckets (REMEDIATE) and registers every S3/KMS resource for the final check. */
  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node) || !S3_ENCRYPTION_RULE_TYPES.has(node.cfnResourceType)) return;
    if (this.remediator && node instanceof s3.CfnBucket) this.remediator.remediate(node);
    if (this.registered.has(node)) return;
    this.registered.add(node);
    node.node.addValidation({ validate: () => this.validateResource(node) });
  }

  /**
   * Runs in the construct-validation phase: after every Aspect, before the template is written.
   * Errors are CDK error annotations, which fail `cdk synth` (and any `--strict` pipeline) at the
   * resource's path while still letting validation plugins (cdk-nag) produce their report.
   */
  private validateResource(resource: CfnResource): string[] {
    for (const { rule, problems } of this.findingsOf(resource)) {
      if (!problems || problems.length === 0) continue;
      const ruleId = fullRuleId(rule);
      if (isAcknowledged(resource, ruleId)) continue;
      const leftAlone = this.remediator?.notesFor(resource)?.get(ruleId)
        ?? (this.remediator && resource.cfnResourceType === CFN_TYPES.key
          ? 'only a key aws-cdk-lib created for one bucket is changed; other keys may be shared, so their owners decide.' : undefined);
      const message = `[${ruleId}] ${problems.join(' ')}${leftAlone ? ` Not remediated: ${leftAlone}` : ''} Fix: ${rule.explanation} `
        + `(To accept it: Validations.of(construct).acknowledge({ id: '${ruleId}', reason }).)`;
      if (this.mode === GuardrailMode.ENFORCE) Annotations.of(resource).addError(message);
      else Validations.of(resource).addWarning(ruleId, message);
    }
    return [];
  }

  /** Findings of every registered resource, computed once, after all Aspects ran. */
  private findingsOf(resource: CfnResource): readonly RuleFinding[] {
    if (!this.findings) {
      const context = ruleContext(new TemplateIndex(this.scope.node.root), this.minimumEncryption);
      this.findings = new Map();
      for (const construct of this.scope.node.findAll()) {
        if (CfnResource.isCfnResource(construct) && this.registered.has(construct)) {
          this.findings.set(construct, evaluateRules(construct, context));
        }
      }
    }
    return this.findings.get(resource) ?? [];
  }
}
