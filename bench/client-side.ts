// Client-side encryption benchmark: for each size, encrypt and decrypt with
//   ours   — ClientSideEncryption (V3, raw AES keyring), encryptStream / decryptStream, this checkout;
//   before — the same API from an older checkout (--before DIR: DIR/lib/runtime, the single-package layout);
//   loop   — a bare node:crypto AES-256-GCM loop, cipher.update per 1 MiB chunk, no streams (issue 14's yardstick);
//   bare   — a bare node:crypto AES-256-GCM stream pipeline, in --chunk chunks;
//   esdk   — AWS Encryption SDK for JavaScript (@aws-crypto/client-node, raw AES keyring, streaming,
//            committing suite without signatures, default 4 KiB frames).
// Every measurement runs in its own process (so peak RSS is per case), the order of implementations
// rotating between runs; throughput is the median (or with --stat best, the best) of --runs, peak RSS
// the median. The children run esbuild bundles under plain node, so tsx's own ~50 MB count against no
// one; ours and before are each bundled from the same re-exports and loaded the same way.
//   npx tsx bench/client-side.ts [--runs 3] [--sizes 1MiB,64MiB,256MiB,1GiB] [--chunk 64KiB]
//        [--impls ours,before,loop,bare,esdk] [--before ../before-checkout] [--stat median|best]
// Encryption reads a synthetic in-memory source (a random 1 MiB block repeated, --chunk pieces) and
// discards the output; loop encrypts the same block with one cipher.update per 1 MiB. Objects below
// 64 MiB are measured as the mean of several objects after one untimed warm-up, each object with its
// own data key (key generation, wrapping and HKDF are inside the timing).
// Decryption reads a ciphertext file written beforehand (page cache) and discards the plaintext: the
// stream implementations in --chunk reads, loop with readSync into one 1 MiB buffer and one
// decipher.update per read. Ours and before decrypt their own ciphertext with buffered authentication
// up to 64 MiB (the default limit) and with delayed authentication above it (buffered is capped at
// 64 MiB by design); loop and bare read the tag from the end of the file first.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import {
  beforeRuntimeSources, bundleForNode, bundleRuntime, loadBundle, median, parseStatistic, peakRssMb, rotation, RUNTIME_SOURCES, type Statistic, summarize,
} from './measure';

/* eslint-disable @typescript-eslint/no-require-imports -- every implementation is loaded in its own child only */

const MiB = 1024 * 1024;
const LOOP_CHUNK = MiB;
const IMPLS = ['ours', 'before', 'loop', 'bare', 'esdk'] as const;
type Impl = (typeof IMPLS)[number];
type Op = 'encrypt' | 'decrypt';
interface Sample { ms: number; maxRssMb: number; bytes: number; mode: string }

/** What ours and before export to the benchmark: the same two classes, from their own sources. */
type Runtime = typeof import('../packages/s3-encryption-runtime/src/client-side/client-side-encryption') & typeof import('../packages/s3-encryption-runtime/src/client-side/keyrings/raw-aes-keyring');
const RUNTIME_REEXPORTS = [
  "export { ClientSideEncryption } from './client-side/client-side-encryption';",
  "export { RawAesKeyring } from './client-side/keyrings/raw-aes-keyring';",
].join('\n');
const runtimeBundle = (dir: string, impl: 'ours' | 'before') => path.join(dir, `${impl}-runtime.js`);

let sourceBlock: Buffer | undefined;
/** The random 1 MiB block every source repeats (made once per process, before timing). */
const block = () => (sourceBlock ??= randomBytes(MiB));

/** `size` bytes of the repeated block, in `chunk`-byte pieces. */
function syntheticSource(size: number, chunk: number): Readable {
  const b = block();
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const n = Math.min(chunk, size - sent);
      const off = sent % MiB;
      this.push(off + n <= MiB ? b.subarray(off, off + n) : Buffer.concat([b.subarray(off), b.subarray(0, n - (MiB - off))]));
      sent += n;
    },
  });
}

/** A sink that counts and discards. */
function countingSink(): { sink: Writable; bytes: () => number } {
  let bytes = 0;
  return { sink: new Writable({ write(chunk: Buffer, _e, cb) { bytes += chunk.length; cb(); } }), bytes: () => bytes };
}

// ---------------------------------------------------------------- child side (one case per process)

interface CaseContext { readonly op: Op; readonly size: number; readonly dir: string; readonly chunk: number }

function runtime(which: 'ours' | 'before', { op, size, dir, chunk }: CaseContext): () => Promise<string> {
  const { ClientSideEncryption, RawAesKeyring } = loadBundle<Runtime>(runtimeBundle(dir, which));
  const key = fs.readFileSync(path.join(dir, 'key'));
  const delayed = size > 64 * MiB;
  const client = new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: key }), enableDelayedAuthentication: delayed });
  const file = path.join(dir, `${which}-${size}`);
  if (op === 'encrypt') {
    return async () => {
      const out = await client.encryptStream(syntheticSource(size, chunk));
      const { sink, bytes } = countingSink();
      await pipeline(out.body, sink);
      return `V3, ${bytes() - size} B tag`;
    };
  }
  const metadata = JSON.parse(fs.readFileSync(`${file}.metadata.json`, 'utf8'));
  return async () => {
    const plaintext = await client.decryptStream({ body: fs.createReadStream(file, { highWaterMark: chunk }), metadata });
    await pipeline(plaintext, countingSink().sink);
    return delayed ? 'V3, delayed auth' : 'V3, buffered auth';
  };
}

const IV = Buffer.alloc(12, 7);

/** The tag at the end of a bare ciphertext file (`size` bytes of ciphertext, then 16). */
function readTrailingTag(file: string, size: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const tag = Buffer.alloc(16);
    fs.readSync(fd, tag, 0, 16, size);
    return tag;
  } finally {
    fs.closeSync(fd);
  }
}

function loop({ op, size, dir }: CaseContext): () => Promise<string> {
  const crypto = require('node:crypto') as typeof import('node:crypto');
  const key = fs.readFileSync(path.join(dir, 'key'));
  const file = path.join(dir, `bare-${size}`);
  if (op === 'encrypt') {
    return async () => {
      const b = block();
      const cipher = crypto.createCipheriv('aes-256-gcm', key, IV);
      let bytes = 0;
      for (let done = 0; done < size; done += LOOP_CHUNK) bytes += cipher.update(size - done >= LOOP_CHUNK ? b : b.subarray(0, size - done)).length;
      bytes += cipher.final().length;
      cipher.getAuthTag();
      if (bytes !== size) throw new Error(`loop encrypt produced ${bytes} bytes, not ${size}`);
      return 'cipher.update per 1 MiB, in memory';
    };
  }
  return async () => {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, IV);
    decipher.setAuthTag(readTrailingTag(file, size));
    const buffer = Buffer.allocUnsafe(LOOP_CHUNK);
    const fd = fs.openSync(file, 'r');
    let bytes = 0;
    try {
      for (let done = 0; done < size;) {
        const n = fs.readSync(fd, buffer, 0, Math.min(LOOP_CHUNK, size - done), done);
        if (n === 0) throw new Error(`${file} ended at ${done} bytes`);
        bytes += decipher.update(buffer.subarray(0, n)).length;
        done += n;
      }
    } finally {
      fs.closeSync(fd);
    }
    bytes += decipher.final().length; // throws unless the tag verifies
    if (bytes !== size) throw new Error(`loop decrypt produced ${bytes} bytes, not ${size}`);
    return 'readSync 1 MiB + decipher.update, tag read first';
  };
}

function bare({ op, size, dir, chunk }: CaseContext): () => Promise<string> {
  const crypto = require('node:crypto') as typeof import('node:crypto');
  const key = fs.readFileSync(path.join(dir, 'key'));
  const file = path.join(dir, `bare-${size}`);
  if (op === 'encrypt') {
    return async () => {
      const cipher = crypto.createCipheriv('aes-256-gcm', key, IV);
      await pipeline(syntheticSource(size, chunk), cipher, countingSink().sink);
      cipher.getAuthTag();
      return 'streaming';
    };
  }
  return async () => {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, IV);
    decipher.setAuthTag(readTrailingTag(file, size)); // the practical limit: the tag is known up front, plaintext streams
    await pipeline(fs.createReadStream(file, { highWaterMark: chunk, end: size - 1 }), decipher, countingSink().sink);
    return 'streaming, tag read first';
  };
}

function esdkClient(key: Buffer) {
  const sdk = require('@aws-crypto/client-node') as typeof import('@aws-crypto/client-node');
  const client = sdk.buildClient(sdk.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const keyring = new sdk.RawAesKeyringNode({
    keyName: 'bench', keyNamespace: 'bench', unencryptedMasterKey: new Uint8Array(key), wrappingSuite: sdk.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  const encrypt = () => client.encryptStream(keyring, { suiteId: sdk.AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY });
  return { encrypt, decrypt: () => client.decryptUnsignedMessageStream(keyring) };
}

function esdk({ op, size, dir, chunk }: CaseContext): () => Promise<string> {
  const { encrypt, decrypt } = esdkClient(fs.readFileSync(path.join(dir, 'key')));
  const file = path.join(dir, `esdk-${size}`);
  if (op === 'encrypt') {
    return async () => {
      await pipeline(syntheticSource(size, chunk), encrypt(), countingSink().sink);
      return 'committing, unsigned, 4 KiB frames';
    };
  }
  return async () => {
    await pipeline(fs.createReadStream(file, { highWaterMark: chunk }), decrypt(), countingSink().sink);
    return 'per-frame auth';
  };
}

/** Writes the ciphertext files the decrypt cases of `impls` read (not timed). */
async function prepare(size: number, dir: string, impls: Impl[]): Promise<void> {
  const key = fs.readFileSync(path.join(dir, 'key'));
  const source = () => syntheticSource(size, MiB);
  for (const which of ['ours', 'before'] as const) {
    if (!impls.includes(which)) continue;
    const { ClientSideEncryption, RawAesKeyring } = loadBundle<Runtime>(runtimeBundle(dir, which));
    const enc = await new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: key }) }).encryptStream(source());
    fs.writeFileSync(path.join(dir, `${which}-${size}.metadata.json`), JSON.stringify(enc.metadata));
    await pipeline(enc.body, fs.createWriteStream(path.join(dir, `${which}-${size}`)));
  }
  if (impls.includes('bare') || impls.includes('loop')) {
    const crypto = require('node:crypto') as typeof import('node:crypto');
    const cipher = crypto.createCipheriv('aes-256-gcm', key, IV);
    await pipeline(source(), cipher, fs.createWriteStream(path.join(dir, `bare-${size}`)));
    fs.appendFileSync(path.join(dir, `bare-${size}`), cipher.getAuthTag());
  }
  if (impls.includes('esdk')) await pipeline(source(), esdkClient(key).encrypt(), fs.createWriteStream(path.join(dir, `esdk-${size}`)));
}

async function child(args: string[]): Promise<void> {
  if (args[0] === 'prepare') return prepare(Number(args[1]), args[2], args[3].split(',') as Impl[]);
  const [impl, op, sizeArg, dir, chunkArg] = args as [Impl, Op, string, string, string];
  const ctx: CaseContext = { op, size: Number(sizeArg), dir, chunk: Number(chunkArg) };
  // module loading and key setup are not timed
  const operation = impl === 'ours' || impl === 'before' ? runtime(impl, ctx) : { loop, bare, esdk }[impl](ctx);
  block(); // makes the random source block now, outside the timing
  // Small objects: one untimed warm-up, then enough objects for ~64 MiB, so the figure is the steady
  // per-object cost (key wrap, HKDF, cipher setup included) rather than first-call JIT costs.
  const size = ctx.size;
  const iterations = size >= 64 * MiB || size === 0 ? 1 : Math.min(64, Math.ceil((64 * MiB) / size));
  if (iterations > 1) await operation();
  const started = process.hrtime.bigint();
  let mode = '';
  for (let i = 0; i < iterations; i++) mode = await operation();
  const ms = Number(process.hrtime.bigint() - started) / 1e6 / iterations;
  const sample: Sample = { ms, maxRssMb: peakRssMb(), bytes: size, mode };
  process.stdout.write(`${JSON.stringify(sample)}\n`);
}

// ---------------------------------------------------------------- parent side

function parseSize(s: string): number {
  const m = /^(\d+)(MiB|GiB|KiB)?$/.exec(s.trim());
  if (!m) throw new Error(`bad size ${s} (e.g. 64KiB, 256MiB, 1GiB)`);
  return Number(m[1]) * ({ KiB: 1024, MiB, GiB: 1024 * MiB } as Record<string, number>)[m[2] ?? 'MiB'];
}
const label = (n: number) => (n >= 1024 * MiB ? `${n / 1024 / MiB} GiB` : n >= MiB ? `${n / MiB} MiB` : `${n / 1024} KiB`);

interface Cell { readonly mbps: number; readonly rssMb: number; readonly mode: string; readonly samples: Sample[] }

async function parent(): Promise<void> {
  const { parseArgs } = require('node:util') as typeof import('node:util');
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      sizes: { type: 'string', default: '1MiB,64MiB,256MiB,1GiB' },
      chunk: { type: 'string', default: '64KiB' },
      impls: { type: 'string' },
      before: { type: 'string' },
      stat: { type: 'string', default: 'median' },
    },
    strict: true,
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);
  const sizes = values.sizes.split(',').map(parseSize);
  const chunk = parseSize(values.chunk);
  const stat: Statistic = parseStatistic(values.stat);
  const impls = (values.impls?.split(',') ?? IMPLS.filter((i) => i !== 'before' || values.before)) as Impl[];
  for (const impl of impls) if (!IMPLS.includes(impl)) throw new Error(`--impls: unknown implementation ${impl}; choose from ${IMPLS.join(', ')}`);
  if (impls.includes('before') && !values.before) throw new Error('--impls before needs --before DIR (a checkout with the runtime in lib/runtime)');
  const beforeSources = values.before ? beforeRuntimeSources(values.before) : undefined;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3ec-bench-'));
  try {
    const bundle = path.join(dir, 'bench-child.js');
    bundleForNode(__filename, bundle);
    bundleRuntime(RUNTIME_SOURCES, RUNTIME_REEXPORTS, runtimeBundle(dir, 'ours'));
    if (beforeSources) bundleRuntime(beforeSources, RUNTIME_REEXPORTS, runtimeBundle(dir, 'before'));
    fs.writeFileSync(path.join(dir, 'key'), randomBytes(32));
    const run = (args: string[]): Sample | undefined => {
      const out = execFileSync(process.execPath, [bundle, '--child', ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
      const last = out.trim().split('\n').pop();
      return last ? JSON.parse(last) : undefined;
    };
    const idle = run(['bare', 'encrypt', '0', dir, String(chunk)])!;
    const statText = stat === 'best' ? `best of ${runs} runs` : `median of ${runs} runs`;
    console.log(`client-side benchmark: node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; `
      + `throughput ${statText}, peak RSS median; stream chunks ${label(chunk)}; MB = 10^6 bytes.`);
    if (beforeSources) console.log(`before = ${beforeSources}`);
    console.log(`Peak RSS of a child that encrypts 0 bytes (node + bundle baseline): ${idle.maxRssMb.toFixed(0)} MB.\n`);
    console.log('| size | op | impl | mode | MB/s | peak RSS MB | ours ÷ impl (throughput) |');
    console.log('|---|---|---|---|---|---|---|');
    const results: Array<{ size: number; op: Op; cells: Partial<Record<Impl, Cell>> }> = [];
    for (const size of sizes) {
      run(['prepare', String(size), dir, impls.join(',')]);
      for (const op of ['encrypt', 'decrypt'] as Op[]) {
        const samples = Object.fromEntries(impls.map((i) => [i, [] as Sample[]])) as Record<Impl, Sample[]>;
        for (let r = 0; r < runs; r++) {
          for (const impl of rotation(impls, r)) samples[impl].push(run([impl, op, String(size), dir, String(chunk)])!);
        }
        const cells: Partial<Record<Impl, Cell>> = {};
        for (const impl of impls) {
          const ms = summarize(samples[impl].map((s) => s.ms), stat, 'lower');
          cells[impl] = { mbps: size / 1e6 / (ms / 1000), rssMb: median(samples[impl].map((s) => s.maxRssMb)), mode: samples[impl][0].mode, samples: samples[impl] };
        }
        for (const impl of impls) {
          const c = cells[impl]!;
          const ratio = impl === 'ours' || !cells.ours ? '—' : `${(cells.ours.mbps / c.mbps).toFixed(2)}x`;
          console.log(`| ${label(size)} | ${op} | ${impl} | ${c.mode} | ${c.mbps.toFixed(0)} | ${c.rssMb.toFixed(0)} | ${ratio} |`);
        }
        results.push({ size, op, cells });
      }
      for (const f of fs.readdirSync(dir)) if (f.endsWith(`-${size}`) || f.endsWith(`-${size}.metadata.json`)) fs.rmSync(path.join(dir, f), { force: true });
    }

    if (impls.includes('ours') && impls.includes('loop')) {
      const withBefore = impls.includes('before');
      console.log(`\nIssue 14 yardstick: ours ÷ a bare node:crypto loop (cipher.update per 1 MiB chunk), goal ≥ 0.95x${withBefore ? '; before = the older checkout, same run' : ''}\n`);
      console.log(withBefore
        ? '| size | op | ours MB/s | before MB/s | loop MB/s | ours ÷ loop | before ÷ loop | ours ÷ before | goal |\n|---|---|---|---|---|---|---|---|---|'
        : '| size | op | ours MB/s | loop MB/s | ours ÷ loop | goal |\n|---|---|---|---|---|---|');
      for (const { size, op, cells } of results) {
        const ours = cells.ours!.mbps;
        const loopMbps = cells.loop!.mbps;
        const goal = size < 256 * MiB ? '— (set at 256 MiB and 1 GiB)' : ours / loopMbps >= 0.95 ? 'met' : 'MISSED';
        if (withBefore) {
          const before = cells.before!.mbps;
          console.log(`| ${label(size)} | ${op} | ${ours.toFixed(0)} | ${before.toFixed(0)} | ${loopMbps.toFixed(0)} | **${(ours / loopMbps).toFixed(2)}x** | ${(before / loopMbps).toFixed(2)}x | ${(ours / before).toFixed(2)}x | ${goal} |`);
        } else {
          console.log(`| ${label(size)} | ${op} | ${ours.toFixed(0)} | ${loopMbps.toFixed(0)} | **${(ours / loopMbps).toFixed(2)}x** | ${goal} |`);
        }
      }
    }
    const resultsDir = path.join(__dirname, 'results');
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `client-side-${Date.now()}.json`);
    fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, runs, stat, chunk, before: beforeSources, results }, null, 2));
    console.log(`\nraw samples: ${file}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const childIndex = process.argv.indexOf('--child');
(childIndex >= 0 ? child(process.argv.slice(childIndex + 1)) : parent()).catch((err) => {
  console.error(err);
  process.exit(1);
});
