import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CONSUMER_OUTDIR, CONSUMER_STACKS, consumerAppSource, REPLICA_BUCKET_NAME, UNGUARDED_OUTDIR,
} from './support/consumer-app';
import {
  buildIfStale, consumerEnvironment, directorySize, expectExit, formatBytes, installConsumer, installedPackageNames, Limiter, mustRun,
  pack, type PackedTarball, ROOT, run, RUNTIME_PACKAGE_DIR, type RunResult,
} from './support/consumer-sandbox';

/**
 * The consumer matrix: both tarballs, packed once, installed into fresh folders outside the
 * repository, as other teams install them. Every consumer runs with a PATH that holds only node, npm
 * and npx (no esbuild, no docker), compiles where it is TypeScript, and synthesizes every construct
 * the package exports, the Lambda-backed rotation constructs and the guardrails included:
 * - TypeScript 6 with `module`/`moduleResolution` nodenext, strict, `skipLibCheck: false`;
 * - TypeScript 5.9 with `module: commonjs` (moduleResolution node10: the older `cdk init` tsconfig);
 * - ESM `.mjs`, importing named exports;
 * - plain JavaScript (CommonJS `require`).
 * The runtime tarball is also installed alone: no CDK in its tree, a working `s3-crypto`.
 *
 * Installs share the user's npm cache (`--prefer-offline`); each consumer has its own folder,
 * package.json and node_modules. Set S3EC_KEEP_CONSUMERS=1 to keep the folders for inspection.
 */

type Json = any;

// Tests run node, npx and tsc in the consumers: seconds each on a busy 2-core machine, not milliseconds.
jest.setTimeout(180_000);

const ROOT_MANIFEST = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
/** The peers at the versions this repository tests with (exact, so the npm cache serves them). */
const PEERS = ['aws-cdk-lib', 'constructs', 'cdk-nag'].map((name) => `${name}@${ROOT_MANIFEST.devDependencies[name]}`);
const TYPES_NODE = `@types/node@${ROOT_MANIFEST.devDependencies['@types/node']}`;
const TYPESCRIPT_6 = ROOT_MANIFEST.devDependencies.typescript as string;
const TYPESCRIPT_5_9 = '5.9.3';
const HANDLERS = { sseC: 'sse-c-rekey', clientSide: 'client-side-key-rotation' } as const;

interface Consumer {
  /** Folder name. */
  readonly id: string;
  readonly title: string;
  /** Extra package.json fields. */
  readonly manifest: Record<string, unknown>;
  /** Packages besides our two tarballs and the peers. */
  readonly extraSpecs: string[];
  /** Files to write: the app and, for TypeScript, tsconfig.json. */
  readonly files: Record<string, string>;
  /** The TypeScript version that must compile it, if any. */
  readonly typescript?: string;
  /** What `node` runs. */
  readonly entry: string;
}

const CONSUMERS: Consumer[] = [
  {
    id: 'typescript-6-nodenext',
    title: `TypeScript ${TYPESCRIPT_6}, module/moduleResolution nodenext, strict, skipLibCheck false`,
    manifest: { name: 'consumer-ts6-nodenext' },
    extraSpecs: [`typescript@${TYPESCRIPT_6}`, TYPES_NODE],
    files: {
      'app.ts': consumerAppSource('esm'),
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, skipLibCheck: false,
          types: ['node'], rootDir: '.', outDir: 'dist',
        },
        files: ['app.ts'],
      }, undefined, 2),
    },
    typescript: TYPESCRIPT_6,
    entry: 'dist/app.js',
  },
  {
    id: 'typescript-5.9-commonjs',
    title: `TypeScript ${TYPESCRIPT_5_9}, module commonjs (moduleResolution node10), the older cdk init tsconfig`,
    manifest: { name: 'consumer-ts59-commonjs' },
    extraSpecs: [`typescript@${TYPESCRIPT_5_9}`, TYPES_NODE],
    files: {
      'app.ts': consumerAppSource('esm'),
      // The tsconfig `cdk init app --language typescript` wrote before nodenext (no moduleResolution:
      // commonjs implies node10, which ignores package.json "exports"; no skipLibCheck).
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          target: 'ES2020', module: 'commonjs', lib: ['es2020', 'dom'], declaration: true, strict: true, noImplicitAny: true,
          strictNullChecks: true, noImplicitThis: true, alwaysStrict: true, noImplicitReturns: true, experimentalDecorators: true,
          strictPropertyInitialization: false, typeRoots: ['./node_modules/@types'], outDir: 'dist',
        },
        files: ['app.ts'],
      }, undefined, 2),
    },
    typescript: TYPESCRIPT_5_9,
    entry: 'dist/app.js',
  },
  {
    id: 'esm-mjs',
    title: 'ESM .mjs with named imports',
    manifest: { name: 'consumer-esm' },
    extraSpecs: [],
    files: { 'app.mjs': consumerAppSource('esm') },
    entry: 'app.mjs',
  },
  {
    id: 'plain-commonjs',
    title: 'plain JavaScript, CommonJS require',
    manifest: { name: 'consumer-commonjs' },
    extraSpecs: [],
    files: { 'app.js': consumerAppSource('cjs') },
    entry: 'app.js',
  },
];

/** What one consumer produced. */
interface ConsumerRun {
  readonly dir: string;
  readonly steps: Record<string, RunResult>;
  /** The app's JSON line. */
  readonly output: { constructClasses: string[]; unguardedSynth: string; roundTrip: { equal: boolean; ciphertextDiffers: boolean; tampered: string } };
}

let work: string;
let env: NodeJS.ProcessEnv;
let constructsTarball: PackedTarball;
let runtimeTarball: PackedTarball;
const heavy = new Limiter(2);
const consumerRuns = new Map<string, Promise<ConsumerRun>>();
let runtimeAlone: Promise<{ dir: string; install: RunResult }>;
const timings: string[] = [];

async function prepareConsumer(consumer: Consumer): Promise<ConsumerRun> {
  const dir = path.join(work, consumer.id);
  const steps: Record<string, RunResult> = {};
  steps.install = await heavy.run(() => installConsumer(dir, consumer.manifest,
    [constructsTarball.path, runtimeTarball.path, ...PEERS, ...consumer.extraSpecs], env));
  for (const [file, content] of Object.entries(consumer.files)) fs.writeFileSync(path.join(dir, file), content);
  if (consumer.typescript) {
    steps.tscVersion = await mustRun('node_modules/.bin/tsc', ['--version'], { cwd: dir, env });
    steps.compile = await heavy.run(() => mustRun('node_modules/.bin/tsc', ['-p', 'tsconfig.json'], { cwd: dir, env }));
  }
  steps.synth = await heavy.run(() => mustRun('node', [consumer.entry], { cwd: dir, env }));
  timings.push(`${consumer.id}: ${Object.entries(steps).map(([k, r]) => `${k} ${(r.ms / 1000).toFixed(1)} s`).join(', ')}`);
  const lastLine = steps.synth.stdout.trim().split('\n').pop()!;
  return { dir, steps, output: JSON.parse(lastLine) };
}

async function prepareRuntimeAlone() {
  const dir = path.join(work, 'runtime-only');
  const install = await heavy.run(() => installConsumer(dir, { name: 'consumer-runtime-only' }, [runtimeTarball.path], env));
  timings.push(`runtime-only: install ${(install.ms / 1000).toFixed(1)} s`);
  return { dir, install };
}

/** Never leave a rejection unobserved while another consumer's tests run; the awaiting test still sees it. */
function observed<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 's3ec-consumers-'));
  env = consumerEnvironment(work);
  const started = Date.now();
  const rebuilt = await buildIfStale();
  const tarballs = path.join(work, 'tarballs');
  fs.mkdirSync(tarballs);
  constructsTarball = await pack(ROOT, tarballs);
  runtimeTarball = await pack(RUNTIME_PACKAGE_DIR, tarballs);
  console.log([
    `consumer matrix in ${work}${rebuilt ? ' (rebuilt first: outputs were older than sources)' : ''}, packed in ${((Date.now() - started) / 1000).toFixed(1)} s:`,
    ...[constructsTarball, runtimeTarball].map((t) => `  ${t.filename}: ${formatBytes(t.size)} packed, ${formatBytes(t.unpackedSize)} unpacked, ${t.files.length} files`),
  ].join('\n'));
  for (const consumer of CONSUMERS) consumerRuns.set(consumer.id, observed(prepareConsumer(consumer)));
  runtimeAlone = observed(prepareRuntimeAlone());
}, 600_000);

afterAll(async () => {
  await Promise.allSettled([...consumerRuns.values(), runtimeAlone]);
  console.log(`consumer matrix timings (at most 2 heavy steps at a time):\n  ${timings.join('\n  ')}`);
  if (work && process.env.S3EC_KEEP_CONSUMERS !== '1') fs.rmSync(work, { recursive: true, force: true });
}, 900_000);

test('consumers run with only node, npm, npx and sh on PATH, and no esbuild or docker (on PATH or resolvable)', async () => {
  const which = (name: string) => run('/bin/sh', ['-c', `command -v ${name}`], { cwd: work, env });
  for (const present of ['node', 'npm', 'npx', 'sh']) expectExit(await which(present), 0);
  expect((await which('esbuild')).code).not.toBe(0);
  expect((await which('docker')).code).not.toBe(0);
  expect(env.NODE_PATH).toBeUndefined();
});

test('the construct tarball ships compiled JavaScript, declarations, the jsii assembly and the handler bundles, not sources or tests', () => {
  expect(constructsTarball.files).toEqual(expect.arrayContaining([
    'dist/lib/index.js', 'dist/lib/index.d.ts', '.jsii', `assets/handlers/${HANDLERS.sseC}/index.js`, `assets/handlers/${HANDLERS.clientSide}/index.js`,
    'README.md', 'package.json',
  ]));
  const unexpected = constructsTarball.files.filter((f) => !/^(dist\/lib\/.+\.(js|d\.ts)|\.jsii|assets\/handlers\/[a-z-]+\/index\.js|README\.md|package\.json|LICENSE)$/.test(f));
  expect(unexpected).toEqual([]);
});

test('the runtime tarball ships compiled JavaScript, declarations and the s3-crypto bin, not sources or tests', () => {
  expect(runtimeTarball.files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'bin/s3-crypto.js', 'package.json']));
  const unexpected = runtimeTarball.files.filter((f) => !/^(dist\/.+\.(js|d\.ts)|bin\/s3-crypto\.js|README\.md|package\.json|LICENSE)$/.test(f));
  expect(unexpected).toEqual([]);
});

test("the construct tarball's package.json: the CDK, constructs and cdk-nag as caret peers; no runtime, esbuild or AWS SDK dependency", async () => {
  const result = await mustRun('tar', ['-xzOf', constructsTarball.path, 'package/package.json'], { cwd: work, env: { PATH: process.env.PATH } });
  const manifest = JSON.parse(result.stdout);
  for (const peer of ['aws-cdk-lib', 'constructs', 'cdk-nag']) {
    expect(manifest.peerDependencies?.[peer]).toMatch(/^\^\d+\.\d+\.\d+$/);
  }
  const installedWithIt = ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies', 'bundledDependencies']
    .flatMap((field) => (Array.isArray(manifest[field]) ? manifest[field] : Object.keys(manifest[field] ?? {})));
  expect(installedWithIt.filter((name: string) => name === 's3-encryption-runtime' || name === 'esbuild' || name.startsWith('@aws-sdk/') || name === 'aws-sdk'))
    .toEqual([]);
});

describe.each(CONSUMERS)('consumer: $title', (consumer) => {
  let result: ConsumerRun;
  let templates: Record<string, Json>;
  beforeAll(async () => {
    result = await consumerRuns.get(consumer.id)!;
    templates = Object.fromEntries(Object.values(CONSUMER_STACKS).map((stack) => [stack, readJson(result.dir, CONSUMER_OUTDIR, `${stack}.template.json`)]));
  }, 900_000);

  if (consumer.typescript) {
    test(`compiles with tsc ${consumer.typescript}: our declarations and aws-cdk-lib's type-check`, () => {
      expect(result.steps.tscVersion.stdout.trim()).toBe(`Version ${consumer.typescript}`);
      expect(result.steps.compile.code).toBe(0);
      expect(fs.existsSync(path.join(result.dir, consumer.entry))).toBe(true);
    });
  }

  test('cannot resolve esbuild from the app either (the CDK would otherwise bundle with it)', async () => {
    const probe = await run('node', ['-e', "require.resolve('esbuild')"], { cwd: result.dir, env });
    expect(probe.code).not.toBe(0);
    expect(probe.stderr).toMatch(/Cannot find module 'esbuild'/);
  });

  test('synthesizes an instance of every construct class the package exports', async () => {
    const exported = await exportedConstructClasses(result.dir);
    expect(exported.length).toBeGreaterThanOrEqual(7);
    expect(result.output.constructClasses).toEqual(expect.arrayContaining(exported));
  });

  test('KmsKeyWithRotation and EncryptedBucket in all three modes and the three profiles', () => {
    const primary = templates[CONSUMER_STACKS.primary];
    const key = only(primary, 'AWS::KMS::Key', /^DataKey/);
    expect(key.Properties).toMatchObject({ EnableKeyRotation: true, KeySpec: 'SYMMETRIC_DEFAULT' });
    expect(resourcesOf(primary, 'AWS::KMS::Alias').map((a) => a.Properties.AliasName)).toContain('alias/consumer/data');
    expect(sseAlgorithm(only(primary, 'AWS::S3::Bucket', /^AccessLogsBucket/))).toBe('AES256');
    expect(sseAlgorithm(only(primary, 'AWS::S3::Bucket', /^SseKmsBucket/))).toBe('aws:kms');
    expect(sseAlgorithm(only(primary, 'AWS::S3::Bucket', /^DsseKmsBucket/))).toBe('aws:kms:dsse');
    expect(sseAlgorithm(only(primary, 'AWS::S3::Bucket', /^GeneralPurposeBucket/))).toBe('AES256');
    for (const [profile, algorithm] of [['Regulated', 'aws:kms'], ['Strict', 'aws:kms:dsse']]) {
      const bucket = only(primary, 'AWS::S3::Bucket', new RegExp(`^${profile}Bucket`));
      expect(sseAlgorithm(bucket)).toBe(algorithm);
      expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(bucket.Properties.LoggingConfiguration).toBeDefined();
    }
    // SSE-C is blocked on every bucket but the one opted in for SseCKeyRotation.
    const sseCAllowed = Object.entries(primary.Resources as Record<string, Json>)
      .filter(([, r]) => r.Type === 'AWS::S3::Bucket' && !JSON.stringify(r.Properties.BucketEncryption).includes('"SSE-C"'))
      .map(([id]) => id);
    expect(sseCAllowed).toEqual([expect.stringMatching(/^SseCObjectsBucket/)]);
  });

  test('ReplicatedEncryptedBucket to a same-stack bucket and to a fromAttributes target; ReplicationDestination on a KmsReplicaKey', () => {
    const primary = templates[CONSUMER_STACKS.primary];
    const toArchive = only(primary, 'AWS::S3::Bucket', /^SseKmsBucket/).Properties.ReplicationConfiguration.Rules[0];
    expect(toArchive.Destination.Bucket).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ArchiveBucket/), 'Arn'] });
    expect(toArchive.SourceSelectionCriteria).toEqual({ SseKmsEncryptedObjects: { Status: 'Enabled' } });
    const toReplica = only(primary, 'AWS::S3::Bucket', /^ToReplicaRegionSourceBucket/).Properties.ReplicationConfiguration.Rules[0];
    expect(JSON.stringify(toReplica.Destination.Bucket)).toContain(`:s3:::${REPLICA_BUCKET_NAME}`);
    expect(JSON.stringify(toReplica.Destination.EncryptionConfiguration.ReplicaKmsKeyID)).toContain(':kms:eu-central-1:111111111111:alias/');

    const replica = templates[CONSUMER_STACKS.replica];
    const replicaKey = only(replica, 'AWS::KMS::ReplicaKey', /^ReplicaKey/);
    expect(replicaKey.Properties.PrimaryKeyArn).toMatch(/^arn:aws:kms:eu-west-1:111111111111:key\/mrk-/);
    const destination = only(replica, 'AWS::S3::Bucket', /^DestinationBucket/);
    expect(destination.Properties.BucketName).toBe(REPLICA_BUCKET_NAME);
    expect(destination.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault)
      .toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [logicalIdOf(replica, 'AWS::KMS::ReplicaKey', /^ReplicaKey/), 'Arn'] } });
  });

  test('SseCKeyRotation and ClientSideKeyRotation: nodejs24.x functions whose assets are the shipped bundles, no esbuild or docker', () => {
    const primary = templates[CONSUMER_STACKS.primary];
    const functions = resourcesOf(primary, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(2);
    const assets = readJson(result.dir, CONSUMER_OUTDIR, `${CONSUMER_STACKS.primary}.assets.json`);
    const bundleOf = (fn: Json) => (fn.Properties.Environment.Variables.SSE_C_SECRET_ID ? HANDLERS.sseC : HANDLERS.clientSide);
    expect(functions.map(bundleOf).sort()).toEqual([HANDLERS.clientSide, HANDLERS.sseC]);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler' });
      const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
      const source = assets.files[hash]?.source;
      expect(source).toMatchObject({ packaging: 'zip' });
      const assetDir = path.join(result.dir, CONSUMER_OUTDIR, source.path);
      expect(fs.readdirSync(assetDir)).toEqual(['index.js']);
      const shipped = path.join(result.dir, 'node_modules', 's3-encryption-constructs', 'assets', 'handlers', bundleOf(fn), 'index.js');
      expect(fs.readFileSync(path.join(assetDir, 'index.js')).equals(fs.readFileSync(shipped))).toBe(true);
    }
  });

  test('the guardrails: the Aspect in REMEDIATE fixes a plain s3.Bucket; the S3EncryptionChecks pack passes the app and fails an unguarded one', () => {
    const legacy = templates[CONSUMER_STACKS.legacy];
    const plain = only(legacy, 'AWS::S3::Bucket', /^Plain/);
    const [rule] = plain.Properties.BucketEncryption.ServerSideEncryptionConfiguration;
    expect(rule).toMatchObject({ BucketKeyEnabled: true, BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] }, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } });
    const keyId = rule.ServerSideEncryptionByDefault.KMSMasterKeyID['Fn::GetAtt'][0];
    expect(legacy.Resources[keyId]).toMatchObject({ Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } });
    const policy = only(legacy, 'AWS::S3::BucketPolicy', /^Plain/);
    expect(policy.Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]));

    // The app passed every plugin (or synth would have failed) ...
    const report = readJson(result.dir, CONSUMER_OUTDIR, 'validation-report.json');
    expect(report.pluginReports.filter((r: Json) => r.conclusion !== 'success')).toEqual([]);
    // ... and the same pack rejects a plain bucket nobody remediated, naming its rules.
    expect(result.output.unguardedSynth).toMatch(/^failed: .*Validation failed/);
    const unguarded = readJson(result.dir, UNGUARDED_OUTDIR, 'validation-report.json');
    const s3Encryption = unguarded.pluginReports.find((r: Json) => r.pluginName === 'S3Encryption');
    expect(s3Encryption.conclusion).toBe('failure');
    expect(s3Encryption.violations.map((v: Json) => v.ruleName)).toEqual(expect.arrayContaining([
      'S3Encryption-S3BucketTlsOnly', 'S3Encryption-S3BucketSseCBlocked',
    ]));
  });

  test('the runtime from the same app: client-side encrypt, decrypt to the same bytes, a tampered body refused', () => {
    expect(result.output.roundTrip).toEqual({ equal: true, ciphertextDiffers: true, tampered: 'ContentAuthenticationError' });
  });
});

test('every consumer got the same Lambda asset hashes: the shipped bundles, not a per-app build', async () => {
  const hashes = await Promise.all(CONSUMERS.map(async (c) => {
    const { dir } = await consumerRuns.get(c.id)!;
    const template = readJson(dir, CONSUMER_OUTDIR, `${CONSUMER_STACKS.primary}.template.json`);
    return resourcesOf(template, 'AWS::Lambda::Function').map((fn) => fn.Properties.Code.S3Key).sort();
  }));
  expect(hashes[0]).toHaveLength(2);
  for (const h of hashes) expect(h).toEqual(hashes[0]);
}, 900_000);

test('ESM: every export of both packages is importable by name (Node sees the same names as require)', async () => {
  const { dir } = await consumerRuns.get('esm-mjs')!;
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const result = {};
    for (const name of ['s3-encryption-constructs', 's3-encryption-runtime']) {
      const esm = Object.keys(await import(name)).filter((k) => !['default', 'module.exports', '__esModule'].includes(k)).sort();
      const cjs = Object.keys(require(name)).filter((k) => k !== '__esModule').sort();
      result[name] = { esm, cjs };
    }
    console.log(JSON.stringify(result));
  `;
  const result = JSON.parse((await mustRun('node', ['--input-type=module', '-e', script], { cwd: dir, env })).stdout);
  for (const name of ['s3-encryption-constructs', 's3-encryption-runtime']) {
    expect(result[name].cjs.length).toBeGreaterThan(0);
    expect(result[name].esm).toEqual(result[name].cjs);
  }
}, 900_000);

describe('the runtime tarball installed alone', () => {
  let dir: string;
  beforeAll(async () => {
    ({ dir } = await runtimeAlone);
  }, 900_000);
  // `npx s3-crypto`, as a user types it; npm_config_yes=false: never install a registry package of that name instead.
  const s3Crypto = (...args: string[]) => run('npx', ['s3-crypto', ...args], { cwd: dir, env: { ...env, npm_config_yes: 'false' } });

  test('has no aws-cdk-lib, constructs or cdk-nag anywhere in node_modules', () => {
    const installed = installedPackageNames(dir);
    expect(installed).toContain('s3-encryption-runtime');
    expect(installed).toContain('@aws-sdk/client-s3');
    expect([...installed].filter((name) => ['aws-cdk-lib', 'constructs', 'cdk-nag', 's3-encryption-constructs'].includes(name))).toEqual([]);
    console.log(`runtime-only install: ${installed.size} packages, node_modules ${formatBytes(directorySize(path.join(dir, 'node_modules')))}`);
  });

  test('`npx s3-crypto --help` exits 0 and lists the commands; --version is the tarball version', async () => {
    const help = await s3Crypto('--help');
    expectExit(help, 0);
    expect(help.stdout).toMatch(/^usage: s3-crypto <command>/);
    expect(help.stdout).toMatch(/\bput\b[\s\S]*\bget\b[\s\S]*\bencrypt\b[\s\S]*\bdecrypt\b/);
    const version = await s3Crypto('--version');
    expectExit(version, 0);
    expect(version.stdout.trim()).toBe(runtimeTarball.filename.replace(/^s3-encryption-runtime-(.+)\.tgz$/, '$1'));
  });

  test('client-side round trip with s3-crypto encrypt/decrypt and a raw AES key file; a tampered body is refused and leaves no file', async () => {
    const key = randomBytes(32);
    const plaintext = Buffer.concat([Buffer.from('consumer matrix plaintext\n'), randomBytes(200_000)]);
    fs.writeFileSync(path.join(dir, 'wrapping.key'), key);
    fs.writeFileSync(path.join(dir, 'plain.bin'), plaintext);

    expectExit(await s3Crypto('encrypt', '--in', 'plain.bin', '--out-dir', 'object', '--aes-key-file', 'wrapping.key'), 0);
    const body = fs.readFileSync(path.join(dir, 'object', 'body.bin'));
    expect(body.length).toBe(plaintext.length + 16);
    expect(body.includes(plaintext.subarray(0, 26))).toBe(false);
    expectExit(await s3Crypto('decrypt', '--in-dir', 'object', '--out', 'decrypted.bin', '--aes-key-file', 'wrapping.key'), 0);
    expect(fs.readFileSync(path.join(dir, 'decrypted.bin')).equals(plaintext)).toBe(true);

    body[body.length - 100] ^= 0x01;
    fs.writeFileSync(path.join(dir, 'object', 'body.bin'), body);
    const tampered = await s3Crypto('decrypt', '--in-dir', 'object', '--out', 'tampered.bin', '--aes-key-file', 'wrapping.key');
    expectExit(tampered, 1);
    expect(tampered.stderr).toMatch(/^s3-crypto: .+/);
    expect(fs.existsSync(path.join(dir, 'tampered.bin'))).toBe(false);
    for (const encoding of ['base64', 'hex'] as const) expect(tampered.stderr).not.toContain(key.toString(encoding));
  });
});

function readJson(...segments: string[]): Json {
  return JSON.parse(fs.readFileSync(path.join(...segments), 'utf8'));
}

function resourcesOf(template: Json, type: string): Json[] {
  return Object.values<Json>(template.Resources).filter((r) => r.Type === type);
}

function logicalIdOf(template: Json, type: string, id: RegExp): string {
  const ids = Object.entries<Json>(template.Resources).filter(([logicalId, r]) => r.Type === type && id.test(logicalId)).map(([logicalId]) => logicalId);
  if (ids.length !== 1) throw new Error(`expected one ${type} matching ${id}, found ${ids.length}: ${ids.join(', ')}`);
  return ids[0];
}

function only(template: Json, type: string, id: RegExp): Json {
  return template.Resources[logicalIdOf(template, type, id)];
}

function sseAlgorithm(bucket: Json): string {
  return bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm;
}

/** Names of the classes the installed construct package exports that are constructs. */
async function exportedConstructClasses(dir: string): Promise<string[]> {
  const script = `
    const { Construct } = require('constructs');
    const lib = require('s3-encryption-constructs');
    const names = Object.entries(lib).filter(([, v]) => typeof v === 'function' && v.prototype instanceof Construct).map(([k]) => k);
    console.log(JSON.stringify(names.sort()));
  `;
  return JSON.parse((await mustRun('node', ['-e', script], { cwd: dir, env })).stdout) as string[];
}
