/**
 * Bundles the runtime's Lambda handlers into this package at build time, as aws-cdk-lib does for its
 * own custom-resource handlers: consumers synthesize the rotation constructs with neither esbuild nor
 * Docker. Output: `assets/handlers/<name>/index.js`, loaded by `lambda.Code.fromAsset`.
 *
 * Reproducible: no timestamps, no absolute paths, no source maps, so the same source gives the same
 * bytes and the same asset hash (test/handler-bundles.test.ts checks it).
 *
 *   tsx scripts/bundle-handlers.ts [outdir]    (default: <repo>/assets/handlers)
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { HANDLER_BUNDLES, LAMBDA_NODE_TARGET } from '../lib/private/handler-bundles';

const ROOT = resolve(__dirname, '..');
const HANDLER_SOURCES = join(ROOT, 'packages', 's3-encryption-runtime', 'src', 'handlers');

/** Bundles every handler into `outdir/<name>/index.js`. */
export function bundleHandlers(outdir: string): void {
  for (const name of HANDLER_BUNDLES) {
    const dir = join(outdir, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    buildSync({
      entryPoints: [join(HANDLER_SOURCES, `${name}.ts`)],
      outfile: join(dir, 'index.js'),
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'node',
      target: LAMBDA_NODE_TARGET,
      format: 'cjs',
      // The SDK clients come from the Lambda runtime (nodejs24.x ships SDK v3 clients). Everything
      // else, @aws-sdk/lib-storage included (not a client, not guaranteed by the runtime), is bundled.
      external: ['@aws-sdk/client-*'],
      minify: true,
      sourcemap: false,
      legalComments: 'none',
      logLevel: 'warning',
    });
  }
}

if (require.main === module) {
  bundleHandlers(resolve(process.argv[2] ?? join(ROOT, 'assets', 'handlers')));
}
