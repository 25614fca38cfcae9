// One measured synth in a fresh process, so that wall time and peak RSS belong to this run alone.
// Usage (from bench/synth.ts): tsx bench/synth-child.ts <case> <ours|baseline> <size>
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { peakRssMb } from './measure';
import { SYNTH_CASES } from './synth-cases';

const [caseName, variant, sizeText] = process.argv.slice(2);
const synthCase = SYNTH_CASES.find((c) => c.name === caseName);
if (!synthCase || (variant !== 'ours' && variant !== 'baseline')) {
  console.error(`usage: synth-child.ts <${SYNTH_CASES.map((c) => c.name).join('|')}> <ours|baseline> <size>`);
  process.exit(2);
}
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
const started = process.hrtime.bigint();
const cpuStarted = process.cpuUsage();
const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
synthCase.build(app, variant, Number(sizeText));
const assembly = app.synth();
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const cpu = process.cpuUsage(cpuStarted);
const templateBytes = assembly.stacks.reduce((sum, s) => sum + fs.statSync(path.join(outdir, s.templateFile)).size, 0);
fs.rmSync(outdir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: peakRssMb(), stacks: assembly.stacks.length, templateBytes }) + '\n');
