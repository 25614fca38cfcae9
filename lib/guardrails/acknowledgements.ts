import { Validations } from 'aws-cdk-lib';
import { type IConstruct } from 'constructs';

/**
 * `acknowledge({ id: 'S3Encryption-X' })` is stored as `Annotation::S3Encryption-X`; the CDK CLI
 * suggests the plugin-qualified `S3Encryption::S3Encryption-X` (or `EncryptionGuardrails::...` for
 * the Aspect's report). All mean the same rule.
 */
const NAMESPACE = /^(annotation|S3Encryption|EncryptionGuardrails)::/i;

/**
 * Whether `ruleId` was acknowledged with `Validations.of(x).acknowledge({ id, reason })` on the
 * construct or any of its scopes: the same lookup cdk-nag's packs do, so one acknowledgement
 * silences the rule in the pack, the Aspect's warnings and its synth errors alike.
 */
export function isAcknowledged(construct: IConstruct, ruleId: string): boolean {
  for (let current: IConstruct | undefined = construct; current; current = current.node.scope) {
    for (const entry of current.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      if (Object.keys(entry.data as object).some((key) => key.replace(NAMESPACE, '') === ruleId)) return true;
    }
  }
  return false;
}
