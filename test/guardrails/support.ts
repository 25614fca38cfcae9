import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { BucketEncryptionMode } from '../../lib';
import { S3EncryptionChecks, S3EncryptionChecksProps } from '../../lib/guardrails';
import { S3EncryptionRule } from '../../lib/guardrails/rule';
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
