// The shared harness of the benchmarks that run against radosgw (bench/sse-c.ts, bench/client-side-s3.ts):
//   throughput — put and get through "ours" vs plain @aws-sdk/client-s3 calls ("sdk"), same S3Client,
//                alternating order per round; the table shows median throughputs and the median of the
//                per-round ratios ours/sdk (paired, so drifting machine load cancels out);
//   memory     — peak RSS of a 1 GiB streamed put and of a 1 GiB streamed get through "ours", each in its
//                own process (an esbuild bundle of the benchmark file under plain node, so neither tsx nor
//                the other phase counts; peak = VmHWM), the worse of 2 runs.
// Puts send an in-memory buffer (generated before timing); gets read the whole stream and discard it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, ListObjectsV2Command, type S3Client,
} from '@aws-sdk/client-s3';
import { createS3Client } from '../packages/s3-encryption-runtime/src/s3-client-factory';
import { bundleForNode, median, peakRssMb } from './measure';

export const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Which implementation a measurement runs. */
export type Side = 'ours' | 'sdk';

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

/** What one benchmark compares. `secret` is an opaque string handed to the child processes (a key, base64). */
export interface ThroughputSubject {
  /** First line of the report. */
  readonly title: string;
  /** Title of the peak-RSS table. */
  readonly rssTitle: string;
  /** Bucket name prefix and results file prefix, e.g. `sse-c`. */
  readonly name: string;
  /** The key material for this run, as a string the child can be given. */
  readonly secret: string;
  /** Whether the sdk side reads the objects the sdk side wrote (else both read the objects "ours" wrote). */
  readonly sidesReadOwnObjects: boolean;
  /** Upload `body` as `key` through `side`. */
  put(side: Side, client: S3Client, bucket: string, key: string, body: Buffer): Promise<void>;
  /** Download `key` through `side`, as a stream of plaintext. */
  get(side: Side, client: S3Client, bucket: string, key: string): Promise<Readable>;
  /** In a child process: stream 1 GiB up (`put`) or down (`get`) through "ours"; returns the bytes moved. */
  transferOneGiB(op: 'put' | 'get', client: S3Client, bucket: string, key: string, secret: string, body: Readable): Promise<number>;
}

function env(name: string): string {
  const v = process.env[name];
  if (v) return v;
  const unavailable = process.env.S3_UNAVAILABLE_REASON; // set by scripts/ceph-rgw.sh run when radosgw did not start
  throw new Error(unavailable
    ? `no S3 server to benchmark against: ${unavailable}`
    : `${name} is not set: run the benchmark through 'bash scripts/ceph-rgw.sh run npx tsx bench/<name>.ts'`);
}

/** An S3 client for the radosgw that scripts/ceph-rgw.sh started. */
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

interface RssSample { op: string; bytes: number; seconds: number; maxRssMb: number; startRssMb: number }

async function child(subject: ThroughputSubject, op: 'put' | 'get', bucket: string, objectKey: string, secret: string): Promise<void> {
  const startRssMb = process.memoryUsage().rss / MiB;
  const client = s3FromEnv();
  let bytes = 0;
  const seconds = await timed(async () => {
    bytes = await subject.transferOneGiB(op, client, bucket, objectKey, secret, syntheticStream(GiB));
  });
  process.stdout.write(JSON.stringify({ op, bytes, seconds, maxRssMb: peakRssMb(), startRssMb } satisfies RssSample));
  client.destroy();
}

function bundle(entry: string, name: string): string {
  const outdir = join(__dirname, 'results', '.bundle');
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, `${name}-bench.js`);
  bundleForNode(entry, outfile);
  return outfile;
}

function runChild(bundled: string, op: 'put' | 'get', bucket: string, objectKey: string, secret: string): RssSample {
  const out = execFileSync(process.execPath, [bundled, '--child', op, bucket, objectKey, secret], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.toString()) as RssSample;
}

/**
 * Runs the benchmark of `subject` (or, with `--child`, one 1 GiB transfer). `entry` is the benchmark
 * file (`__filename`), bundled for the child processes. Flags: `--rounds N` (default 5), `--no-rss`.
 */
export function runThroughputBenchmark(subject: () => ThroughputSubject, entry: string): void {
  main(subject, entry).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}

async function main(makeSubject: () => ThroughputSubject, entry: string): Promise<void> {
  const argv = process.argv.slice(2);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const subject = makeSubject();
  if (argv[0] === '--child') return child(subject, argv[1] as 'put' | 'get', argv[2], argv[3], argv[4]);
  const { values } = parseArgs({ args: argv, options: { rounds: { type: 'string', default: '5' }, 'no-rss': { type: 'boolean', default: false } } });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, not ${values.rounds}`);
  const withRss = !values['no-rss'];

  const client = s3FromEnv();
  const bucket = `bench-${subject.name}-${Date.now().toString(36)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, rounds, scenarios: [] as unknown[] };
  try {
    console.log(`${subject.title} against radosgw (${env('S3_ENDPOINT')}), ${rounds} rounds after 1 warm-up round\n`);
    console.log('| scenario | op | sdk MiB/s (median) | ours MiB/s (median) | ours/sdk (median of per-round ratios) |');
    console.log('|---|---|---|---|---|');
    for (const sc of SCENARIOS) {
      const body = Buffer.alloc(sc.size, 0xa5);
      const samples: Record<string, number[]> = { 'put-ours': [], 'put-sdk': [], 'get-ours': [], 'get-sdk': [] };
      const keys = (side: Side, round: number) => Array.from({ length: sc.count }, (_, i) => `${side}/${sc.size}/${round}/${i}`);
      for (let round = 0; round <= rounds; round++) {
        const order: Side[] = round % 2 ? ['sdk', 'ours'] : ['ours', 'sdk'];
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
        const sdkSamples = samples[`${op}-sdk`];
        const oursSamples = samples[`${op}-ours`];
        const ratio = median(oursSamples.map((o, i) => o / sdkSamples[i]));
        console.log(`| ${sc.name} | ${op} | ${median(sdkSamples).toFixed(1)} | ${median(oursSamples).toFixed(1)} | **${ratio.toFixed(2)}** |`);
        (results.scenarios as unknown[]).push({ scenario: sc.name, op, sdkMiBps: median(sdkSamples), oursMiBps: median(oursSamples), ratio, samples: { sdk: sdkSamples, ours: oursSamples } });
      }
    }

    if (withRss) {
      const bundled = bundle(entry, subject.name);
      const worst = (op: 'put' | 'get') => [1, 2].map(() => runChild(bundled, op, bucket, 'one-gib', subject.secret)).reduce((a, b) => (b.maxRssMb > a.maxRssMb ? b : a));
      const put = worst('put');
      const get = worst('get');
      console.log(`\n${subject.rssTitle}\n`);
      console.log('| op | bytes | seconds | MiB/s | RSS at start MB | peak RSS MB |');
      console.log('|---|---|---|---|---|---|');
      for (const r of [put, get]) {
        console.log(`| ${r.op} | ${r.bytes} | ${r.seconds.toFixed(1)} | ${(r.bytes / MiB / r.seconds).toFixed(1)} | ${r.startRssMb.toFixed(0)} | **${r.maxRssMb.toFixed(0)}** |`);
      }
      results.rss = [put, get];
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'one-gib' }));
    }
  } finally {
    await emptyBucket(client, bucket);
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
    client.destroy();
  }
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${subject.name}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2));
  console.log(`\nraw samples: ${file}`);
}
