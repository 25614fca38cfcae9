import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The published package works for a consumer, not only the source tree: `npm pack`, install the
 * tarball into a fresh CDK app outside the repository, import the constructs from
 * `s3-encryption-constructs` (JavaScript and TypeScript) and synthesize; import the runtime from
 * `s3-encryption-constructs/runtime` without loading aws-cdk-lib.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });

let consumer: string;
let packed: string[];

beforeAll(() => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 's3ec-consumer-'));
  const tarball = run('npm', ['pack', '--silent', '--pack-destination', work], ROOT).trim().split('\n').pop()!;
  const runtimeTarball = run('npm', ['pack', '--silent', '--pack-destination', work], path.join(ROOT, 'packages', 's3-encryption-runtime')).trim().split('\n').pop()!;
  packed = run('tar', ['-tzf', path.join(work, tarball)], work).trim().split('\n');
  consumer = path.join(work, 'app');
  fs.mkdirSync(consumer);
  const version = (name: string) => require(path.join(ROOT, 'node_modules', name, 'package.json')).version;
  fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer-app', version: '1.0.0', private: true }));
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts',
    path.join(work, tarball), path.join(work, runtimeTarball), `aws-cdk-lib@${version('aws-cdk-lib')}`, `constructs@${version('constructs')}`], consumer);
}, 240_000);

test('the tarball ships compiled JavaScript and declarations, not sources or tests', () => {
  expect(packed).toEqual(expect.arrayContaining(['package/dist/lib/index.js', 'package/dist/lib/index.d.ts',
    'package/assets/handlers/sse-c-rekey/index.js', 'package/assets/handlers/client-side-key-rotation/index.js',
    'package/README.md', 'package/package.json']));
  const unexpected = packed.filter((f) => !/^package\/(dist\/lib\/.+\.(js|d\.ts)|assets\/handlers\/[a-z-]+\/index\.js|README\.md|package\.json|LICENSE)$/.test(f));
  expect(unexpected).toEqual([]);
});

test('a JavaScript CDK app outside the repository imports the constructs and synthesizes', () => {
  fs.writeFileSync(path.join(consumer, 'app.js'), `
    const { App, Stack } = require('aws-cdk-lib');
    const { EncryptedBucket, KmsKeyWithRotation, BucketEncryptionMode } = require('s3-encryption-constructs');
    const app = new App({ outdir: 'cdk.out' });
    const stack = new Stack(app, 'Consumer');
    const key = new KmsKeyWithRotation(stack, 'Key', { alias: 'consumer' });
    new EncryptedBucket(stack, 'Data', { encryption: BucketEncryptionMode.SSE_KMS, encryptionKey: key });
    const template = app.synth().getStackByName('Consumer').template;
    console.log(JSON.stringify(Object.values(template.Resources).map((r) => r.Type).sort()));
  `);
  const types = JSON.parse(run('node', ['app.js'], consumer).trim());
  expect(types).toEqual(['AWS::KMS::Alias', 'AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy']);
});

test('TypeScript consumers get the declarations', () => {
  fs.writeFileSync(path.join(consumer, 'app.ts'), `
    import { App, Stack } from 'aws-cdk-lib';
    import { EncryptedBucket, EncryptedBucketProps, BucketEncryptionMode } from 's3-encryption-constructs';
    const props: EncryptedBucketProps = { encryption: BucketEncryptionMode.DSSE_KMS, minimumTlsVersion: 1.3 };
    new EncryptedBucket(new Stack(new App(), 'S'), 'B', props);
  `);
  fs.writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, module: 'node16', moduleResolution: 'node16', target: 'ES2022', types: [], skipLibCheck: true },
    files: ['app.ts'],
  }));
  expect(() => run(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], consumer)).not.toThrow();
});

test('the runtime entry point loads without aws-cdk-lib', () => {
  const script = `
    const runtime = require('s3-encryption-runtime');
    const loaded = Object.keys(require.cache).filter((f) => f.includes('/aws-cdk-lib/') || f.includes('/constructs/'));
    console.log(JSON.stringify({ exports: Object.keys(runtime).length, loaded }));
  `;
  const result = JSON.parse(run('node', ['-e', script], consumer).trim());
  expect(result.loaded).toEqual([]);
  expect(result.exports).toBeGreaterThan(0);
});
