import { type BucketEncryptionMode } from '../bucket-encryption-mode';
import { type IndexedResource, type TemplateIndex } from './template-index';

/** What every rule is evaluated with. */
export interface RuleContext {
  /** The app's resources as they render into CloudFormation. */
  readonly index: TemplateIndex;
  /** The weakest default encryption the pack accepts. */
  readonly minimumEncryption: BucketEncryptionMode;
}

/**
 * One rule of the S3 encryption pack. `check` returns `undefined` when the rule does not apply to
 * the resource, an empty list when it complies, and one readable problem per violation otherwise.
 */
export interface S3EncryptionRule {
  /** Rule id without the pack prefix, e.g. `S3BucketTlsOnly`. */
  readonly id: string;
  /** CloudFormation types the rule is evaluated on. */
  readonly appliesTo: readonly string[];
  /** What a violation means, one sentence. */
  readonly info: string;
  /** Why the rule exists and how to fix a violation. */
  readonly explanation: string;
  /** Evaluates the rule on one rendered resource. */
  check(resource: IndexedResource, context: RuleContext): readonly string[] | undefined;
  /**
   * Why the rule accepts this resource by design although it does not meet the rule's general
   * requirement (e.g. a log bucket that AWS documents as SSE-S3 only under a KMS minimum), when it
   * does; `check` then reports no problem. Undefined otherwise.
   */
  exception?(resource: IndexedResource, context: RuleContext): string | undefined;
}
