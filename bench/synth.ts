// Synth benchmark: every case in bench/synth-cases, ours against its baseline in the same run,
// each measurement in its own process, alternating variants, median of --runs.
//   npx tsx bench/synth.ts [--runs 3] [--case name] [--validation]
// --validation keeps aws-cdk-lib's built-in CloudFormation validation on (off by default: it
// costs the same for both variants and hides the constructs' own cost).
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { SYNTH_CASES } from './synth-cases';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, case: { type: 'string' }, validation: { type: 'boolean', default: false } } });
const runs = Number(values.runs);
const child = path.join(__dirname, 'synth-child.ts');
const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');

/** ms: construction + synth inside the child; processMs: the whole child process, start to exit (what `cdk synth` users wait for, minus the CLI). */
interface Sample { ms: number; processMs: number; maxRssMb: number; stacks: number; templateBytes: number }

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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`synth benchmark: ${runs} runs per cell, median; CloudFormation validation ${values.validation ? 'on' : 'off'}; node ${process.version}`);
for (const c of SYNTH_CASES.filter((x) => !values.case || x.name === values.case)) {
  console.log(`\n## ${c.name}: ${c.description} (goal ours/baseline <= ${c.goalRatio})`);
  console.log('| N | ours ms | baseline ms | time ratio | ours process ms | baseline process ms | process ratio | ours peak RSS MB | baseline peak RSS MB | RSS ratio | template bytes ratio |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const size of c.sizes) {
    const samples: Record<'ours' | 'baseline', Sample[]> = { ours: [], baseline: [] };
    for (let r = 0; r < runs; r++) {
      for (const variant of (r % 2 === 0 ? ['ours', 'baseline'] : ['baseline', 'ours']) as Array<'ours' | 'baseline'>) {
        samples[variant].push(measure(c.name, variant, size));
      }
    }
    const ms = { ours: median(samples.ours.map((s) => s.ms)), baseline: median(samples.baseline.map((s) => s.ms)) };
    const whole = { ours: median(samples.ours.map((s) => s.processMs)), baseline: median(samples.baseline.map((s) => s.processMs)) };
    const rss = { ours: median(samples.ours.map((s) => s.maxRssMb)), baseline: median(samples.baseline.map((s) => s.maxRssMb)) };
    const ratio = ms.ours / ms.baseline;
    const wholeRatio = whole.ours / whole.baseline;
    const over = (r: number) => (r > c.goalRatio ? ' (over goal)' : '');
    const bytes = samples.ours[0].templateBytes / samples.baseline[0].templateBytes;
    console.log(`| ${size} | ${ms.ours.toFixed(0)} | ${ms.baseline.toFixed(0)} | ${ratio.toFixed(2)}x${over(ratio)} | ${whole.ours.toFixed(0)} | ${whole.baseline.toFixed(0)} | ${wholeRatio.toFixed(2)}x${over(wholeRatio)} | ${rss.ours.toFixed(0)} | ${rss.baseline.toFixed(0)} | ${(rss.ours / rss.baseline).toFixed(2)}x | ${bytes.toFixed(2)}x |`);
  }
}
