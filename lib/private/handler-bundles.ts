import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The runtime's Lambda handlers this package ships pre-bundled (`assets/handlers/<name>/index.js`). */
export const HANDLER_BUNDLES = ['sse-c-rekey', 'client-side-key-rotation'] as const;

/** A handler bundle's name. */
export type HandlerBundle = (typeof HANDLER_BUNDLES)[number];

/** The esbuild target of the bundles: the functions' runtime, nodejs24.x. */
export const LAMBDA_NODE_TARGET = 'node24';

const PACKAGE_NAME = 's3-encryption-constructs';

/** This package's root: from `lib/private` (sources) or `dist/lib/private` (published), the nearest package.json that is ours. */
function packageRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
  }
  throw new Error(`${PACKAGE_NAME}: cannot find the package root above ${__dirname}.`);
}

/** The directory holding one handler's bundle; throws, saying how to build it, when it is missing. */
export function handlerBundleDirectory(name: HandlerBundle): string {
  const dir = join(packageRoot(), 'assets', 'handlers', name);
  if (!existsSync(join(dir, 'index.js'))) {
    throw new Error(`${PACKAGE_NAME}: the Lambda handler bundle ${join(dir, 'index.js')} is missing. `
      + 'The published package ships it; in a clone of the repository run `npm run build` (npm ci does it too).');
  }
  return dir;
}
