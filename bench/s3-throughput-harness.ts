// The shared harness of the benchmarks that run against radosgw (bench/sse-c.ts, bench/client-side-s3.ts):
//   throughput — put and get through "ours" (this checkout's runtime), optionally "before" (the same API
//                from an older checkout, --before DIR: DIR/lib/runtime) and plain @aws-sdk/client-s3 calls
//                ("sdk"), same S3Client, the order of the sides rotating every round; the table shows the
//                throughputs and the ratios ours/sdk, before/sdk and ours/before: by default medians of the
//                throughputs and medians of the per-round ratios (paired, so drifting machine load cancels
//                out); with --stat best, each side's best round and the ratios of those;
//   memory     — peak RSS of a 1 GiB streamed put and of a 1 GiB streamed get through "ours" (and "before"),
//                each in its own process (an esbuild bundle of the benchmark file under plain node, so
//                neither tsx nor the other phase counts; peak = VmHWM), the worse of --rss-runs runs (2).
// Ours and before are each bundled from the same re-exports (the modules sit at the same relative paths in
// both layouts) with npm packages left external, so both load the one AWS SDK of this checkout (the same
// version the older checkout pinned) and neither side's process carries the other's code.
// Puts send an in-memory buffer (generated before timing); gets read the whole stream and discard it.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, ListObjectsV2Command, type S3Client,
} from '@aws-sdk/client-s3';
import { createS3Client } from '../packages/s3-encryption-runtime/src/s3-client-factory';
import {
  beforeRuntimeSources, bundleForNode, bundleRuntime, loadBundle, median, parseStatistic, peakRssMb, rotation, RUNTIME_SOURCES, type Statistic, summarize,
} from './measure';

export const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** A runtime under test: this checkout's ("ours") or an older checkout's ("before"). */
export type RuntimeSide = 'ours' | 'before';
/** Which implementation a measurement runs. */
export type Side = RuntimeSide | 'sdk';

interface Scenario {
  readonly name: string;
  readonly size: number;
  readonly count: number;
  readonly concurrency: number;
}

const SCENARIOS: Scenario[] = [
  { name: '64 MiB objects, 4 in sequence', size: 64 * MiB, count: 4, concurrency: 1 },
  { name: '1 MiB objects, 64 with 8 in parallel', size: MiB, count: 64, concurrency: 8 },
];

/** What one benchmark compares, in one process. */
export interface ThroughputSubject {
  /** First line of the report. */
  readonly title: string;
  /** Title of the peak-RSS table. */
  readonly rssTitle: string;
  /** Whether each side reads the objects it wrote (else every side reads the objects "ours" wrote). */
  readonly sidesReadOwnObjects: boolean;
  /** Upload `body` as `key` through `side`. */
  put(side: Side, client: S3Client, bucket: string, key: string, body: Buffer): Promise<void>;
  /** Download `key` through `side`, as a stream of plaintext. */
  get(side: Side, client: S3Client, bucket: string, key: string): Promise<Readable>;
  /** In a child process: stream `body` (1 GiB unless --rss-mib) up (`put`), or the object down (`get`), through a runtime; returns the bytes moved. */
  transferOneGiB(side: RuntimeSide, op: 'put' | 'get', client: S3Client, bucket: string, key: string, body: Readable): Promise<number>;
}

/** A benchmark: which runtime modules it needs (`M`, loaded from a bundle per side) and the subject built on them. */
export interface ThroughputBenchmark<M> {
  /** Bucket name prefix and results file prefix, e.g. `sse-c`. */
  readonly name: string;
  /**
   * TypeScript `export { X } from './relative/path'` lines naming what the subject uses, resolved against
   * the runtime's sources (`packages/s3-encryption-runtime/src` here, `lib/runtime` in the older layout).
   */
  readonly runtimeExports: string;
  /**
   * The subject, given the runtimes loaded in this process (in a child only the side it measures) and the
   * run's secret: 32 random bytes, base64, the same in the parent and every child.
   */
  subject(runtimes: Partial<Record<RuntimeSide, M>>, secret: string): ThroughputSubject;
}

/** The runtime module of `side`, or a clear error when this process did not load it. */
export function runtimeOf<M>(runtimes: Partial<Record<RuntimeSide, M>>, side: RuntimeSide): M {
  const m = runtimes[side];
  if (!m) throw new Error(`the ${side} runtime is not loaded in this process`);
  return m;
}

function env(name: string): string {
  const v = process.env[name];
  if (v) return v;
  const unavailable = process.env.S3_UNAVAILABLE_REASON; // set by scripts/ceph-rgw.sh run when radosgw did not start
  throw new Error(unavailable
    ? `no S3 server to benchmark against: ${unavailable}`
    : `${name} is not set: run the benchmark through 'bash scripts/ceph-rgw.sh run npx tsx bench/<name>.ts'`);
}

/** An S3 client for the radosgw that scripts/ceph-rgw.sh started (the same settings for every side). */
export function s3FromEnv(): S3Client {
  return createS3Client({
    endpoint: env('S3_ENDPOINT'),
    region: process.env.S3_REGION ?? 'us-east-1',
    forcePathStyle: true,
    caCert: readFileSync(env('S3_CA_CERT')),
    credentials: { accessKeyId: env('S3_ACCESS_KEY'), secretAccessKey: env('S3_SECRET_KEY') },
  });
}

function discard(): Writable {
  return new Writable({ write(_chunk, _enc, cb) { cb(); } });
}

/** `size` bytes of a repeated 1 MiB block, streamed in 1 MiB chunks (constant memory). */
function syntheticStream(size: number): Readable {
  const block = Buffer.alloc(MiB, 0x5c);
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, MiB);
      left -= n;
      this.push(n === MiB ? block : block.subarray(0, n));
    },
  });
}

async function inParallel<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

async function emptyBucket(client: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    if (!page.Contents?.length) return;
    await inParallel(page.Contents, 8, async (o) => void (await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key! }))));
  }
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

interface RssSample { side: RuntimeSide; op: string; bytes: number; seconds: number; maxRssMb: number; startRssMb: number }

interface Bundles { readonly child: string; readonly runtimes: Partial<Record<RuntimeSide, string>> }

function bundleAll<M>(bench: ThroughputBenchmark<M>, entry: string, beforeSources: string | undefined): Bundles {
  // in bench/results/.bundle, so the packages left external resolve to this checkout's node_modules
  const outdir = join(__dirname, 'results', '.bundle');
  mkdirSync(outdir, { recursive: true });
  const child = join(outdir, `${bench.name}-bench.js`);
  bundleForNode(entry, child, { externalPackages: true });
  const runtimes: Partial<Record<RuntimeSide, string>> = { ours: join(outdir, `${bench.name}-ours-runtime.js`) };
  bundleRuntime(RUNTIME_SOURCES, bench.runtimeExports, runtimes.ours!, { externalPackages: true });
  if (beforeSources) {
    runtimes.before = join(outdir, `${bench.name}-before-runtime.js`);
    bundleRuntime(beforeSources, bench.runtimeExports, runtimes.before, { externalPackages: true });
  }
  return { child, runtimes };
}

async function child<M>(bench: ThroughputBenchmark<M>, args: string[]): Promise<void> {
  const [side, op, bucket, objectKey, secret, runtimeBundle, sizeText] = args as [RuntimeSide, 'put' | 'get', string, string, string, string, string];
  const subject = bench.subject({ [side]: loadBundle<M>(runtimeBundle) }, secret);
  const client = s3FromEnv();
  const startRssMb = process.memoryUsage().rss / MiB; // node, the SDK and the runtime loaded
  let bytes = 0;
  const seconds = await timed(async () => {
    bytes = await subject.transferOneGiB(side, op, client, bucket, objectKey, syntheticStream(Number(sizeText)));
  });
  process.stdout.write(JSON.stringify({ side, op, bytes, seconds, maxRssMb: peakRssMb(), startRssMb } satisfies RssSample));
  client.destroy();
}

function runChild(bundles: Bundles, side: RuntimeSide, op: 'put' | 'get', bucket: string, objectKey: string, secret: string, size: number): RssSample {
  const out = execFileSync(process.execPath, [bundles.child, '--child', side, op, bucket, objectKey, secret, bundles.runtimes[side]!, String(size)], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.toString()) as RssSample;
}

/**
 * Runs `bench` (or, with `--child`, one 1 GiB transfer). `entry` is the benchmark file (`__filename`),
 * bundled for the child processes. Flags: `--rounds N` (default 5), `--no-rss`, `--rss-runs N` (default 2),
 * `--rss-mib N` (default 1024: the object of the peak-RSS runs), `--before DIR`, `--stat median|best` (default median).
 */
export function runThroughputBenchmark<M>(bench: ThroughputBenchmark<M>, entry: string): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const argv = process.argv.slice(2);
  (argv[0] === '--child' ? child(bench, argv.slice(1)) : main(bench, entry, argv)).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}

const fmt = (x: number) => x.toFixed(1);
const ratio = (x: number) => x.toFixed(2);

async function main<M>(bench: ThroughputBenchmark<M>, entry: string, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string', default: '5' },
      'no-rss': { type: 'boolean', default: false },
      'rss-runs': { type: 'string', default: '2' },
      'rss-mib': { type: 'string', default: String(GiB / MiB) },
      before: { type: 'string' },
      stat: { type: 'string', default: 'median' },
    },
    strict: true,
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, not ${values.rounds}`);
  const rssRuns = Number(values['rss-runs']);
  if (!Number.isInteger(rssRuns) || rssRuns < 1) throw new Error(`--rss-runs must be a positive integer, not ${values['rss-runs']}`);
  const rssBytes = Number(values['rss-mib']) * MiB;
  if (!Number.isInteger(rssBytes) || rssBytes < MiB) throw new Error(`--rss-mib must be a positive integer, not ${values['rss-mib']}`);
  const stat: Statistic = parseStatistic(values.stat);
  const withRss = !values['no-rss'];
  const beforeSources = values.before === undefined ? undefined : beforeRuntimeSources(values.before);

  const bundles = bundleAll(bench, entry, beforeSources);
  const runtimeSides: RuntimeSide[] = beforeSources ? ['ours', 'before'] : ['ours'];
  const runtimes: Partial<Record<RuntimeSide, M>> = Object.fromEntries(runtimeSides.map((side) => [side, loadBundle<M>(bundles.runtimes[side]!)]));
  const secret = randomBytes(32).toString('base64');
  const subject = bench.subject(runtimes, secret);
  const sides: Side[] = [...runtimeSides, 'sdk'];

  const client = s3FromEnv();
  const bucket = `bench-${bench.name}-${Date.now().toString(36)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, rounds, stat, before: beforeSources, scenarios: [] as unknown[] };
  try {
    const statText = stat === 'best' ? 'best round of each side, ratios of the best' : 'median throughputs, median of per-round ratios';
    console.log(`${subject.title} against radosgw (${env('S3_ENDPOINT')}), ${rounds} rounds after 1 warm-up round, ${statText}${beforeSources ? `; before = ${beforeSources}` : ''}\n`);
    console.log(beforeSources
      ? '| scenario | op | sdk MiB/s | ours MiB/s | before MiB/s | ours/sdk | before/sdk | ours/before |\n|---|---|---|---|---|---|---|---|'
      : '| scenario | op | sdk MiB/s | ours MiB/s | ours/sdk |\n|---|---|---|---|---|');
    for (const sc of SCENARIOS) {
      const body = Buffer.alloc(sc.size, 0xa5);
      const samples: Record<string, number[]> = {};
      for (const op of ['put', 'get']) for (const side of sides) samples[`${op}-${side}`] = [];
      const keys = (side: Side, round: number) => Array.from({ length: sc.count }, (_, i) => `${side}/${sc.size}/${round}/${i}`);
      for (let round = 0; round <= rounds; round++) {
        const order = rotation(sides, round);
        for (const side of order) {
          const t = await timed(() => inParallel(keys(side, round), sc.concurrency, (k) => subject.put(side, client, bucket, k, body)));
          if (round > 0) samples[`put-${side}`].push((sc.size * sc.count) / MiB / t);
        }
        for (const side of order) {
          const objects = keys(subject.sidesReadOwnObjects ? side : 'ours', round);
          const t = await timed(() => inParallel(objects, sc.concurrency, async (k) => pipeline(await subject.get(side, client, bucket, k), discard())));
          if (round > 0) samples[`get-${side}`].push((sc.size * sc.count) / MiB / t);
        }
        await emptyBucket(client, bucket); // memstore keeps data in RAM
      }
      for (const op of ['put', 'get']) {
        const of = (side: Side) => samples[`${op}-${side}`];
        const mibps = (side: Side) => summarize(of(side), stat, 'higher');
        // median: of the per-round ratios (paired); best: of the best rounds
        const versus = (a: Side, b: Side) => (stat === 'median' ? median(of(a).map((x, i) => x / of(b)[i])) : mibps(a) / mibps(b));
        const row = { scenario: sc.name, op, sdkMiBps: mibps('sdk'), oursMiBps: mibps('ours'), oursOverSdk: versus('ours', 'sdk'), samples: Object.fromEntries(sides.map((s) => [s, of(s)])) };
        if (beforeSources) {
          const extra = { beforeMiBps: mibps('before'), beforeOverSdk: versus('before', 'sdk'), oursOverBefore: versus('ours', 'before') };
          console.log(`| ${sc.name} | ${op} | ${fmt(row.sdkMiBps)} | ${fmt(row.oursMiBps)} | ${fmt(extra.beforeMiBps)} | **${ratio(row.oursOverSdk)}** | ${ratio(extra.beforeOverSdk)} | ${ratio(extra.oursOverBefore)} |`);
          (results.scenarios as unknown[]).push({ ...row, ...extra });
        } else {
          console.log(`| ${sc.name} | ${op} | ${fmt(row.sdkMiBps)} | ${fmt(row.oursMiBps)} | **${ratio(row.oursOverSdk)}** |`);
          (results.scenarios as unknown[]).push(row);
        }
      }
    }

    if (withRss) {
      const worst: Partial<Record<string, RssSample>> = {};
      for (const op of ['put', 'get'] as const) {
        for (let run = 0; run < rssRuns; run++) {
          for (const side of rotation(runtimeSides, run)) {
            const s = runChild(bundles, side, op, bucket, `one-gib-${side}`, secret, rssBytes); // get reads what this side put
            if (!worst[`${op}-${side}`] || s.maxRssMb > worst[`${op}-${side}`]!.maxRssMb) worst[`${op}-${side}`] = s;
          }
        }
      }
      const what = rssBytes === GiB ? '' : ` (--rss-mib ${rssBytes / MiB}: not the 1 GiB of the goal)`;
      console.log(`\n${subject.rssTitle}, the worse of ${rssRuns} runs${what}\n`);
      console.log(beforeSources
        ? '| side | op | bytes | seconds | MiB/s | RSS at start MB | peak RSS MB | peak ours ÷ before |\n|---|---|---|---|---|---|---|---|'
        : '| side | op | bytes | seconds | MiB/s | RSS at start MB | peak RSS MB |\n|---|---|---|---|---|---|---|');
      for (const op of ['put', 'get']) {
        for (const side of runtimeSides) {
          const r = worst[`${op}-${side}`]!;
          const cells = `| ${side} | ${r.op} | ${r.bytes} | ${r.seconds.toFixed(1)} | ${fmt(r.bytes / MiB / r.seconds)} | ${r.startRssMb.toFixed(0)} | **${r.maxRssMb.toFixed(0)}** |`;
          const versus = !beforeSources ? '' : side === 'ours' ? ` ${ratio(r.maxRssMb / worst[`${op}-before`]!.maxRssMb)}x |` : ' — |';
          console.log(cells + versus);
        }
      }
      results.rss = Object.values(worst);
      for (const side of runtimeSides) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `one-gib-${side}` }));
    }
  } finally {
    await emptyBucket(client, bucket);
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
    client.destroy();
  }
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${bench.name}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2));
  console.log(`\nraw samples: ${file}`);
}
