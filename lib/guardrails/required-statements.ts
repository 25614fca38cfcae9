import type * as iam from 'aws-cdk-lib/aws-iam';
import {
  S3_CONDITION_KEYS,
  denyInsecureTransportStatement,
  denyKmsWithoutKeyIdStatement,
  denyOtherEncryptionAlgorithmsStatement,
  denyOtherKmsKeysStatement,
  denyOutdatedTlsStatement,
  denySseCStatement,
} from '../private/encrypted-bucket-policy-statements';
import { denyGrantsNotForAwsResourcesStatement } from '../private/kms-key-policy-statements';
import { PLACEHOLDER_CLOSE, PLACEHOLDER_OPEN, type RenderContext } from './cfn-expression';
import { type CoverageRequirement, type NormalizedStatement, type ValueNormalizer, covers, normalizeStatement, withoutClauses } from './policy-statement-match';
import { type BucketSpellings, type TemplateIndex } from './template-index';

/**
 * The statements the rules require, taken from the very builders `EncryptedBucket` and
 * `KmsKeyWithRotation` render (lib/encrypted-bucket-policy-statements.ts,
 * lib/kms-key-policy-statements.ts), so detection and remediation cannot drift from them.
 */

const BUCKET_ARN = `arn:aws:s3:::${PLACEHOLDER_OPEN}required-bucket${PLACEHOLDER_CLOSE}`;
const KEY_ID = `${PLACEHOLDER_OPEN}required-key${PLACEHOLDER_CLOSE}`;
const LITERAL: RenderContext = { stackKey: 'required', pseudo: {}, importValue: () => undefined };

/** Normalized builder output, by builder and arguments (the builders are pure). */
const NORMALIZED = new Map<string, NormalizedStatement>();

function normalizedBuilderStatement(cacheKey: string, build: () => iam.PolicyStatement): NormalizedStatement {
  let normalized = NORMALIZED.get(cacheKey);
  if (!normalized) {
    normalized = normalizeStatement(build().toStatementJson(), LITERAL);
    if (NORMALIZED.size < 10_000) NORMALIZED.set(cacheKey, normalized);
  }
  return normalized;
}

function required(cacheKey: string, build: () => iam.PolicyStatement, spellings: BucketSpellings): CoverageRequirement {
  const normalized = normalizedBuilderStatement(cacheKey, build);
  const resources = (normalized.resources ?? []).map((resource) => {
    if (resource === BUCKET_ARN) return spellings.arns;
    if (resource === `${BUCKET_ARN}/*`) return spellings.arns.map((arn) => `${arn}/*`);
    return [resource];
  });
  return { statement: normalized, resources };
}

/** Required: deny every request without TLS (Security Hub S3.5 / AwsSolutions-S10 shape). */
export function tlsOnlyRequirement(spellings: BucketSpellings): CoverageRequirement {
  return required('tls', () => denyInsecureTransportStatement(BUCKET_ARN), spellings);
}

/** Required: deny TLS older than `version`. */
export function minimumTlsRequirement(spellings: BucketSpellings, version: number): CoverageRequirement {
  return required(`tls-${version}`, () => denyOutdatedTlsStatement(BUCKET_ARN, version), spellings);
}

/** Required: deny uploads with SSE-C headers. */
export function sseCRequirement(spellings: BucketSpellings): CoverageRequirement {
  return required('sse-c', () => denySseCStatement(BUCKET_ARN), spellings);
}

/** Required: deny uploads that ask for another algorithm than `sseAlgorithm`. */
export function algorithmHeaderRequirement(spellings: BucketSpellings, sseAlgorithm: string): CoverageRequirement {
  return required(`algorithm-${sseAlgorithm}`, () => denyOtherEncryptionAlgorithmsStatement(BUCKET_ARN, sseAlgorithm), spellings);
}

/** Required: deny uploads that name another KMS key than `keyId` (canonical). */
export function kmsKeyHeaderRequirement(spellings: BucketSpellings, keyId: string): CoverageRequirement {
  const base = required('other-keys', () => denyOtherKmsKeysStatement(BUCKET_ARN, KEY_ID), spellings);
  const statement: NormalizedStatement = {
    ...base.statement,
    conditions: base.statement.conditions.map((c) => ({ ...c, values: c.values.map((v) => (v === KEY_ID ? keyId : v)) })),
  };
  return { ...base, statement };
}

/**
 * Required: deny `sseAlgorithm` uploads that name no key (S3 would use `aws/s3`). The builder
 * covers both KMS algorithms; a bucket only needs its own one covered (the algorithm-header
 * statement already denies the other).
 */
export function kmsKeyIdPresentRequirement(spellings: BucketSpellings, sseAlgorithm: string): CoverageRequirement {
  const base = required('kms-without-key', () => denyKmsWithoutKeyIdStatement(BUCKET_ARN), spellings);
  const statement: NormalizedStatement = {
    ...base.statement,
    conditions: base.statement.conditions.map((c) => (c.key === S3_CONDITION_KEYS.sseAlgorithm.toLowerCase() && c.operator === 'StringEquals'
      ? { ...c, values: [sseAlgorithm] } : c)),
  };
  return { ...base, statement };
}

/** Required in a key policy: deny grants not made by AWS services for AWS resources (CT.KMS.PR.3). */
export function grantsForAwsResourcesRequirement(): CoverageRequirement {
  const statement = normalizedBuilderStatement('grants', denyGrantsNotForAwsResourcesStatement);
  return { statement, resources: [['*']] };
}

/** Compares KMS key ids by identity, everything else literally. */
export function valueNormalizer(index: TemplateIndex): ValueNormalizer {
  const kmsKeyId = S3_CONDITION_KEYS.kmsKeyId.toLowerCase();
  return (key, value) => (key === kmsKeyId ? index.keyIdentity(value) : value);
}

/** Whether any of `statements` covers `requirement`. */
export function anyCovers(statements: readonly NormalizedStatement[], requirement: CoverageRequirement, index: TemplateIndex): boolean {
  const normalize = valueNormalizer(index);
  return statements.map((s) => withoutConfinedServiceExemption(s, statements)).some((s) => covers(s, requirement, normalize));
}

const SERVICE_NAME = 'aws:principalservicename';
const SSE_ALGORITHM = S3_CONDITION_KEYS.sseAlgorithm.toLowerCase();

/**
 * `EncryptedBucket.addServiceIntegration` lets one AWS service (CloudTrail's SSE-S3 digest files) out
 * of the bucket-wide algorithm deny with `StringNotEqualsIfExists aws:PrincipalServiceName`, present
 * only on requests of service principals, and confines that service with denies of its own
 * (`StringEquals aws:PrincipalServiceName`). Client uploads are still fully covered, so the exemption
 * is read as neutral, but only when every exempted service has such a confining deny on the algorithm.
 */
function withoutConfinedServiceExemption(statement: NormalizedStatement, all: readonly NormalizedStatement[]): NormalizedStatement {
  const exemption = statement.conditions.find((c) => c.key === SERVICE_NAME && c.operator === 'StringNotEqualsIfExists');
  if (!exemption || statement.effect !== 'Deny') return statement;
  const confined = exemption.values.every((service) => all.some((other) => other.effect === 'Deny' && other.everyone
    && other.conditions.some((c) => c.key === SERVICE_NAME && c.operator === 'StringEquals' && c.values.length === 1 && c.values[0] === service)
    && other.conditions.some((c) => c.key === SSE_ALGORITHM)));
  return confined ? withoutClauses(statement, (c) => c === exemption) : statement;
}
