import { CFN_TYPES, type BucketSpellings, type IndexedResource, type TemplateIndex } from './template-index';
import { type NormalizedStatement } from './policy-statement-match';

/**
 * What a bucket-policy rule looks at: a bucket of the app with every policy attached to it, or a
 * bucket policy whose bucket is not in the app (then the rule checks that policy on its own).
 */
export interface PolicySubject {
  /** The bucket, when it is defined in the app. */
  readonly bucket?: IndexedResource;
  /** How the bucket can be spelled in statements. */
  readonly spellings: BucketSpellings;
  /** The bucket policies attached to it. */
  readonly policies: readonly IndexedResource[];
  /** Their statements, together. */
  readonly statements: readonly NormalizedStatement[];
}

/**
 * The subject of a bucket-policy rule for `resource`, or undefined when the rule does not apply to
 * it: a policy attached to a bucket of the app is judged with that bucket, once.
 */
export function policySubjectOf(resource: IndexedResource, index: TemplateIndex): PolicySubject | undefined {
  if (resource.type === CFN_TYPES.bucket) {
    const policies = index.policiesOf(resource);
    return {
      bucket: resource,
      spellings: index.bucketSpellings(resource),
      policies,
      statements: policies.flatMap((p) => index.statementsOf(p)),
    };
  }
  if (resource.type === CFN_TYPES.bucketPolicy && !index.bucketOfPolicy(resource)) {
    const name = index.policyBucketName(resource);
    return {
      spellings: name === undefined ? { names: [], arns: [] } : index.spellingsOfName(name),
      policies: [resource],
      statements: index.statementsOf(resource),
    };
  }
  return undefined;
}

/** A problem to report when a bucket has several policies (CloudFormation applies only one of them). */
export function severalPoliciesProblem(subject: PolicySubject): string | undefined {
  if (subject.policies.length < 2) return undefined;
  return `${subject.policies.length} AWS::S3::BucketPolicy resources target this bucket (${subject.policies.map((p) => p.logicalId).join(', ')}); a bucket has one policy, so all but one are overwritten at deploy. Merge them into one.`;
}
