// Synth benchmark: every case in bench/synth-cases, ours against its baseline in the same run,
// each measurement in its own process (bench/synth-child.ts), the order of the variants rotating every
// run, median (or with --stat best, the best) of --runs, after --warmup untimed runs of each variant.
//   npx tsx bench/synth.ts [--runs 3] [--case name] [--sizes 1,100] [--validation] [--stat median|best]
//        [--warmup 1] [--before ../before-checkout]
// --validation keeps aws-cdk-lib's built-in CloudFormation validation on (off by default: it
// costs the same for both variants and hides the constructs' own cost).
// --before DIR adds a third variant, "before": this checkout's case definition and child, built by the older
// checkout's library. The child runs in a scratch folder holding copies of bench/synth-child.ts, measure.ts,
// synth-cases/ and bin/ beside symlinks to DIR's lib, node_modules and tsconfig.json, so `../../lib` and
// aws-cdk-lib resolve into DIR. Ours (now) is then printed against it: issue 12 allows at most 5% more. A
// case marked `notComparableBefore`, or that does not build against the older library, says why.
// Wall time swings with other processes' load on a shared machine; CPU time (user + system of the
// child over construction + synth) much less, so both are reported, with the load average.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseStatistic, rotation, summarize } from './measure';
import { SYNTH_CASES } from './synth-cases';
import { type SynthCase } from './synth-cases/types';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    case: { type: 'string' },
    sizes: { type: 'string' },
    validation: { type: 'boolean', default: false },
    stat: { type: 'string', default: 'median' },
    warmup: { type: 'string', default: '1' },
    before: { type: 'string' },
  },
  strict: true,
});
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const stat = parseStatistic(values.stat);
const cases = SYNTH_CASES.filter((x) => !values.case || x.name === values.case);
const sizesOverride = values.sizes?.split(',').map(Number);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);
if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`--warmup must be a non-negative integer, not ${values.warmup}`);
if (sizesOverride?.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes must be positive integers, not ${values.sizes}`);
if (cases.length === 0) throw new Error(`no case '${values.case}'; cases: ${SYNTH_CASES.map((c) => c.name).join(', ')}`);

const ROOT = path.join(__dirname, '..');
const beforeDir = values.before === undefined ? undefined : path.resolve(values.before);
if (beforeDir && !fs.existsSync(path.join(beforeDir, 'node_modules', '.bin', 'tsx'))) throw new Error(`--before ${values.before}: no node_modules/.bin/tsx there; run npm ci in it first`);

type Variant = 'ours' | 'before' | 'baseline';

/** This checkout's bench files over the older checkout's library (see the header); removed at exit. */
function beforeOverlay(dir: string): string {
  const overlay = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-before-'));
  process.on('exit', () => fs.rmSync(overlay, { recursive: true, force: true }));
  for (const name of ['node_modules', 'tsconfig.json']) fs.symlinkSync(path.join(dir, name), path.join(overlay, name));
  // The older library, file by file, plus a re-export for each module that has since moved into
  // lib/private/ (the case definitions import them from there).
  const lib = path.join(overlay, 'lib');
  fs.mkdirSync(path.join(lib, 'private'), { recursive: true });
  for (const entry of fs.readdirSync(path.join(dir, 'lib'))) {
    if (entry !== 'private') fs.symlinkSync(path.join(dir, 'lib', entry), path.join(lib, entry));
  }
  for (const entry of fs.readdirSync(path.join(dir, 'lib', 'private'))) fs.symlinkSync(path.join(dir, 'lib', 'private', entry), path.join(lib, 'private', entry));
  for (const entry of fs.readdirSync(path.join(ROOT, 'lib', 'private'))) {
    const moved = path.join(dir, 'lib', entry);
    if (!fs.existsSync(path.join(lib, 'private', entry)) && fs.existsSync(moved)) {
      fs.writeFileSync(path.join(lib, 'private', entry), `export * from '../${path.basename(entry, '.ts')}';\n`);
    }
  }
  // copies, not symlinks: Node resolves a module's imports from its real path
  fs.cpSync(path.join(ROOT, 'bin'), path.join(overlay, 'bin'), { recursive: true }); // the app helpers some cases use
  for (const name of ['synth-child.ts', 'measure.ts', 'synth-cases']) fs.cpSync(path.join(__dirname, name), path.join(overlay, 'bench', name), { recursive: true });
  return overlay;
}
const overlay = beforeDir ? beforeOverlay(beforeDir) : undefined;

/** The child that builds `variant`, and the folder it runs in (tsx reads that folder's tsconfig.json). */
function childCommand(variant: Variant): { child: string; cwd: string; variant: 'ours' | 'baseline' } {
  if (variant === 'before') return { child: path.join(overlay!, 'bench', 'synth-child.ts'), cwd: overlay!, variant: 'ours' };
  return { child: path.join(__dirname, 'synth-child.ts'), cwd: ROOT, variant };
}
const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/**
 * ms / cpuMs: construction + synth inside the child, wall and CPU (user + system); processMs: the whole
 * child process, start to exit (what `cdk synth` users wait for, minus the CLI).
 */
interface Sample { ms: number; cpuMs: number; processMs: number; maxRssMb: number; stacks: number; templateBytes: number }
type Figure = 'ms' | 'cpuMs' | 'processMs' | 'maxRssMb';

/** A child that failed, with its stderr. */
class ChildFailed extends Error {
  constructor(readonly variant: Variant, readonly stderr: string) {
    super(`the ${variant} child failed:\n${stderr}`);
  }
}

function measure(caseName: string, variant: Variant, size: number): Sample {
  const cmd = childCommand(variant);
  const started = process.hrtime.bigint();
  let out: string;
  try {
    out = execFileSync(tsx, [cmd.child, caseName, cmd.variant, String(size)], {
      cwd: cmd.cwd,
      env: { ...process.env, CDK_VALIDATION: values.validation ? 'true' : 'false' },
      encoding: 'utf8',
      maxBuffer: 16 << 20,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    throw new ChildFailed(variant, String((err as { stderr?: unknown }).stderr ?? err));
  }
  const processMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { ...JSON.parse(out.trim().split('\n').pop()!), processMs };
}

/** Why `c` cannot be built by the older library (one line of the child's error), or undefined when it can. */
function notComparable(c: SynthCase, size: number): string | undefined {
  try {
    measure(c.name, 'before', size);
    return undefined;
  } catch (err) {
    if (!(err instanceof ChildFailed)) throw err;
    return `the case does not build against the older library: ${/^[^\w\n]*\w*(Error|Failed)\b.*$/m.exec(err.stderr)?.[0] ?? err.stderr.trim().split('\n')[0]}`;
  }
}

const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

console.log(`synth benchmark: ${runs} runs per cell, ${stat === 'best' ? 'best (lowest)' : 'median'} of each figure, ${warmup} untimed warm-up run(s) per variant; `
  + `CloudFormation validation ${values.validation ? 'on' : 'off'}; node ${process.version}, ${os.cpus().length} cores, load average ${load()}`);
if (beforeDir) console.log(`before = ${beforeDir} (its lib and node_modules; this checkout's case definitions, bin/ and child)`);
for (const c of cases) {
  const sizes = sizesOverride ?? c.sizes;
  const why = beforeDir ? c.notComparableBefore ?? notComparable(c, Math.min(...sizes)) : undefined;
  const variants: Variant[] = beforeDir && !why ? ['ours', 'before', 'baseline'] : ['ours', 'baseline'];
  for (let i = 0; i < warmup; i++) for (const v of variants) measure(c.name, v, Math.min(...sizes)); // tsx's compile cache, the page cache

  const rows: Array<Record<Variant, Sample[]>> = [];
  for (const size of sizes) {
    const samples: Record<Variant, Sample[]> = { ours: [], before: [], baseline: [] };
    for (let r = 0; r < runs; r++) for (const v of rotation(variants, r)) samples[v].push(measure(c.name, v, size));
    rows.push(samples);
  }
  // a, b and the ratio a/b of one figure
  const cells = (samples: Record<Variant, Sample[]>, a: Variant, b: Variant, figure: Figure, goal?: number) => {
    const x = summarize(samples[a].map((s) => s[figure]), stat);
    const y = summarize(samples[b].map((s) => s[figure]), stat);
    const ratio = x / y;
    return `${x.toFixed(0)} | ${y.toFixed(0)} | ${ratio.toFixed(2)}x${goal !== undefined && ratio > goal ? ' (over goal)' : ''}`;
  };
  const bytes = (samples: Record<Variant, Sample[]>, a: Variant, b: Variant) => (samples[a][0].templateBytes / samples[b][0].templateBytes).toFixed(2);

  console.log(`\n**${c.name}**: ${c.description} (goal ours/baseline <= ${c.goalRatio})`);
  console.log(`ours: ${c.variants.ours}; baseline: ${c.variants.baseline}\n`);
  console.log('| N | ours ms | baseline ms | time ratio | ours CPU ms | baseline CPU ms | CPU ratio | ours process ms | baseline process ms | process ratio | ours peak RSS MB | baseline peak RSS MB | RSS ratio | template bytes ratio |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  sizes.forEach((size, i) => {
    const s = rows[i];
    console.log(`| ${size} | ${cells(s, 'ours', 'baseline', 'ms', c.goalRatio)} | ${cells(s, 'ours', 'baseline', 'cpuMs', c.goalRatio)} | ${cells(s, 'ours', 'baseline', 'processMs', c.goalRatio)} | ${cells(s, 'ours', 'baseline', 'maxRssMb')} | ${bytes(s, 'ours', 'baseline')}x |`);
  });
  if (!beforeDir) continue;
  if (why) {
    console.log(`\n**${c.name}, now vs before**: not compared: ${why}`);
    continue;
  }
  console.log(`\n**${c.name}, now vs before** (issue 12: now/before <= 1.05)\n`);
  console.log('| N | now ms | before ms | time ratio | now CPU ms | before CPU ms | CPU ratio | now process ms | before process ms | process ratio | now peak RSS MB | before peak RSS MB | RSS ratio | template bytes ratio |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  sizes.forEach((size, i) => {
    const s = rows[i];
    console.log(`| ${size} | ${cells(s, 'ours', 'before', 'ms', 1.05)} | ${cells(s, 'ours', 'before', 'cpuMs', 1.05)} | ${cells(s, 'ours', 'before', 'processMs', 1.05)} | ${cells(s, 'ours', 'before', 'maxRssMb')} | ${bytes(s, 'ours', 'before')}x |`);
  });
}
console.log(`\nload average after: ${load()}`);
