import { existsSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..', '..', '..');

/**
 * The bundle of a Lambda handler exactly as the construct package ships it
 * (`assets/handlers/<name>/index.js`, made by `npm run build`), so the tests run what Lambda runs.
 */
export function shippedHandlerBundle(name: 'sse-c-rekey' | 'client-side-key-rotation'): string {
  const path = join(REPO, 'assets', 'handlers', name, 'index.js');
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` (npm test does) to bundle the handlers.`);
  return path;
}
