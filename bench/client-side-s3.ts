// Client-side encryption through S3 (radosgw, scripts/ceph-rgw.sh), in one run:
//   throughput — put and get through S3EncryptionClient ("ours": V3, raw AES keyring, its defaults:
//                one PutObject up to 8 MiB, else multipart with 8 MiB parts, 4 in flight; gets with buffered
//                authentication) vs plain, unencrypted @aws-sdk/client-s3 PutObject/GetObject ("sdk": the
//                cost of not encrypting at all), same S3Client, alternating order per round; the table shows
//                median throughputs and the median of the per-round ratios ours/sdk;
//   memory     — peak RSS of a 1 GiB streamed put and a 1 GiB streamed get (delayed authentication)
//                through S3EncryptionClient, each in its own process (an esbuild bundle of this file under
//                plain node; peak = VmHWM), the worse of 2 runs.
//
//   bash scripts/ceph-rgw.sh run npx tsx bench/client-side-s3.ts [--rounds 5] [--no-rss]
//
// Puts send an in-memory buffer (generated before timing); gets read the whole stream and discard it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { ClientSideEncryption } from '../lib/runtime/client-side/client-side-encryption';
import { RawAesKeyring } from '../lib/runtime/client-side/keyrings/raw-aes-keyring';
import { S3EncryptionClient } from '../lib/runtime/client-side/s3-encryption-client';
import { createS3Client } from '../lib/runtime/s3-client-factory';
import { peakRssMb } from './peak-rss';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

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

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run through scripts/ceph-rgw.sh run (see the header of bench/client-side-s3.ts)`);
  return v;
}

function s3(): S3Client {
  return createS3Client({
    endpoint: env('S3_ENDPOINT'),
    region: process.env.S3_REGION ?? 'us-east-1',
    forcePathStyle: true,
    caCert: readFileSync(env('S3_CA_CERT')),
    credentials: { accessKeyId: env('S3_ACCESS_KEY'), secretAccessKey: env('S3_SECRET_KEY') },
  });
}

function discard(): Writable {
  return new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  });
}

/** `size` bytes of a repeated random 1 MiB block, streamed in 1 MiB chunks (constant memory). */
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
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

type Side = 'ours' | 'sdk';

async function timePut(side: Side, client: S3Client, ours: S3EncryptionClient, bucket: string, sc: Scenario, body: Buffer, round: number): Promise<number> {
  const keys = Array.from({ length: sc.count }, (_, i) => `${side}/${sc.size}/${round}/${i}`);
  const start = process.hrtime.bigint();
  await inParallel(keys, sc.concurrency, async (k) => {
    if (side === 'ours') await ours.putObject({ bucket, key: k, body });
    else await client.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: body }));
  });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function timeGet(side: Side, client: S3Client, ours: S3EncryptionClient, bucket: string, sc: Scenario, round: number): Promise<number> {
  // each side reads the objects it wrote in this round
  const keys = Array.from({ length: sc.count }, (_, i) => `${side}/${sc.size}/${round}/${i}`);
  const start = process.hrtime.bigint();
  await inParallel(keys, sc.concurrency, async (k) => {
    if (side === 'ours') {
      const out = await ours.getObject({ bucket, key: k });
      await pipeline(out.body, discard());
    } else {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: k }));
      await pipeline(out.Body as Readable, discard());
    }
  });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function emptyBucket(client: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    if (!page.Contents?.length) return;
    await inParallel(page.Contents, 8, async (o) => void (await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key! }))));
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// ---------------------------------------------------------------- child: one 1 GiB transfer, report peak RSS

function encryptionClient(client: S3Client, keyB64: string, delayed: boolean): S3EncryptionClient {
  return new S3EncryptionClient({
    client,
    encryption: new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: Buffer.from(keyB64, 'base64') }), enableDelayedAuthentication: delayed }),
  });
}

async function child(op: 'put' | 'get', bucket: string, objectKey: string, keyB64: string): Promise<void> {
  const rssBefore = process.memoryUsage().rss;
  const client = s3();
  const ours = encryptionClient(client, keyB64, true);
  const start = process.hrtime.bigint();
  let bytes = 0;
  if (op === 'put') {
    bytes = (await ours.putObject({ bucket, key: objectKey, body: syntheticStream(GiB) })).size;
  } else {
    const out = await ours.getObject({ bucket, key: objectKey });
    out.body.on('data', (c: Buffer) => (bytes += c.length));
    await pipeline(out.body, discard());
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(
    JSON.stringify({ op, bytes, seconds, maxRssMb: peakRssMb(), startRssMb: rssBefore / MiB }),
  );
  client.destroy();
}

function bundleSelf(): string {
  const outdir = join(__dirname, 'results', '.bundle');
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, 'client-side-s3-bench.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  esbuild.buildSync({ entryPoints: [__filename], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile, external: ['esbuild'], logLevel: 'silent' });
  return outfile;
}

function runChild(bundle: string, op: 'put' | 'get', bucket: string, objectKey: string, key: Buffer) {
  const out = execFileSync(process.execPath, [bundle, '--child', op, bucket, objectKey, key.toString('base64')], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.toString()) as { op: string; bytes: number; seconds: number; maxRssMb: number; startRssMb: number };
}

// ---------------------------------------------------------------- parent

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return child(argv[1] as 'put' | 'get', argv[2], argv[3], argv[4]);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const rounds = Number(argv[argv.indexOf('--rounds') + 1] || 0) || 5;
  const withRss = !argv.includes('--no-rss');

  const client = s3();
  const key = randomBytes(32);
  const ours = encryptionClient(client, key.toString('base64'), false);
  const bucket = `bench-cse-${Date.now().toString(36)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, rounds, scenarios: [] as unknown[] };
  try {
    console.log(`Client-side encryption (S3EncryptionClient, V3, raw AES) vs unencrypted puts/gets against radosgw (${env('S3_ENDPOINT')}), ${rounds} rounds after 1 warm-up round\n`);
    console.log('| scenario | op | sdk MiB/s (median) | ours MiB/s (median) | ours/sdk (median of per-round ratios) |');
    console.log('|---|---|---|---|---|');
    for (const sc of SCENARIOS) {
      const body = randomBytes(sc.size);
      const samples: Record<string, number[]> = { 'put-ours': [], 'put-sdk': [], 'get-ours': [], 'get-sdk': [] };
      for (let round = 0; round <= rounds; round++) {
        const order: Side[] = round % 2 ? ['sdk', 'ours'] : ['ours', 'sdk'];
        for (const side of order) {
          const t = await timePut(side, client, ours, bucket, sc, body, round);
          if (round > 0) samples[`put-${side}`].push((sc.size * sc.count) / MiB / t);
        }
        for (const side of order) {
          const t = await timeGet(side, client, ours, bucket, sc, round);
          if (round > 0) samples[`get-${side}`].push((sc.size * sc.count) / MiB / t);
        }
        await emptyBucket(client, bucket); // memstore keeps data in RAM
      }
      for (const op of ['put', 'get']) {
        const sdkSamples = samples[`${op}-sdk`];
        const oursSamples = samples[`${op}-ours`];
        const sdk = median(sdkSamples);
        const mine = median(oursSamples);
        const ratio = median(oursSamples.map((o, i) => o / sdkSamples[i]));
        console.log(`| ${sc.name} | ${op} | ${sdk.toFixed(1)} | ${mine.toFixed(1)} | **${ratio.toFixed(2)}** |`);
        (results.scenarios as unknown[]).push({ scenario: sc.name, op, sdkMiBps: sdk, oursMiBps: mine, ratio, samples: { sdk: sdkSamples, ours: oursSamples } });
      }
    }

    if (withRss) {
      const bundle = bundleSelf();
      const worst = (op: 'put' | 'get') => {
        const runs = [runChild(bundle, op, bucket, 'one-gib', key), runChild(bundle, op, bucket, 'one-gib', key)];
        return runs.reduce((a, b) => (b.maxRssMb > a.maxRssMb ? b : a));
      };
      const put = worst('put');
      const get = worst('get');
      console.log('\nPeak RSS of a 1 GiB streamed transfer through S3EncryptionClient (own process, plain node; get with delayed authentication)\n');
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
  const file = join(dir, `client-side-s3-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2));
  console.log(`\nraw samples: ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
