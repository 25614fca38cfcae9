// What the guardrails add to synth, in CPU time as well as wall time: on a shared machine wall
// time swings with other processes' load, CPU time (user + system of the synth process) much less.
// Same app as bench/synth-cases/guardrails.ts: N REGULATED EncryptedBuckets under the five
// cdk-nag packs, with vs without S3EncryptionChecks + EncryptionGuardrails (ENFORCE).
//   npx tsx bench/guardrails-overhead.ts [--runs 5] [--sizes 100,500]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'aws-cdk-lib';
import { guardrails } from './synth-cases/guardrails';

const { values } = parseArgs({ options: {
  runs: { type: 'string', default: '5' }, sizes: { type: 'string', default: '100,500' },
  child: { type: 'string' }, size: { type: 'string' },
} });

if (values.child) {
  // One measured synth in this fresh process.
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-guardrails-'));
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  guardrails.build(app, values.child as 'ours' | 'baseline', Number(values.size));
  app.synth();
  const used = process.cpuUsage(cpu);
  fs.rmSync(outdir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ wallMs: Number(process.hrtime.bigint() - wall) / 1e6, cpuMs: (used.user + used.system) / 1000 }) + '\n');
} else {
  const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const measure = (variant: string, size: number) => JSON.parse(execFileSync(tsx, [__filename, '--child', variant, '--size', String(size)], {
    env: { ...process.env, CDK_VALIDATION: 'false' }, encoding: 'utf8',
  }).trim().split('\n').pop()!);
  console.log(`guardrails overhead: ${values.runs} runs per cell, median, variants alternating; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; node ${process.version}`);
  console.log('| N | ours CPU ms | baseline CPU ms | CPU ratio | ours wall ms | baseline wall ms | wall ratio |');
  console.log('|---|---|---|---|---|---|---|');
  for (const size of values.sizes!.split(',').map(Number)) {
    const samples: Record<string, { wallMs: number; cpuMs: number }[]> = { ours: [], baseline: [] };
    for (let r = 0; r < Number(values.runs); r++) {
      for (const variant of r % 2 === 0 ? ['ours', 'baseline'] : ['baseline', 'ours']) samples[variant].push(measure(variant, size));
    }
    const cpu = { ours: median(samples.ours.map((s) => s.cpuMs)), baseline: median(samples.baseline.map((s) => s.cpuMs)) };
    const wall = { ours: median(samples.ours.map((s) => s.wallMs)), baseline: median(samples.baseline.map((s) => s.wallMs)) };
    console.log(`| ${size} | ${cpu.ours.toFixed(0)} | ${cpu.baseline.toFixed(0)} | ${(cpu.ours / cpu.baseline).toFixed(2)}x | ${wall.ours.toFixed(0)} | ${wall.baseline.toFixed(0)} | ${(wall.ours / wall.baseline).toFixed(2)}x |`);
  }
  console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}
