import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSystem } from 'aws-cdk-lib';
import { HANDLER_BUNDLES, handlerBundleDirectory } from '../lib/private/handler-bundles';
import { bundleHandlers } from '../scripts/bundle-handlers';

/**
 * The Lambda handlers ship pre-bundled (`npm run build`), as aws-cdk-lib ships its custom-resource
 * handlers, so a consumer synthesizes the rotation constructs without esbuild or Docker. The bundles
 * are reproducible: bundling the same source again gives the same bytes, so the same asset hash.
 */
describe.each(HANDLER_BUNDLES)('the %s handler bundle', (name) => {
  const shipped = handlerBundleDirectory(name);
  const again = mkdtempSync(join(tmpdir(), 'handler-bundles-'));
  bundleHandlers(again);

  it('is byte-identical when bundled again from the same source, so its asset hash is stable', () => {
    expect(readFileSync(join(again, name, 'index.js')).equals(readFileSync(join(shipped, 'index.js')))).toBe(true);
    expect(FileSystem.fingerprint(join(again, name))).toBe(FileSystem.fingerprint(shipped));
  });

  it('holds the whole handler: SDK clients from the Lambda runtime, everything else inside, no source paths', () => {
    const code = readFileSync(join(shipped, 'index.js'), 'utf8');
    expect(code).toMatch(/require\("@aws-sdk\/client-s3"\)/);
    expect(code).not.toMatch(/require\("@aws-sdk\/lib-storage"\)/);
    expect(code).not.toMatch(/require\("\.\.?\//);
    expect(code).not.toContain(process.cwd());
  });
});
