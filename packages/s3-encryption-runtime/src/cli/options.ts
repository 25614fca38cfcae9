/**
 * Command-line options: every command declares its options once, as {@link OptionGroup}s, and both the
 * parser and the help text are derived from that one table, so they cannot drift apart.
 */
// node:util parseArgs over commander/yargs: no runtime dependency in a key-handling tool, strict unknown-option errors; the help it lacks is rendered below from the same table.
import { parseArgs } from 'node:util';
import { UsageError } from './command';

/** One option: what parseArgs needs, plus its help. */
export interface OptionDef {
  /** `string` takes a value, `boolean` is a flag. */
  readonly type: 'string' | 'boolean';
  /** One-letter alias (`-f`). */
  readonly short?: string;
  /** May be repeated (values collected in order). */
  readonly multiple?: boolean;
  /** Placeholder of the value in help, e.g. `FILE` (string options). */
  readonly value?: string;
  /** Help text; `\n` starts an indented continuation line. */
  readonly help: string;
}

/** Options by long name (without `--`). */
export type OptionDefs = Readonly<Record<string, OptionDef>>;

/** A titled group of options in help (`Key (exactly one):`); parsing ignores the grouping. */
export interface OptionGroup {
  /** Heading in help. */
  readonly title: string;
  /** The options. */
  readonly options: OptionDefs;
}

/** Parsed option values. */
export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** All options of `groups` as one map (later groups override earlier ones with the same name). */
export function mergeGroups(groups: readonly OptionGroup[]): OptionDefs {
  return Object.assign({}, ...groups.map((g) => g.options)) as OptionDefs;
}

/** Parses `args` strictly against `groups`: unknown options, missing values and stray words are usage errors. */
export function parseOptions(args: readonly string[], groups: readonly OptionGroup[]): OptionValues {
  const options = Object.fromEntries(Object.entries(mergeGroups(groups)).map(([name, d]) => [
    name,
    { type: d.type, ...(d.short ? { short: d.short } : {}), ...(d.multiple ? { multiple: true } : {}) },
  ]));
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values as OptionValues;
  } catch (err) {
    throw new UsageError(parseArgsMessage(err as Error & { code?: string }));
  }
}

/** parseArgs's messages, reworded for this CLI (it has no positional arguments to suggest `--` for). */
function parseArgsMessage(err: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return err.message.includes('argument missing') ? `${quoted.replace(/ <value>$/, '')} needs a value` : `${quoted} takes no value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${JSON.stringify(quoted)}: every value follows its option, e.g. --in FILE`;
    default:
      return err.message.split('\n')[0];
  }
}

const HELP_COLUMN = 30;

/** Help lines of `groups`: a heading per group, then `  --name, -s VALUE   help` aligned. */
export function renderOptionGroups(groups: readonly OptionGroup[]): string[] {
  const lines: string[] = [];
  for (const group of groups) {
    if (lines.length > 0) lines.push('');
    lines.push(`${group.title}:`);
    for (const [name, d] of Object.entries(group.options)) {
      const left = `  --${name}${d.short ? `, -${d.short}` : ''}${d.type === 'string' ? ` ${d.value ?? 'VALUE'}` : ''}`;
      const [first, ...rest] = d.help.split('\n');
      lines.push(left.length < HELP_COLUMN ? `${left.padEnd(HELP_COLUMN)}${first}` : `${left}\n${' '.repeat(HELP_COLUMN)}${first}`);
      for (const more of rest) lines.push(`${' '.repeat(HELP_COLUMN + 2)}${more}`);
    }
  }
  return lines;
}

/** A required string option, or a usage error naming it. */
export function requireString(values: OptionValues, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** An optional string option (`undefined` when absent or empty). */
export function optionalString(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `--help` and `--quiet`, which every command takes. */
export const COMMON_OPTIONS: OptionGroup = {
  title: 'General',
  options: {
    quiet: { type: 'boolean', short: 'q', help: 'no progress display (shown on a terminal for transfers over 8 MiB)' },
    help: { type: 'boolean', short: 'h', help: 'show this help' },
  },
};
