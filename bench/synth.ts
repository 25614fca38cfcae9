// Synth benchmark: every case in bench/synth-cases, ours against its baseline in the same run,
// each measurement in its own process (bench/synth-child.ts), alternating variants, median of --runs.
//   npx tsx bench/synth.ts [--runs 3] [--case name] [--validation]
// --validation keeps aws-cdk-lib's built-in CloudFormation validation on (off by default: it
// costs the same for both variants and hides the constructs' own cost).
// Wall time swings with other processes' load on a shared machine; CPU time (user + system of the
// child over construction + synth) much less, so both are reported, with the load average.
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { median } from './measure';
import { SYNTH_CASES } from './synth-cases';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, case: { type: 'string' }, validation: { type: 'boolean', default: false } } });
const runs = Number(values.runs);
const cases = SYNTH_CASES.filter((x) => !values.case || x.name === values.case);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);
if (cases.length === 0) throw new Error(`no case '${values.case}'; cases: ${SYNTH_CASES.map((c) => c.name).join(', ')}`);
const child = path.join(__dirname, 'synth-child.ts');
const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');

/**
 * ms / cpuMs: construction + synth inside the child, wall and CPU (user + system); processMs: the whole
 * child process, start to exit (what `cdk synth` users wait for, minus the CLI).
 */
interface Sample { ms: number; cpuMs: number; processMs: number; maxRssMb: number; stacks: number; templateBytes: number }

type Variant = 'ours' | 'baseline';
/** Runs alternate which variant goes first, so neither always gets the warmer machine. */
const ALTERNATING_ORDERS: readonly (readonly Variant[])[] = [['ours', 'baseline'], ['baseline', 'ours']];

function measure(caseName: string, variant: string, size: number): Sample {
  const started = process.hrtime.bigint();
  const out = execFileSync(tsx, [child, caseName, variant, String(size)], {
    env: { ...process.env, CDK_VALIDATION: values.validation ? 'true' : 'false' },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const processMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { ...JSON.parse(out.trim().split('\n').pop()!), processMs };
}

const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

console.log(`synth benchmark: ${runs} runs per cell, median; CloudFormation validation ${values.validation ? 'on' : 'off'}; node ${process.version}, ${os.cpus().length} cores, load average ${load()}`);
for (const c of cases) {
  console.log(`\n## ${c.name}: ${c.description} (goal ours/baseline <= ${c.goalRatio})`);
  console.log(`ours: ${c.variants.ours}; baseline: ${c.variants.baseline}\n`);
  console.log('| N | ours ms | baseline ms | time ratio | ours CPU ms | baseline CPU ms | CPU ratio | ours process ms | baseline process ms | process ratio | ours peak RSS MB | baseline peak RSS MB | RSS ratio | template bytes ratio |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const size of c.sizes) {
    const samples: Record<Variant, Sample[]> = { ours: [], baseline: [] };
    for (let r = 0; r < runs; r++) {
      for (const variant of ALTERNATING_ORDERS[r % 2]) {
        samples[variant].push(measure(c.name, variant, size));
      }
    }
    const over = (r: number) => (r > c.goalRatio ? ' (over goal)' : '');
    // ours, baseline, ratio of the medians of one figure
    const cells = (figure: 'ms' | 'cpuMs' | 'processMs' | 'maxRssMb', goal: boolean) => {
      const ours = median(samples.ours.map((s) => s[figure]));
      const baseline = median(samples.baseline.map((s) => s[figure]));
      const ratio = ours / baseline;
      return `${ours.toFixed(0)} | ${baseline.toFixed(0)} | ${ratio.toFixed(2)}x${goal ? over(ratio) : ''}`;
    };
    const bytes = samples.ours[0].templateBytes / samples.baseline[0].templateBytes;
    console.log(`| ${size} | ${cells('ms', true)} | ${cells('cpuMs', true)} | ${cells('processMs', true)} | ${cells('maxRssMb', false)} | ${bytes.toFixed(2)}x |`);
  }
}
console.log(`\nload average after: ${load()}`);
