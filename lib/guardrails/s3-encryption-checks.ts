import { type CfnResource, type IPolicyValidationContext, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, type NagPackProps, NagRuleCompliance } from 'cdk-nag';
import { type IConstruct } from 'constructs';
import { BucketEncryptionMode } from '../bucket-encryption-mode';
import { type AppFindings, S3_ENCRYPTION_PACK_NAME, S3_ENCRYPTION_RULE_TYPES, evaluateApp, evaluateRules, fullRuleId, ruleContext } from './rule-evaluation';
import { S3_ENCRYPTION_RULES } from './rules';
import { TemplateIndex } from './template-index';

/** Props of {@link S3EncryptionChecks}. */
export interface S3EncryptionChecksProps extends NagPackProps {
  /**
   * The weakest default encryption rule `S3BucketDefaultEncryption` accepts. `SSE_KMS` accepts
   * SSE-KMS and DSSE-KMS; `DSSE_KMS` only DSSE-KMS; `SSE_S3` any explicit default encryption.
   * @default BucketEncryptionMode.SSE_KMS
   */
  readonly minimumEncryption?: BucketEncryptionMode;
}

/**
 * A cdk-nag 3 validation plugin that holds every `AWS::S3::Bucket`, `AWS::S3::BucketPolicy` and
 * `AWS::KMS::Key` of an app to one S3 encryption standard, whoever wrote them (aws-cdk-lib L2s,
 * `CfnBucket`, third-party constructs, `EncryptedBucket`). Rules (ids `S3Encryption-<rule>`):
 * S3BucketDefaultEncryption, S3BucketKeyEnabled, S3BucketSseCBlocked, S3BucketTlsOnly,
 * S3BucketMinimumTls, S3BucketEncryptionHeaders, KmsKeyRotationEnabled,
 * KmsKeyGrantsForAwsResourcesOnly, S3ReplicaKmsEncrypted, S3LogTargetEncryption.
 *
 * Rules read each resource as it renders into its template (property overrides included) and
 * follow references (`Ref`, `Fn::GetAtt`, names, aliases, cross-stack exports) to link policies,
 * keys and buckets. Register with `Validations.of(app).addPlugins(new S3EncryptionChecks(app))`;
 * acknowledge a finding with `Validations.of(construct).acknowledge({ id: 'S3Encryption-<rule>', reason })`.
 */
export class S3EncryptionChecks extends NagPack {
  /** The pack name: the prefix of every rule id. */
  public static readonly PACK_NAME = S3_ENCRYPTION_PACK_NAME;
  /** Every rule id of the pack, with the `S3Encryption-` prefix. */
  public static readonly RULE_IDS: string[] = S3_ENCRYPTION_RULES.map(fullRuleId);

  /** The plugin name shown in validation reports. */
  public readonly name = S3_ENCRYPTION_PACK_NAME;
  /** Every rule id of the pack. */
  public readonly ruleIds?: string[] = [...S3EncryptionChecks.RULE_IDS];
  /** The weakest accepted default encryption. */
  public readonly minimumEncryption: BucketEncryptionMode;

  private index?: TemplateIndex;
  private findings?: AppFindings;

  /**
   * @param scope the app (or stage) the pack is added to; needed for `writeSuppressionsToCloudFormation`
   * @param props pack options
   */
  constructor(scope?: IConstruct, props: S3EncryptionChecksProps = {}) {
    super(scope, props);
    this.packName = S3_ENCRYPTION_PACK_NAME;
    this.minimumEncryption = props.minimumEncryption ?? BucketEncryptionMode.SSE_KMS;
  }

  /**
   * Called by CDK after synthesis: the rules read the synthesized templates (exactly what will be
   * deployed), falling back to rendering resources that are not in them (nested stacks), and share
   * their findings with `EncryptionGuardrails` in the same synthesis.
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const root = (context).appConstruct;
    this.findings = root ? evaluateApp(root, context, this.minimumEncryption) : undefined;
    try {
      return super.validate(context);
    } finally {
      this.findings = undefined;
    }
  }

  /** Validates a construct tree directly (rendering every resource), e.g. from a test. */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    this.index = undefined;
    try {
      return super.validateScope(scope);
    } finally {
      this.index = undefined;
    }
  }

  protected checkResource(node: CfnResource): void {
    if (!S3_ENCRYPTION_RULE_TYPES.has(node.cfnResourceType)) return;
    let findings = this.findings?.get(node);
    if (!findings) {
      this.index ??= new TemplateIndex(node.node.root);
      findings = evaluateRules(node, ruleContext(this.index, this.minimumEncryption));
    }
    for (const { rule, problems } of findings) {
      const compliance = problems === undefined ? NagRuleCompliance.NOT_APPLICABLE
        : problems.length === 0 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
      this.applyRule({
        ruleSuffixOverride: rule.id,
        info: rule.info,
        explanation: rule.explanation,
        level: NagMessageLevel.ERROR,
        node,
        rule: () => compliance,
      });
    }
  }
}

