import { type RenderContext, hasIamWildcard, iamPatternMatches, renderCfnString, renderCfnStrings } from './cfn-expression';
import { arrayOf, field, isJsonObject } from './json';

/**
 * Policy statements in a comparable form, and the one question the guardrails ask of them:
 * "does this Deny statement deny at least every request that this required Deny statement denies?"
 * (it *covers* it). A statement written by aws-cdk-lib, by hand in terraform style or by us covers
 * the requirement as long as it is at least as broad: fewer conditions, a `*` principal, `s3:*`
 * instead of `s3:PutObject`, the bucket named by ARN or by a reference, and so on.
 */

/** One condition clause: `{ operator: { key: values } }` with a single key. */
export interface ConditionClause {
  /** The operator as written, e.g. `StringNotEquals`, `BoolIfExists`. */
  readonly operator: string;
  /** The condition key, lower-cased (IAM condition keys are case-insensitive). */
  readonly key: string;
  /** Canonical values. */
  readonly values: readonly string[];
}

/** A policy statement whose every part rendered; `opaque` when something could not be. */
export interface NormalizedStatement {
  readonly sid?: string;
  readonly effect: string;
  /** `Principal: "*"` or `Principal: {AWS: "*"}`. */
  readonly everyone: boolean;
  /** Service principals, e.g. `logging.s3.amazonaws.com`. */
  readonly servicePrincipals: readonly string[];
  /** AWS and federated principals (ARNs, account ids, placeholders). */
  readonly awsPrincipals: readonly string[];
  /** `CanonicalUser` principals (S3 canonical user ids, e.g. of a CloudFront origin access identity). */
  readonly canonicalUsers: readonly string[];
  readonly hasNotPrincipal: boolean;
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  readonly resources?: readonly string[];
  readonly notResources?: readonly string[];
  readonly conditions: readonly ConditionClause[];
  /** Some part could not be rendered (a condition, a resource, ...): the statement proves nothing. */
  readonly opaque: boolean;
}

/** Renders every statement of a resolved policy document. */
export function normalizePolicyDocument(document: unknown, ctx: RenderContext): NormalizedStatement[] {
  const raw = field(document, 'Statement');
  const statements = Array.isArray(raw) ? arrayOf(raw) : raw ? [raw] : [];
  return statements.map((s) => normalizeStatement(s, ctx));
}

/** Renders one resolved statement. */
export function normalizeStatement(statement: unknown, ctx: RenderContext): NormalizedStatement {
  let opaque = false;
  const strings = (value: unknown): string[] | undefined => {
    if (value === undefined) return undefined;
    const out = renderCfnStrings(value, ctx);
    if (out === undefined) opaque = true;
    return out ?? [];
  };
  const principal = field(statement, 'Principal');
  let everyone = false;
  const servicePrincipals: string[] = [];
  const awsPrincipals: string[] = [];
  const canonicalUsers: string[] = [];
  if (principal === '*') {
    everyone = true;
  } else if (isJsonObject(principal)) {
    const aws = strings(principal.AWS) ?? [];
    everyone = aws.includes('*');
    awsPrincipals.push(...aws.filter((p) => p !== '*'));
    servicePrincipals.push(...(strings(principal.Service) ?? []));
    if (principal.Federated !== undefined) awsPrincipals.push(...(strings(principal.Federated) ?? []));
    if (principal.CanonicalUser !== undefined) canonicalUsers.push(...(strings(principal.CanonicalUser) ?? []));
  }
  const conditions: ConditionClause[] = [];
  const condition = field(statement, 'Condition');
  if (condition !== undefined) {
    if (!isJsonObject(condition)) {
      opaque = true;
    } else {
      for (const [operator, block] of Object.entries(condition)) {
        if (!isJsonObject(block)) { opaque = true; continue; }
        for (const [key, value] of Object.entries(block)) {
          const values = renderCfnStrings(value, ctx);
          if (values === undefined) { opaque = true; continue; }
          conditions.push({ operator, key: key.toLowerCase(), values: values.map((v) => canonicalConditionValue(operator, v)) });
        }
      }
    }
  }
  const effect = renderCfnString(field(statement, 'Effect'), ctx) ?? '';
  const rawSid = field(statement, 'Sid');
  const sid = typeof rawSid === 'string' ? rawSid : undefined;
  // IAM action names are case-insensitive: keep them lower-cased.
  const actions = strings(field(statement, 'Action'))?.map((a) => a.toLowerCase());
  const notActions = strings(field(statement, 'NotAction'))?.map((a) => a.toLowerCase());
  const resources = strings(field(statement, 'Resource'));
  const notResources = strings(field(statement, 'NotResource'));
  return {
    sid,
    effect,
    everyone,
    servicePrincipals,
    awsPrincipals,
    canonicalUsers,
    hasNotPrincipal: field(statement, 'NotPrincipal') !== undefined,
    actions,
    notActions,
    resources,
    notResources,
    conditions,
    opaque,
  };
}

function canonicalConditionValue(operator: string, value: string): string {
  if (baseOperator(operator) === 'Bool' || operator === 'Null') return value.toLowerCase();
  if (baseOperator(operator).startsWith('Numeric')) {
    const n = Number(value);
    return Number.isFinite(n) ? String(n) : value;
  }
  return value;
}

/** The operator without an `IfExists` suffix. */
export function baseOperator(operator: string): string {
  return operator.endsWith('IfExists') ? operator.slice(0, -'IfExists'.length) : operator;
}

const NEGATED_OPERATORS = new Set([
  'StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'ArnNotEquals', 'ArnNotLike', 'NumericNotEquals', 'DateNotEquals', 'NotIpAddress',
]);

/** Compares condition values for one key; keys such as KMS key ids compare by identity. */
export type ValueNormalizer = (key: string, value: string) => string;

/** What a required statement must be covered on: alternatives for each required resource. */
export interface CoverageRequirement {
  /** The required Deny (effect, principal `*`, actions, conditions). Its resources are ignored. */
  readonly statement: NormalizedStatement;
  /**
   * Each entry is one resource the covering statement must apply to, given as all its equivalent
   * spellings (e.g. the bucket's ARN via GetAtt, via its name, via its literal name).
   */
  readonly resources: readonly (readonly string[])[];
}

/**
 * Whether Deny statement `candidate` denies every request that `requirement` denies: it is a Deny
 * for everyone, its actions and resources include the required ones, and each of its conditions
 * holds whenever the required conditions hold.
 */
export function covers(candidate: NormalizedStatement, requirement: CoverageRequirement, normalize: ValueNormalizer): boolean {
  const required = requirement.statement;
  if (candidate.opaque || candidate.effect !== 'Deny' || !candidate.everyone || candidate.hasNotPrincipal) return false;
  if (!(required.actions ?? []).every((action) => coversAction(candidate, action))) return false;
  if (!requirement.resources.every((spellings) => coversResource(candidate, spellings))) return false;
  return candidate.conditions.every((clause) => impliedBy(clause, required.conditions, normalize));
}

function coversAction(candidate: NormalizedStatement, action: string): boolean {
  // Both sides are lower-cased by normalizeStatement.
  if (candidate.actions) return candidate.actions.some((pattern) => pattern === action || iamPatternMatches(pattern, action, false));
  if (candidate.notActions) {
    // NotAction covers `action` only if no excluded pattern overlaps it.
    return !candidate.notActions.some((pattern) => iamPatternMatches(pattern, action, false) || iamPatternMatches(action, pattern, false));
  }
  return false;
}

function coversResource(candidate: NormalizedStatement, spellings: readonly string[]): boolean {
  if (!candidate.resources) return false; // NotResource: not worth the risk of a wrong answer
  return candidate.resources.some((pattern) => spellings.includes(pattern)
    || (hasIamWildcard(pattern) && spellings.some((s) => iamPatternMatches(pattern, s, false))));
}

/** Whether `clause` of a candidate Deny holds whenever all `required` clauses hold. */
export function impliedBy(clause: ConditionClause, required: readonly ConditionClause[], normalize: ValueNormalizer): boolean {
  const sameKey = required.filter((r) => r.key === clause.key);
  const keyAbsent = sameKey.some((r) => r.operator === 'Null' && r.values.length === 1 && r.values[0] === 'true');
  const base = baseOperator(clause.operator);
  const ifExists = clause.operator !== base;
  // When the required request has no such key, negated operators and ...IfExists are true.
  if (keyAbsent && (NEGATED_OPERATORS.has(base) || ifExists)) return true;
  return sameKey.some((r) => clauseImplies(r, clause, normalize));
}

function clauseImplies(r: ConditionClause, s: ConditionClause, normalize: ValueNormalizer): boolean {
  const rBase = baseOperator(r.operator);
  const sBase = baseOperator(s.operator);
  const rIfExists = r.operator !== rBase;
  const sIfExists = s.operator !== sBase;
  // r true on a missing key but s not: s is narrower there (negated operators are true on missing keys anyway).
  if (rIfExists && !sIfExists && !NEGATED_OPERATORS.has(sBase)) return false;
  const norm = (values: readonly string[], key: string) => values.map((v) => normalize(key, v));
  const rValues = norm(r.values, r.key);
  const sValues = norm(s.values, s.key);
  if (rBase === 'Null' || sBase === 'Null') return rBase === sBase && sameSet(rValues, sValues);
  if (rBase === 'Bool' && sBase === 'Bool') return sameSet(rValues, sValues);
  const positive = ['StringEquals', 'ArnEquals', 'ArnLike', 'StringLike'];
  const negated = ['StringNotEquals', 'ArnNotEquals', 'ArnNotLike', 'StringNotLike'];
  if (positive.includes(rBase) && positive.includes(sBase)) {
    // r: value in rValues  =>  s: value matches one of sValues
    if (rBase.endsWith('Like') && rValues.some(hasIamWildcard)) return false;
    return rValues.every((v) => sValues.some((p) => (sBase.endsWith('Like') ? iamPatternMatches(p, v, false) : p === v)));
  }
  if (negated.includes(rBase) && negated.includes(sBase)) {
    // r: value not in rValues  =>  s: value not in sValues; holds when sValues ⊆ rValues (no wildcards in s).
    if (sBase.endsWith('Like') && sValues.some(hasIamWildcard)) return false;
    return sValues.every((v) => rValues.includes(v));
  }
  if (rBase === 'StringEqualsIgnoreCase' && sBase === 'StringEqualsIgnoreCase') {
    return rValues.every((v) => sValues.some((p) => p.toLowerCase() === v.toLowerCase()));
  }
  if (rBase === 'StringNotEqualsIgnoreCase' && sBase === 'StringNotEqualsIgnoreCase') {
    return sValues.every((v) => rValues.some((p) => p.toLowerCase() === v.toLowerCase()));
  }
  if ((rBase === 'NumericLessThan' || rBase === 'NumericLessThanEquals') && (sBase === 'NumericLessThan' || sBase === 'NumericLessThanEquals')) {
    // r: x < rv  =>  s: x < sv (or x <= sv) when sv >= rv.
    if (rValues.length !== 1 || sValues.length !== 1) return false;
    const rv = Number(rValues[0]);
    const sv = Number(sValues[0]);
    if (!Number.isFinite(rv) || !Number.isFinite(sv)) return false;
    return rBase === 'NumericLessThanEquals' && sBase === 'NumericLessThan' ? sv > rv : sv >= rv;
  }
  return false;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v) => b.includes(v));
}

/** The statement without the clauses matching `drop`. */
export function withoutClauses(statement: NormalizedStatement, drop: (c: ConditionClause) => boolean): NormalizedStatement {
  return { ...statement, conditions: statement.conditions.filter((c) => !drop(c)) };
}
