import { renderCfnString } from './cfn-expression';
import { arrayOf, field, pathOf } from './json';
import { type IndexedResource } from './template-index';

/** A bucket's default encryption as rendered into its template. */
export interface DefaultEncryptionFacts {
  /** `SSEAlgorithm` of the default-encryption rule; undefined when no rule sets one. */
  readonly sseAlgorithm?: string;
  /** `KMSMasterKeyID`, canonical; undefined when not set. */
  readonly kmsMasterKeyId?: string;
  /** `BucketKeyEnabled` as written (true, false or not set). */
  readonly bucketKeyEnabled?: boolean;
  /** Union of `BlockedEncryptionTypes.EncryptionType` over the rules; undefined when none sets it. */
  readonly blockedEncryptionTypes?: readonly string[];
  /** Parts of the configuration that could not be rendered (tokens from conditions, parameters). */
  readonly unreadable: readonly string[];
}

/** The key ids S3 accepts for its AWS-managed key. */
export function isAwsManagedS3Key(canonicalKeyId: string): boolean {
  return /(^|:)alias\/aws\/s3$/.test(canonicalKeyId);
}

/** Facts by rendered entry: six rules (and remediation) ask for the same bucket's. A refreshed resource is a new entry. */
const FACTS = new WeakMap<IndexedResource, DefaultEncryptionFacts>();

/** Reads a bucket's default encryption (S3 applies only the first rule with a default). */
export function defaultEncryptionOf(bucket: IndexedResource): DefaultEncryptionFacts {
  let facts = FACTS.get(bucket);
  if (!facts) {
    facts = readDefaultEncryption(bucket);
    FACTS.set(bucket, facts);
  }
  return facts;
}

function readDefaultEncryption(bucket: IndexedResource): DefaultEncryptionFacts {
  const unreadable: string[] = [];
  const config = bucket.properties.BucketEncryption;
  const configured = field(config, 'ServerSideEncryptionConfiguration');
  const rules = arrayOf(configured);
  if (config !== undefined && !Array.isArray(configured)) unreadable.push('BucketEncryption');
  let sseAlgorithm: string | undefined;
  let kmsMasterKeyId: string | undefined;
  let bucketKeyEnabled: boolean | undefined;
  let blocked: string[] | undefined;
  for (const rule of rules) {
    const byDefault = field(rule, 'ServerSideEncryptionByDefault');
    if (byDefault !== undefined && sseAlgorithm === undefined) {
      sseAlgorithm = renderCfnString(field(byDefault, 'SSEAlgorithm'), bucket.ctx);
      if (sseAlgorithm === undefined) unreadable.push('SSEAlgorithm');
      const keyId = field(byDefault, 'KMSMasterKeyID');
      if (keyId !== undefined) {
        kmsMasterKeyId = renderCfnString(keyId, bucket.ctx);
        if (kmsMasterKeyId === undefined) unreadable.push('KMSMasterKeyID');
      }
      bucketKeyEnabled = asBoolean(field(rule, 'BucketKeyEnabled'));
    }
    const types = pathOf(rule, 'BlockedEncryptionTypes', 'EncryptionType');
    if (types !== undefined) {
      const list = (Array.isArray(types) ? arrayOf(types) : [types]).map((t) => renderCfnString(t, bucket.ctx));
      if (list.some((t) => t === undefined)) unreadable.push('BlockedEncryptionTypes');
      blocked = [...(blocked ?? []), ...list.filter((t): t is string => t !== undefined)];
    }
  }
  return { sseAlgorithm, kmsMasterKeyId, bucketKeyEnabled, blockedEncryptionTypes: blocked, unreadable };
}

/** CloudFormation booleans may be written as strings. */
export function asBoolean(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}
