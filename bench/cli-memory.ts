// Peak memory of the `s3-crypto` CLI (issue 14: ≤ 150 MB for a 1 GiB `encrypt` and a 1 GiB `decrypt`
// to a file), against a same-run baseline: a bare node:crypto AES-256-GCM file-to-file stream in its own
// `node` process (what any Node tool doing this work needs, without the CLI, the SDK or the format), and,
// with --before DIR, the CLI of an older checkout (single-package layout) as it shipped: DIR/dist/lib/runtime/cli/main.js.
//   npm run build && npx tsx bench/cli-memory.ts [--size-mib 1024] [--rounds 3] [--before ../before-checkout]
// Every case runs as its own process: the CLI as shipped (`node packages/s3-encryption-runtime/bin/s3-crypto.js`,
// the compiled dist/, so build first; the older CLI from its own compiled dist, `npm run build` there), the
// baseline as `node -e`. Each process reports its own peak RSS (VmHWM from /proc/self/status, read at exit by
// a preloaded hook, exact and per process) and the table shows the best (lowest) of --rounds, the order of the
// cases rotating every round; wall time is the best of the rounds too. MB here = 1024 * 1024 bytes, as in
// BENCHMARKS.md. The input is pseudo-random (a 1 MiB random block repeated), written once to a temporary directory.
// The older CLI refuses to decrypt more than 64 MiB without --delayed-authentication, so its decrypt gets that
// flag (it too renames the output into place only after the tag verified); the current CLI needs no flag.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { rotation } from './measure';

const MiB = 1024 * 1024;
const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'packages', 's3-encryption-runtime', 'bin', 's3-crypto.js');
const CLI_DIST = path.join(ROOT, 'packages', 's3-encryption-runtime', 'dist', 'cli', 'main.js');
const PEAK_RSS_PRELOAD = path.join(ROOT, 'packages', 's3-encryption-runtime', 'test', 'support', 'peak-rss-preload.js');
const GOAL_MB = 150;

// The baseline: stream a file through AES-256-GCM into another (tag appended), or back (tag read first).
const BARE = `
const fs = require('node:fs'); const crypto = require('node:crypto'); const { pipeline } = require('node:stream/promises');
const [op, input, output, keyFile] = process.argv.slice(1);
const key = fs.readFileSync(keyFile); const iv = Buffer.alloc(12, 7);
(async () => {
  if (op === 'encrypt') {
    const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
    const out = fs.createWriteStream(output);
    await pipeline(fs.createReadStream(input), cipher, out, { end: false });
    await new Promise((resolve, reject) => out.end(cipher.getAuthTag(), (err) => (err ? reject(err) : resolve())));
  } else {
    const size = fs.statSync(input).size; const tag = Buffer.alloc(16); const fd = fs.openSync(input, 'r');
    fs.readSync(fd, tag, 0, 16, size - 16); fs.closeSync(fd);
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv); decipher.setAuthTag(tag);
    await pipeline(fs.createReadStream(input, { end: size - 17 }), decipher, fs.createWriteStream(output));
  }
})().catch((err) => { console.error(err); process.exit(1); });
`;

interface Run { readonly peakMb: number; readonly seconds: number }

/** Runs `node [preload] args`, failing on a non-zero exit; returns its peak RSS and wall time. */
function runNode(args: string[], rssFile: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--require', PEAK_RSS_PRELOAD, ...args], {
      env: { ...process.env, S3_CRYPTO_TEST_PEAK_RSS_FILE: rssFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${args.slice(0, 3).join(' ')} exited ${code}: ${stderr}`));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ peakMb: Number(fs.readFileSync(rssFile, 'utf8')) / 1024, seconds });
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'size-mib': { type: 'string', default: '1024' }, rounds: { type: 'string', default: '3' }, before: { type: 'string' } },
    strict: true,
  });
  const sizeMiB = Number(values['size-mib']);
  const rounds = Number(values.rounds);
  if (!(sizeMiB > 0) || !(rounds >= 1)) throw new Error('--size-mib and --rounds must be positive numbers');
  if (!fs.existsSync(CLI_DIST)) throw new Error(`${CLI_DIST} is missing: run npm run build first (the benchmark runs the CLI as shipped)`);
  const beforeCli = values.before === undefined ? undefined : path.join(path.resolve(values.before), 'dist', 'lib', 'runtime', 'cli', 'main.js');
  if (beforeCli && !fs.existsSync(beforeCli)) throw new Error(`--before: ${beforeCli} is missing: run npm ci && npm run build in ${values.before} (the older CLI runs as it shipped)`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cli-memory-'));
  const p = (...parts: string[]) => path.join(dir, ...parts);
  try {
    fs.writeFileSync(p('key'), randomBytes(32));
    const block = randomBytes(MiB);
    const fd = fs.openSync(p('plain.bin'), 'w');
    for (let i = 0; i < sizeMiB; i++) fs.writeSync(fd, block);
    fs.closeSync(fd);

    const cases: Record<string, () => Promise<Run>> = {
      'cli encrypt': () => runNode([CLI, 'encrypt', '--in', p('plain.bin'), '--out-dir', p('cli.enc'), '--aes-key-file', p('key'), '--quiet'], p('rss')),
      'bare encrypt': () => runNode(['-e', BARE, 'encrypt', p('plain.bin'), p('bare.enc'), p('key')], p('rss')),
      'cli decrypt': () => runNode([CLI, 'decrypt', '--in-dir', p('cli.enc'), '--out', p('cli.out'), '--aes-key-file', p('key'), '--quiet'], p('rss')),
      'bare decrypt': () => runNode(['-e', BARE, 'decrypt', p('bare.enc'), p('bare.out'), p('key')], p('rss')),
      ...(beforeCli ? {
        'before encrypt': () => runNode([beforeCli, 'encrypt', '--in', p('plain.bin'), '--out-dir', p('before.enc'), '--aes-key-file', p('key'), '--quiet'], p('rss')),
        'before decrypt': () => runNode([beforeCli, 'decrypt', '--in-dir', p('before.enc'), '--out', p('before.out'), '--aes-key-file', p('key'), '--delayed-authentication', '--quiet'], p('rss')),
      } : {}),
    };
    const impls = beforeCli ? ['cli', 'before', 'bare'] : ['cli', 'bare'];
    const best: Record<string, Run> = {};
    for (let round = 0; round < rounds; round++) {
      // rotate which implementation goes first; encrypt before decrypt (decrypt reads encrypt's output)
      for (const op of ['encrypt', 'decrypt']) {
        for (const impl of rotation(impls, round)) {
          const name = `${impl} ${op}`;
          const run = await cases[name]();
          if (op === 'decrypt' && fs.statSync(p(`${impl}.out`)).size !== sizeMiB * MiB) throw new Error(`${name} wrote ${fs.statSync(p(`${impl}.out`)).size} bytes, not ${sizeMiB * MiB}`);
          best[name] = {
            peakMb: Math.min(run.peakMb, best[name]?.peakMb ?? Infinity),
            seconds: Math.min(run.seconds, best[name]?.seconds ?? Infinity),
          };
          process.stderr.write(`round ${round + 1}/${rounds} ${name}: ${run.peakMb.toFixed(1)} MB, ${run.seconds.toFixed(2)} s\n`);
        }
      }
      for (const impl of impls) fs.rmSync(p(`${impl}.out`), { force: true });
    }

    const lines = [
      `Peak RSS (VmHWM, best of ${rounds}) for ${sizeMiB} MiB, file to file; goal: CLI ≤ ${GOAL_MB} MB${beforeCli ? `; before = ${beforeCli}` : ''}`,
      '',
      beforeCli
        ? '| operation | s3-crypto CLI | before CLI | bare node:crypto stream | CLI ÷ before | CLI ÷ bare | CLI wall time | before wall time | goal |\n|---|---|---|---|---|---|---|---|---|'
        : '| operation | s3-crypto CLI | bare node:crypto stream | ratio | CLI wall time | goal |\n|---|---|---|---|---|---|',
    ];
    for (const op of ['encrypt', 'decrypt']) {
      const cli = best[`cli ${op}`];
      const bare = best[`bare ${op}`];
      const before = best[`before ${op}`];
      const goal = cli.peakMb <= GOAL_MB ? 'met' : 'MISSED';
      lines.push(before
        ? `| ${op} | ${cli.peakMb.toFixed(1)} MB | ${before.peakMb.toFixed(1)} MB | ${bare.peakMb.toFixed(1)} MB | ${(cli.peakMb / before.peakMb).toFixed(2)}x | ${(cli.peakMb / bare.peakMb).toFixed(2)}x | ${cli.seconds.toFixed(2)} s | ${before.seconds.toFixed(2)} s | ${goal} |`
        : `| ${op} | ${cli.peakMb.toFixed(1)} MB | ${bare.peakMb.toFixed(1)} MB | ${(cli.peakMb / bare.peakMb).toFixed(2)}x | ${cli.seconds.toFixed(2)} s | ${goal} |`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
