/**
 * A test-only evaluator of the CloudWatch Logs filter-pattern syntax for JSON log events, as
 * documented in "Filter pattern syntax for metric filters, subscription filters, filter log events,
 * and Live Tail" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html)
 * and "Using filter patterns to match terms in JSON log events"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html).
 * No maintained npm package evaluates JSON patterns (see /work/scratch/audit-research.md §1.3), so
 * this is our own, checked first against AWS's documented examples
 * (test/audit/filter-pattern-evaluator.test.ts).
 *
 * It fails closed: wherever the documentation leaves the behaviour open, it throws
 * `UndocumentedFilterSemantics` instead of guessing, so a test can never pass on a guess.
 * Those places: `!=` on a missing field or through a wildcard selector, a number compared with a
 * string node (or the reverse, unquoted), an infix `*` in a string value, and regex features the
 * page does not list.
 *
 * Supported: `{ ... }` with `$.a.b`, `$.a[0]`, `$.a[*]`, `$.*`, `$.['dotted.key']` selectors;
 * `=`/`!=` with quoted or unquoted strings (`*` wildcard at either end), numbers and `%regex%`;
 * `> < >= <=` with numbers; `IS NULL|TRUE|FALSE`; `NOT EXISTS`; `&&`, `||` and parentheses
 * (precedence () > && > ||). The documented quotas are enforced: pattern length 1024 (TestMetricFilter
 * `filterPattern` maximum), one wildcard per selector, three wildcard selectors per pattern, two
 * regexes per pattern.
 */

/** The documentation says nothing about this case: the evaluator will not guess. */
export class UndocumentedFilterSemantics extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UndocumentedFilterSemantics';
  }
}

/** The pattern is not valid filter-pattern syntax (or breaks a documented quota). */
export class FilterPatternSyntaxError extends Error {
  constructor(pattern: string, position: number, message: string) {
    super(`${message} at ${position} in ${pattern}`);
    this.name = 'FilterPatternSyntaxError';
  }
}

/** Documented limits. */
export const FILTER_PATTERN_LIMITS = {
  /** TestMetricFilter / PutMetricFilter `filterPattern`: length 0-1024. */
  maxLength: 1024,
  /** "You can only use up to one wildcard selector in a property selector". */
  wildcardsPerSelector: 1,
  /** "up to three wildcard selectors in a filter pattern with compound expressions". */
  wildcardSelectorsPerPattern: 3,
  /** "limit of 2 regex for each filter pattern when creating a delimited or JSON filter pattern". */
  regexesPerPattern: 2,
} as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

type Step = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'wildcard' };
type Value =
  | { kind: 'string'; text: string; quoted: boolean }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'regex'; regex: RegExp; source: string };
type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'compare'; selector: Step[]; selectorText: string; op: '=' | '!=' | '>' | '<' | '>=' | '<='; value: Value }
  | { kind: 'is'; selector: Step[]; selectorText: string; literal: null | true | false }
  | { kind: 'notExists'; selector: Step[]; selectorText: string };

/** A parsed JSON filter pattern. Construct once, evaluate against many events. */
export class JsonFilterPattern {
  private readonly root: Node;

  constructor(public readonly pattern: string) {
    if (pattern.length > FILTER_PATTERN_LIMITS.maxLength) {
      throw new FilterPatternSyntaxError(pattern, FILTER_PATTERN_LIMITS.maxLength, `pattern is ${pattern.length} characters, over the ${FILTER_PATTERN_LIMITS.maxLength} allowed`);
    }
    this.root = new Parser(pattern).parse();
  }

  /** Whether the pattern matches one log event (a JSON document, as CloudWatch Logs receives it). */
  public matches(event: Json | string): boolean {
    const doc = typeof event === 'string' ? JSON.parse(event) as Json : event;
    return evaluate(this.root, doc);
  }
}

/** Shorthand: parse `pattern` and test it against `event`. */
export function filterPatternMatches(pattern: string, event: Json | string): boolean {
  return new JsonFilterPattern(pattern).matches(event);
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function evaluate(node: Node, doc: Json): boolean {
  switch (node.kind) {
    case 'and': return evaluate(node.left, doc) && evaluate(node.right, doc);
    case 'or': return evaluate(node.left, doc) || evaluate(node.right, doc);
    case 'notExists': return resolve(doc, node.selector).length === 0;
    case 'is': return resolve(doc, node.selector).some((v) => v === node.literal);
    case 'compare': return compare(node, doc);
  }
}

/** Every value a selector points to (several through a wildcard; none when the path is missing). */
function resolve(doc: Json, steps: Step[]): Json[] {
  let current: Json[] = [doc];
  for (const step of steps) {
    const next: Json[] = [];
    for (const value of current) {
      if (step.kind === 'key') {
        if (isObject(value) && Object.prototype.hasOwnProperty.call(value, step.key)) next.push(value[step.key]);
      } else if (step.kind === 'index') {
        // "{$.arrayKey[0] = "value"} ... If arrayKey is not an array this will be false."
        if (Array.isArray(value) && step.index < value.length) next.push(value[step.index]);
      } else if (Array.isArray(value)) {
        next.push(...value);
      } else if (isObject(value)) {
        next.push(...Object.values(value));
      }
    }
    current = next;
  }
  return current;
}

function compare(node: Extract<Node, { kind: 'compare' }>, doc: Json): boolean {
  const found = resolve(doc, node.selector);
  const throughWildcard = node.selector.some((s) => s.kind === 'wildcard');
  if (node.op === '!=') {
    if (found.length === 0) {
      throw new UndocumentedFilterSemantics(`'${node.selectorText} !=' on an event without that field: the documentation does not say whether it matches`);
    }
    if (throughWildcard) {
      throw new UndocumentedFilterSemantics(`'!=' through the wildcard selector ${node.selectorText}: the documentation does not say whether any or every element must differ`);
    }
  }
  // "If a property selector points to an array or object, the filter pattern won't match the log
  // format": such nodes never match, for '=' and '!=' alike (the older page's { "users": [1, 2, 3] } example).
  return found.some((value) => {
    if (value === null || typeof value === 'boolean' || typeof value === 'object') return false;
    return compareScalar(value, node);
  });
}

function compareScalar(actual: string | number, node: Extract<Node, { kind: 'compare' }>): boolean {
  const { op, value } = node;
  if (value.kind === 'regex') {
    if (op !== '=' && op !== '!=') throw new UndocumentedFilterSemantics(`regex with '${op}'`);
    if (typeof actual !== 'string') return false;
    const hit = value.regex.test(actual);
    return op === '=' ? hit : !hit;
  }
  if (op !== '=' && op !== '!=') {
    if (value.kind !== 'number' || typeof actual !== 'number') return false;
    switch (op) {
      case '>': return actual > value.value;
      case '<': return actual < value.value;
      case '>=': return actual >= value.value;
      case '<=': return actual <= value.value;
    }
  }
  let equal: boolean;
  if (value.kind === 'number') {
    if (typeof actual === 'string') {
      throw new UndocumentedFilterSemantics(`number ${value.text} compared with the string node ${JSON.stringify(actual)} at ${node.selectorText}`);
    }
    equal = actual === value.value;
  } else if (typeof actual === 'number') {
    if (!value.quoted && value.text !== '*') {
      throw new UndocumentedFilterSemantics(`unquoted ${value.text} compared with the number node ${actual} at ${node.selectorText}`);
    }
    // A quoted string never equals a number: the documented OR example compares
    // $.coordinates[0][1] (the number 1) with "nonmatch" and expects no match, no error.
    // A bare `*` matches any number: "Use the asterisk ("*") as a wild card to match numbers."
    equal = value.text === '*';
  } else {
    equal = wildcardEquals(actual, value.text);
  }
  return op === '=' ? equal : !equal;
}

/**
 * String equality with `*` as a wildcard at the start and/or end ("*Event", "Event*",
 * "* is pending deletion."). Case-sensitive: "Filter patterns are case sensitive."
 */
function wildcardEquals(actual: string, pattern: string): boolean {
  if (pattern === '*') return true;
  const leading = pattern.startsWith('*');
  const trailing = pattern.endsWith('*');
  const core = pattern.slice(leading ? 1 : 0, trailing ? -1 : undefined);
  if (core.includes('*')) {
    throw new UndocumentedFilterSemantics(`infix '*' in ${JSON.stringify(pattern)}: the older page calls it literal, the current page says nothing`);
  }
  if (leading && trailing) return actual.includes(core);
  if (leading) return actual.endsWith(core);
  if (trailing) return actual.startsWith(core);
  return actual === core;
}

function isObject(value: Json): value is { [key: string]: Json } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** Regex syntax the page lists: alphanumerics, `: _ # = @ / ; , -`, `^ $ ? [ ] { } | \ * + .`, and the classes. */
const REGEX_ALLOWED = /^[A-Za-z0-9:_#=@/;,\- ^$?[\]{}|\\*+.]*$/;
const REGEX_CLASSES = /\\[^dDsSwWx.\\^$?[\]{}|*+\-/]/;

class Parser {
  private pos = 0;
  private wildcardSelectors = 0;
  private regexes = 0;

  constructor(private readonly text: string) {}

  public parse(): Node {
    this.skipSpace();
    this.expect('{');
    const node = this.parseOr();
    this.skipSpace();
    this.expect('}');
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail('text after the closing brace');
    return node;
  }

  private parseOr(): Node {
    let left = this.parseAnd();
    while (this.skipSpace(), this.text.startsWith('||', this.pos)) {
      this.pos += 2;
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Node {
    let left = this.parseUnary();
    while (this.skipSpace(), this.text.startsWith('&&', this.pos)) {
      this.pos += 2;
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): Node {
    this.skipSpace();
    if (this.peek() === '(') {
      this.pos++;
      const inner = this.parseOr();
      this.skipSpace();
      this.expect(')');
      return inner;
    }
    return this.parseCondition();
  }

  private parseCondition(): Node {
    const start = this.pos;
    const selector = this.parseSelector();
    const selectorText = this.text.slice(start, this.pos);
    this.skipSpace();
    if (this.text.startsWith('IS', this.pos) && /\s/.test(this.text[this.pos + 2] ?? '')) {
      this.pos += 2;
      this.skipSpace();
      const word = this.readWord();
      const literals: Record<string, null | boolean> = { NULL: null, TRUE: true, FALSE: false };
      if (!(word in literals)) this.fail(`IS ${word}: only NULL, TRUE and FALSE are documented ("IS NOT" is not supported)`);
      return { kind: 'is', selector, selectorText, literal: literals[word] };
    }
    if (this.text.startsWith('NOT', this.pos)) {
      this.pos += 3;
      this.skipSpace();
      const word = this.readWord();
      if (word !== 'EXISTS') this.fail(`NOT ${word}`);
      return { kind: 'notExists', selector, selectorText };
    }
    if (this.text.startsWith('EXISTS', this.pos)) this.fail('EXISTS is not supported ("The variables IS NOT and EXISTS currently aren\'t supported")');
    const op = this.parseOperator();
    this.skipSpace();
    const value = this.parseValue();
    // "{ PropertySelector NumericOperator Number }": the ordering operators take numbers only.
    if (op !== '=' && op !== '!=' && value.kind !== 'number') this.fail(`'${op}' needs a number`);
    return { kind: 'compare', selector, selectorText, op, value };
  }

  private parseSelector(): Step[] {
    this.expect('$');
    const steps: Step[] = [];
    let wildcards = 0;
    for (;;) {
      const c = this.peek();
      if (c === '.') {
        this.pos++;
        if (this.peek() === '*') {
          this.pos++;
          steps.push({ kind: 'wildcard' });
          wildcards++;
        } else if (this.peek() === '[') {
          continue; // `$.['cluster.name']`
        } else {
          const key = this.readWhile(/[A-Za-z0-9_-]/);
          if (!key) this.fail('expected a property name after "."');
          steps.push({ kind: 'key', key });
        }
      } else if (c === '[') {
        this.pos++;
        if (this.peek() === '*') {
          this.pos++;
          steps.push({ kind: 'wildcard' });
          wildcards++;
        } else if (this.peek() === "'") {
          this.pos++;
          const end = this.text.indexOf("'", this.pos);
          if (end < 0) this.fail('unterminated bracket key');
          steps.push({ kind: 'key', key: this.text.slice(this.pos, end) });
          this.pos = end + 1;
        } else {
          const digits = this.readWhile(/[0-9]/);
          if (!digits) this.fail('expected an array index');
          steps.push({ kind: 'index', index: Number(digits) });
        }
        this.expect(']');
      } else {
        break;
      }
    }
    if (steps.length === 0) this.fail('a selector needs at least one property');
    if (wildcards > FILTER_PATTERN_LIMITS.wildcardsPerSelector) this.fail('more than one wildcard in a property selector');
    if (wildcards > 0 && ++this.wildcardSelectors > FILTER_PATTERN_LIMITS.wildcardSelectorsPerPattern) {
      this.fail(`more than ${FILTER_PATTERN_LIMITS.wildcardSelectorsPerPattern} wildcard selectors in one pattern`);
    }
    return steps;
  }

  private parseOperator(): '=' | '!=' | '>' | '<' | '>=' | '<=' {
    for (const op of ['!=', '>=', '<=', '=', '>', '<'] as const) {
      if (this.text.startsWith(op, this.pos)) {
        this.pos += op.length;
        return op;
      }
    }
    return this.fail('expected =, !=, >, <, >=, <=, IS or NOT EXISTS');
  }

  private parseValue(): Value {
    const c = this.peek();
    if (c === '"') {
      this.pos++;
      let text = '';
      while (this.peek() !== '"') {
        if (this.pos >= this.text.length) this.fail('unterminated string');
        if (this.peek() === '\\' && this.text[this.pos + 1] === '"') {
          text += '"';
          this.pos += 2;
        } else {
          text += this.text[this.pos++];
        }
      }
      this.pos++;
      return { kind: 'string', text, quoted: true };
    }
    if (c === '%') {
      this.pos++;
      const end = this.text.indexOf('%', this.pos);
      if (end < 0) this.fail('unterminated regex');
      const source = this.text.slice(this.pos, end);
      this.pos = end + 1;
      if (++this.regexes > FILTER_PATTERN_LIMITS.regexesPerPattern) this.fail(`more than ${FILTER_PATTERN_LIMITS.regexesPerPattern} regexes in one pattern`);
      if (/[()]/.test(source)) this.fail('regex parentheses: "The ( and ) operators are not supported"');
      if (!REGEX_ALLOWED.test(source) || REGEX_CLASSES.test(source)) {
        throw new UndocumentedFilterSemantics(`regex %${source}% uses characters or escapes the page does not list`);
      }
      return { kind: 'regex', regex: new RegExp(source), source };
    }
    // Unquoted: up to whitespace, a closing parenthesis or brace, or a logical operator.
    const start = this.pos;
    while (this.pos < this.text.length && !/[\s)}]/.test(this.peek()) && !this.text.startsWith('&&', this.pos) && !this.text.startsWith('||', this.pos)) this.pos++;
    const text = this.text.slice(start, this.pos);
    if (!text) this.fail('expected a value');
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return { kind: 'number', value: Number(text), text };
    if (!/^[A-Za-z0-9_.*:-]+$/.test(text)) {
      // "Strings that contain types other than alphanumeric characters and the underscore symbol
      // must be placed in double quotation marks." AWS's own patterns leave '.', '*', '-' and ':'
      // unquoted (123.123.*, kms.amazonaws.com, kms*), so those are accepted; anything else is not.
      this.fail(`unquoted value ${text} must be in double quotes`);
    }
    return { kind: 'string', text, quoted: false };
  }

  private readWord(): string {
    return this.readWhile(/[A-Z]/);
  }

  private readWhile(re: RegExp): string {
    const start = this.pos;
    while (this.pos < this.text.length && re.test(this.text[this.pos])) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  private peek(): string {
    return this.text[this.pos] ?? '';
  }

  private expect(c: string): void {
    if (this.peek() !== c) this.fail(`expected '${c}'`);
    this.pos++;
  }

  private fail(message: string): never {
    throw new FilterPatternSyntaxError(this.text, this.pos, message);
  }
}
