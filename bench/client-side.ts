// Client-side encryption benchmark: for each size, encrypt and decrypt with
//   ours  — ClientSideEncryption (V3, raw AES keyring), encryptStream / decryptStream;
//   bare  — a bare node:crypto AES-256-GCM stream pipeline (the practical limit);
//   esdk  — AWS Encryption SDK for JavaScript (@aws-crypto/client-node, raw AES keyring, streaming,
//           committing suite without signatures, default 4 KiB frames).
// Every measurement runs in its own process (so peak RSS is per case), alternating the order of
// implementations between runs; the table shows the median of --runs.
// The children run an esbuild bundle of this file under plain node, so tsx's own ~50 MB do not
// count against anyone's peak RSS.
//   npx tsx bench/client-side.ts [--runs 3] [--sizes 1MiB,64MiB,1GiB]
// Encryption reads a synthetic in-memory source (64 KiB chunks) and discards the output. Objects
// below 64 MiB are measured as the mean of several objects after one untimed warm-up, each object
// with its own data key (key generation, wrapping and HKDF are inside the timing).
// Decryption reads a ciphertext file written beforehand (page cache, 64 KiB chunks) and discards
// the plaintext. Ours decrypts with buffered authentication up to 64 MiB (the default limit) and
// with delayed authentication above it (buffered is capped at 64 MiB by design).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { bundleForNode, median, peakRssMb } from './measure';

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;
const IMPLS = ['ours', 'bare', 'esdk'] as const;
type Impl = (typeof IMPLS)[number];
type Op = 'encrypt' | 'decrypt';
interface Sample { ms: number; maxRssMb: number; bytes: number; mode: string }

let sourceBlock: Buffer | undefined;

/** `size` bytes of a repeated random 1 MiB block (made once per process, before timing), in 64 KiB chunks. */
function syntheticSource(size: number): Readable {
  const block = (sourceBlock ??= randomBytes(MiB));
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const n = Math.min(CHUNK, size - sent);
      const off = sent % MiB;
      this.push(off + n <= MiB ? block.subarray(off, off + n) : Buffer.concat([block.subarray(off), block.subarray(0, n - (MiB - off))]));
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

function ours(op: Op, size: number, dir: string): () => Promise<string> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { ClientSideEncryption } = require('../packages/s3-encryption-runtime/src/client-side/client-side-encryption') as typeof import('../packages/s3-encryption-runtime/src/client-side/client-side-encryption');
  const { RawAesKeyring } = require('../packages/s3-encryption-runtime/src/client-side/keyrings/raw-aes-keyring') as typeof import('../packages/s3-encryption-runtime/src/client-side/keyrings/raw-aes-keyring');
  const key = fs.readFileSync(path.join(dir, 'key'));
  const delayed = size > 64 * MiB;
  const client = new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: key }), enableDelayedAuthentication: delayed });
  const file = path.join(dir, `ours-${size}`);
  if (op === 'encrypt') {
    return async () => {
      const out = await client.encryptStream(syntheticSource(size));
      const { sink, bytes } = countingSink();
      await pipeline(out.body, sink);
      return `V3, ${bytes() - size} B tag`;
    };
  }
  const metadata = JSON.parse(fs.readFileSync(`${file}.metadata.json`, 'utf8'));
  return async () => {
    const plaintext = await client.decryptStream({ body: fs.createReadStream(file, { highWaterMark: CHUNK }), metadata });
    await pipeline(plaintext, countingSink().sink);
    return delayed ? 'V3, delayed auth' : 'V3, buffered auth';
  };
}

function bare(op: Op, size: number, dir: string): () => Promise<string> {
  const crypto = require('node:crypto') as typeof import('node:crypto');
  const key = fs.readFileSync(path.join(dir, 'key'));
  const iv = Buffer.alloc(12, 7);
  const file = path.join(dir, `bare-${size}`);
  if (op === 'encrypt') {
    return async () => {
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      await pipeline(syntheticSource(size), cipher, countingSink().sink);
      cipher.getAuthTag();
      return 'streaming';
    };
  }
  return async () => {
    const fd = fs.openSync(file, 'r');
    const tag = Buffer.alloc(16);
    fs.readSync(fd, tag, 0, 16, size);
    fs.closeSync(fd);
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(tag); // the practical limit: the tag is known up front, plaintext streams
    await pipeline(fs.createReadStream(file, { highWaterMark: CHUNK, end: size - 1 }), decipher, countingSink().sink);
    return 'streaming, tag read first';
  };
}

function esdk(op: Op, size: number, dir: string): () => Promise<string> {
  const sdk = require('@aws-crypto/client-node') as typeof import('@aws-crypto/client-node');
  const key = fs.readFileSync(path.join(dir, 'key'));
  const { encryptStream, decryptUnsignedMessageStream } = sdk.buildClient(sdk.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const keyring = new sdk.RawAesKeyringNode({
    keyName: 'bench', keyNamespace: 'bench', unencryptedMasterKey: new Uint8Array(key), wrappingSuite: sdk.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  const file = path.join(dir, `esdk-${size}`);
  if (op === 'encrypt') {
    return async () => {
      await pipeline(syntheticSource(size), encryptStream(keyring, { suiteId: sdk.AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY }), countingSink().sink);
      return 'committing, unsigned, 4 KiB frames';
    };
  }
  return async () => {
    await pipeline(fs.createReadStream(file, { highWaterMark: CHUNK }), decryptUnsignedMessageStream(keyring), countingSink().sink);
    return 'per-frame auth';
  };
}

/** Writes the ciphertext files the decrypt cases read (not timed). */
async function prepare(size: number, dir: string): Promise<void> {
  const crypto = require('node:crypto') as typeof import('node:crypto');
  const { ClientSideEncryption } = require('../packages/s3-encryption-runtime/src/client-side/client-side-encryption') as typeof import('../packages/s3-encryption-runtime/src/client-side/client-side-encryption');
  const { RawAesKeyring } = require('../packages/s3-encryption-runtime/src/client-side/keyrings/raw-aes-keyring') as typeof import('../packages/s3-encryption-runtime/src/client-side/keyrings/raw-aes-keyring');
  const sdk = require('@aws-crypto/client-node') as typeof import('@aws-crypto/client-node');
  const key = fs.readFileSync(path.join(dir, 'key'));
  const enc = await new ClientSideEncryption({ keyring: new RawAesKeyring({ wrappingKey: key }) }).encryptStream(syntheticSource(size));
  fs.writeFileSync(path.join(dir, `ours-${size}.metadata.json`), JSON.stringify(enc.metadata));
  await pipeline(enc.body, fs.createWriteStream(path.join(dir, `ours-${size}`)));
  const cipher = crypto.createCipheriv('aes-256-gcm', key, Buffer.alloc(12, 7));
  const bareOut = fs.createWriteStream(path.join(dir, `bare-${size}`));
  await pipeline(syntheticSource(size), cipher, bareOut);
  fs.appendFileSync(path.join(dir, `bare-${size}`), cipher.getAuthTag());
  const { encryptStream } = sdk.buildClient(sdk.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const keyring = new sdk.RawAesKeyringNode({
    keyName: 'bench', keyNamespace: 'bench', unencryptedMasterKey: new Uint8Array(key), wrappingSuite: sdk.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  await pipeline(syntheticSource(size), encryptStream(keyring, { suiteId: sdk.AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY }), fs.createWriteStream(path.join(dir, `esdk-${size}`)));
}

async function child(args: string[]): Promise<void> {
  const [what, opOrSize, sizeArg, dir] = args;
  if (what === 'prepare') return prepare(Number(opOrSize), sizeArg);
  const impl = what as Impl;
  const op = opOrSize as Op;
  const size = Number(sizeArg);
  const operation = { ours, bare, esdk }[impl](op, size, dir); // module loading and key setup are not timed
  syntheticSource(0); // makes the random source block now, outside the timing
  // Small objects: one untimed warm-up, then enough objects for ~64 MiB, so the figure is the steady
  // per-object cost (key wrap, HKDF, cipher setup included) rather than first-call JIT costs.
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
  if (!m) throw new Error(`bad size ${s}`);
  return Number(m[1]) * ({ KiB: 1024, MiB, GiB: 1024 * MiB } as Record<string, number>)[m[2] ?? 'MiB'];
}
const label = (n: number) => (n >= 1024 * MiB ? `${n / 1024 / MiB} GiB` : `${n / MiB} MiB`);

async function parent(): Promise<void> {
  const { parseArgs } = require('node:util') as typeof import('node:util');
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, sizes: { type: 'string', default: '1MiB,64MiB,1GiB' } } });
  const runs = Number(values.runs);
  const sizes = values.sizes.split(',').map(parseSize);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3ec-bench-'));
  try {
    const bundle = path.join(dir, 'bench-child.js');
    bundleForNode(__filename, bundle);
    fs.writeFileSync(path.join(dir, 'key'), randomBytes(32));
    const run = (args: string[]): Sample | undefined => {
      const out = execFileSync(process.execPath, [bundle, '--child', ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
      const last = out.trim().split('\n').pop();
      return last ? JSON.parse(last) : undefined;
    };
    const idle = run(['bare', 'encrypt', '0', dir])!;
    console.log(`client-side benchmark: node ${process.version}, ${os.cpus().length} cores, median of ${runs} runs; MB = 10^6 bytes.`);
    console.log(`Peak RSS of a child that encrypts 0 bytes (node + bundle baseline): ${idle.maxRssMb.toFixed(0)} MB.\n`);
    console.log('| size | op | impl | mode | MB/s | peak RSS MB | ours ÷ impl (throughput) |');
    console.log('|---|---|---|---|---|---|---|');
    for (const size of sizes) {
      run(['prepare', String(size), dir]);
      for (const op of ['encrypt', 'decrypt'] as Op[]) {
        const samples: Record<Impl, Sample[]> = { ours: [], bare: [], esdk: [] };
        for (let r = 0; r < runs; r++) {
          const order = r % 2 === 0 ? IMPLS : [...IMPLS].reverse();
          for (const impl of order) samples[impl].push(run([impl, op, String(size), dir])!);
        }
        const mbps = (impl: Impl) => size / 1e6 / (median(samples[impl].map((s) => s.ms)) / 1000);
        for (const impl of IMPLS) {
          const rss = median(samples[impl].map((s) => s.maxRssMb));
          const ratio = impl === 'ours' ? '—' : `${(mbps('ours') / mbps(impl)).toFixed(2)}x`;
          console.log(`| ${label(size)} | ${op} | ${impl} | ${samples[impl][0].mode} | ${mbps(impl).toFixed(0)} | ${rss.toFixed(0)} | ${ratio} |`);
        }
      }
      for (const impl of IMPLS) fs.rmSync(path.join(dir, `${impl}-${size}`), { force: true });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const childIndex = process.argv.indexOf('--child');
(childIndex >= 0 ? child(process.argv.slice(childIndex + 1)) : parent()).catch((err) => {
  console.error(err);
  process.exit(1);
});
