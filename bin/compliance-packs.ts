import { Validations } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R4Checks, NIST80053R5Checks, PCIDSS321Checks,
} from 'cdk-nag';
import { type IConstruct } from 'constructs';

/** The five cdk-nag packs the golden path holds itself to. */
export const COMPLIANCE_PACK_NAMES = ['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R4', 'NIST.800.53.R5', 'PCI.DSS.321'] as const;

/**
 * Run the five cdk-nag packs at synth. Any unacknowledged finding fails the synth
 * (and so `npx cdk synth`).
 */
export function addCompliancePacks(app: IConstruct): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new HIPAASecurityChecks(app, { verbose: true }),
    new NIST80053R4Checks(app, { verbose: true }),
    new NIST80053R5Checks(app, { verbose: true }),
    new PCIDSS321Checks(app, { verbose: true }),
  );
}

/**
 * Acknowledge one rule of one pack on exactly one CloudFormation resource, with the reason.
 * `resource` is the L1 (`node.defaultChild`) so the acknowledgement cannot spread to children.
 */
export function acknowledgeOnResource(resource: IConstruct, ruleId: string, reason: string): void {
  Validations.of(resource).acknowledge({ id: ruleId, reason });
}
