/**
 * Renders resolved CloudFormation values (what `Stack.resolve` returns: strings, `Ref`, `Fn::GetAtt`,
 * `Fn::Join`, `Fn::Sub`, `Fn::ImportValue`, ...) to one comparable string, so that two spellings of
 * the same thing compare equal: `{"Fn::GetAtt": ["B", "Arn"]}`, `arn:${AWS::Partition}:s3:::${B}` and
 * `{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Ref": "B"}]]}` all name bucket B.
 *
 * References become placeholders `⟨<stack>#<LogicalId>⟩` (Ref) and `⟨<stack>#<LogicalId>.<Attr>⟩`
 * (GetAtt). The brackets cannot appear in logical ids, ARNs or names, so a placeholder never collides
 * with literal text. Anything that cannot be rendered faithfully (`Fn::If`, `Fn::FindInMap`,
 * parameters' values, ...) renders to `undefined`: a guardrail must not guess.
 */

import { isJsonObject } from './json';

/** Opening and closing bracket of a reference placeholder. */
export const PLACEHOLDER_OPEN = '\u27e8';
export const PLACEHOLDER_CLOSE = '\u27e9';

/** What rendering needs to know about the stack a value lives in. */
export interface RenderContext {
  /** Short, unique key of the stack, used in placeholders. */
  readonly stackKey: string;
  /** Values of pseudo parameters known at synth (account and Region of an explicit env). */
  readonly pseudo: Readonly<Record<string, string | undefined>>;
  /** Canonical value of a cross-stack export, when the exporting stack is in the app. */
  importValue(exportName: string): string | undefined;
}

/** Placeholder of `{Ref: logicalId}` in `stackKey`. */
export function refPlaceholder(stackKey: string, logicalId: string): string {
  return `${PLACEHOLDER_OPEN}${stackKey}#${logicalId}${PLACEHOLDER_CLOSE}`;
}

/** Placeholder of `{Fn::GetAtt: [logicalId, attribute]}` in `stackKey`. */
export function getAttPlaceholder(stackKey: string, logicalId: string, attribute: string): string {
  return `${PLACEHOLDER_OPEN}${stackKey}#${logicalId}.${attribute}${PLACEHOLDER_CLOSE}`;
}

const PARTITION_IN_ARN = /\barn:aws(?:-[a-z]+)*:/g;

/**
 * Every partition is rendered as `aws`: a template deploys into one partition, so
 * `arn:${AWS::Partition}:s3:::b` and `arn:aws:s3:::b` name the same bucket there.
 */
function canonicalPartition(text: string): string {
  return text.replace(PARTITION_IN_ARN, 'arn:aws:');
}

/** Renders a scalar CloudFormation value to its canonical string, or undefined when it cannot. */
export function renderCfnString(value: unknown, ctx: RenderContext): string | undefined {
  const raw = renderRaw(value, ctx);
  return raw === undefined ? undefined : canonicalPartition(raw);
}

/** Renders a CloudFormation list (an array, or `Fn::Split`) to canonical strings. */
export function renderCfnList(value: unknown, ctx: RenderContext): string[] | undefined {
  const list = renderListRaw(value, ctx);
  return list?.map(canonicalPartition);
}

/** Renders a value that may be a single string or a list of them (IAM's `Action`, `Resource`, ...). */
export function renderCfnStrings(value: unknown, ctx: RenderContext): string[] | undefined {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value) || isIntrinsic(value, 'Fn::Split')) return renderCfnList(value, ctx);
  const one = renderCfnString(value, ctx);
  return one === undefined ? undefined : [one];
}

function isIntrinsic(value: unknown, name: string): boolean {
  return isJsonObject(value) && Object.keys(value).length === 1 && name in value;
}

function renderRaw(value: unknown, ctx: RenderContext): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (!isJsonObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const [name] = keys;
  const arg = value[name];
  switch (name) {
    case 'Ref':
      return typeof arg === 'string' ? renderRef(arg, ctx) : undefined;
    case 'Fn::GetAtt': {
      const [logicalId, attribute]: readonly unknown[] = Array.isArray(arg) ? (arg as unknown[]) : typeof arg === 'string' ? splitOnce(arg, '.') : [];
      if (typeof logicalId !== 'string' || typeof attribute !== 'string') return undefined;
      return getAttPlaceholder(ctx.stackKey, logicalId, attribute);
    }
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') return undefined;
      const parts = renderListRaw(arg[1], ctx);
      return parts?.join(arg[0]);
    }
    case 'Fn::Sub':
      return renderSub(arg, ctx);
    case 'Fn::Select': {
      if (!Array.isArray(arg) || arg.length !== 2) return undefined;
      const index = Number(renderRaw(arg[0], ctx));
      const list = renderListRaw(arg[1], ctx);
      return list && Number.isInteger(index) && index >= 0 && index < list.length ? list[index] : undefined;
    }
    case 'Fn::ImportValue': {
      const exportName = renderRaw(arg, ctx);
      if (exportName === undefined) return undefined;
      return ctx.importValue(exportName) ?? `${PLACEHOLDER_OPEN}import:${exportName}${PLACEHOLDER_CLOSE}`;
    }
    default:
      return undefined; // Fn::If, Fn::FindInMap, Fn::Base64, Fn::GetAZs, Fn::Cidr, ...
  }
}

function renderListRaw(value: unknown, ctx: RenderContext): string[] | undefined {
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const item of value as unknown[]) {
      const rendered = renderRaw(item, ctx);
      if (rendered === undefined) return undefined;
      out.push(rendered);
    }
    return out;
  }
  if (isJsonObject(value) && isIntrinsic(value, 'Fn::Split')) {
    const arg = value['Fn::Split'];
    if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') return undefined;
    const source = renderRaw(arg[1], ctx);
    return source?.split(arg[0]);
  }
  return undefined;
}

function renderRef(name: string, ctx: RenderContext): string {
  if (name.startsWith('AWS::')) {
    if (name === 'AWS::Partition') return 'aws';
    if (name === 'AWS::URLSuffix') return 'amazonaws.com';
    return ctx.pseudo[name] ?? `${PLACEHOLDER_OPEN}${name}${PLACEHOLDER_CLOSE}`;
  }
  return refPlaceholder(ctx.stackKey, name);
}

function renderSub(arg: unknown, ctx: RenderContext): string | undefined {
  const [template, variables]: readonly unknown[] = Array.isArray(arg) ? (arg as unknown[]) : [arg, {}];
  if (typeof template !== 'string' || !isJsonObject(variables)) return undefined;
  let failed = false;
  const out = template.replace(/\$\{([^}]*)\}/g, (whole: string, inner: string) => {
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`; // ${!Literal} is the text ${Literal}
    if (inner in variables) {
      const rendered = renderRaw(variables[inner], ctx);
      if (rendered === undefined) failed = true;
      return rendered ?? whole;
    }
    if (inner.includes('.') && !inner.startsWith('AWS::')) {
      const [logicalId, attribute] = splitOnce(inner, '.');
      return getAttPlaceholder(ctx.stackKey, logicalId, attribute);
    }
    return renderRef(inner, ctx);
  });
  return failed ? undefined : out;
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + separator.length)];
}

/**
 * An IAM wildcard pattern (`*` any run, `?` one character) as a regular expression. IAM matches
 * actions case-insensitively, ARNs case-sensitively.
 */
export function iamPatternToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}

const COMPILED_PATTERNS = new Map<string, RegExp>();

/** Whether an IAM pattern (with `*`/`?`) matches a literal value. */
export function iamPatternMatches(pattern: string, value: string, caseInsensitive: boolean): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return caseInsensitive ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  const cacheKey = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let regExp = COMPILED_PATTERNS.get(cacheKey);
  if (!regExp) {
    regExp = iamPatternToRegExp(pattern, caseInsensitive);
    if (COMPILED_PATTERNS.size < 10_000) COMPILED_PATTERNS.set(cacheKey, regExp);
  }
  return regExp.test(value);
}

/** Whether a string contains an IAM wildcard. */
export function hasIamWildcard(value: string): boolean {
  return value.includes('*') || value.includes('?');
}
