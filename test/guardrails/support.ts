import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, type IPolicyValidationPlugin, Stack } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { type IConstruct } from 'constructs';
import { type BucketEncryptionMode } from '../../lib';
import { S3EncryptionChecks, type S3EncryptionChecksProps } from '../../lib/guardrails';
import { type S3EncryptionRule } from '../../lib/guardrails/rule';
import { ruleContext } from '../../lib/guardrails/rule-evaluation';
import { TemplateIndex } from '../../lib/guardrails/template-index';

/** The environment of every guardrails test stack. */
export const ENV = { account: '111111111111', region: 'us-east-1' };

/** A new app (CDK's recommended feature flags off, like a user's bare `new App()`) and stack. */
export function newStack(id = 'Test', app = new App()): Stack {
  return new Stack(app, id, { env: ENV });
}

/** The L1 resource of a construct (its `defaultChild`), or the construct itself. */
export function cfnOf(construct: IConstruct): CfnResource {
  const child = construct.node.defaultChild ?? construct;
  if (!CfnResource.isCfnResource(child)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return child;
}

/**
 * Runs one rule on one resource, as the pack does: `undefined` when it does not apply, `[]` when
 * it complies, otherwise the problems.
 */
export function check(rule: S3EncryptionRule, construct: IConstruct, minimumEncryption?: BucketEncryptionMode): readonly string[] | undefined {
  const resource = cfnOf(construct);
  const context = ruleContext(new TemplateIndex(resource.node.root), minimumEncryption);
  return rule.check(context.index.entry(resource), context);
}

/** Construct paths per violated rule id, from the real plugin run over the whole app. */
export function packViolations(scope: IConstruct, props?: S3EncryptionChecksProps): Record<string, string[]> {
  const report = new S3EncryptionChecks(scope, props).validateScope(scope.node.root);
  const out: Record<string, string[]> = {};
  for (const v of report.violations) out[v.ruleName] = v.violatingResources.map((r) => r.constructPath!).sort();
  return out;
}

/** Control Tower proactive controls CT.S3.PR.* and CT.KMS.PR.* as shipped in @cdklabs/cdk-validator-cfnguard (run offline by its cfn-guard binary). */
export function controlTowerS3AndKmsValidator(): IPolicyValidationPlugin {
  const rules = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');
  // The plugin implements the Beta1 interface, which has the same shape.
  return new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: [path.join(rules, 's3'), path.join(rules, 'keymanagementservice')] });
}

/**
 * Control Tower proactive controls of the given service folders of @cdklabs/cdk-validator-cfnguard
 * (`s3`, `keymanagementservice`, `cloudtrail`, `cloudwatch`, ...), run offline by its cfn-guard binary.
 */
export function controlTowerValidator(services: string[]): IPolicyValidationPlugin {
  const rules = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');
  return new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: services.map((s) => path.join(rules, s)) });
}

/** Control Tower CT.CLOUDTRAIL.PR.* and CT.CLOUDWATCH.PR.* control ids to their cfn-guard rule names. */
export const CONTROL_TOWER_AUDIT_RULES = {
  'CT.CLOUDTRAIL.PR.1': 'cloud_trail_encryption_enabled_check',
  'CT.CLOUDTRAIL.PR.2': 'cloud_trail_log_file_validation_enabled_check',
  'CT.CLOUDTRAIL.PR.3': 'cloud_trail_cloud_watch_logs_enabled_check',
  'CT.CLOUDWATCH.PR.1': 'cloudwatch_alarm_action_check',
  'CT.CLOUDWATCH.PR.2': 'cloudwatch_log_group_retention_period_check',
  'CT.CLOUDWATCH.PR.3': 'cloudwatch_log_group_encrypted_check',
  'CT.CLOUDWATCH.PR.4': 'cloudwatch_alarm_action_enabled_check',
} as const;

/** The plugin name of the Control Tower validator, which prefixes its acknowledgement ids. */
export const CONTROL_TOWER = 'cdk-validator-cfnguard';

/** Control Tower control ids to the rule names cfn-guard reports (and that acknowledgements use). */
export const CONTROL_TOWER_RULES = {
  'CT.S3.PR.1': 's3_bucket_level_public_access_prohibited_check',
  'CT.S3.PR.2': 's3_bucket_logging_enabled_check',
  'CT.S3.PR.3': 's3_version_lifecycle_policy_check',
  'CT.S3.PR.4': 's3_event_notifications_enabled_check',
  'CT.S3.PR.5': 's3_bucket_acl_prohibited_check',
  'CT.S3.PR.6': 's3_lifecycle_policy_check',
  'CT.S3.PR.8': 's3_bucket_policy_ssl_requests_only_check',
  'CT.S3.PR.9': 's3_bucket_object_lock_enabled_check',
  'CT.S3.PR.10': 's3_bucket_default_encryption_kms_check',
  'CT.S3.PR.11': 's3_bucket_versioning_enabled_check',
  'CT.KMS.PR.1': 'kms_key_rotation_enabled_check',
  'CT.KMS.PR.3': 'kms_create_grant_aws_service_check',
} as const;

/** A new app writing to a fresh temporary directory (for the validation report). */
export function newAppWithOutdir(context: Record<string, unknown> = {}): { app: App; outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardrails-'));
  return { app: new App({ outdir, context }), outdir };
}

/** One unsuppressed violation of a synthesized app's validation report. */
export interface ReportedViolation {
  readonly plugin: string;
  readonly rule: string;
  readonly paths: string[];
  readonly severity?: string;
  readonly description?: string;
}

/** The unacknowledged violations in `outdir/validation-report.json` (none when the file is absent: every plugin passed). */
export function reportedViolations(outdir: string): ReportedViolation[] {
  const file = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  return report.pluginReports.flatMap((r: any) => r.violations.map((v: any) => ({
    plugin: r.pluginName,
    rule: v.ruleName,
    paths: (v.violatingConstructs ?? v.violatingResources ?? []).map((c: any) => c.constructPath ?? c.resourceLogicalId).sort(),
    severity: v.severity,
    description: v.description,
  })));
}

/** What EncryptionGuardrails reported, as `<rule> <path> <severity>: <description>` lines. */
export function guardrailFindings(outdir: string): string[] {
  return reportedViolations(outdir).filter((v) => v.plugin === 'EncryptionGuardrails')
    .flatMap((v) => v.paths.map((p) => `${v.rule} ${p} ${v.severity}: ${v.description}`));
}
