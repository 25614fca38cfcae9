import * as fs from 'node:fs';
import * as path from 'node:path';

const LIB = path.join(__dirname, '..', '..', 'lib');

/** The packages lib/ imports (aws-cdk-lib and its submodules, constructs, cdk-nag), node builtins left out. */
function packagesImportedByLib(dir = LIB): Set<string> {
  const found = new Set<string>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      packagesImportedByLib(file).forEach((p) => found.add(p));
    } else if (entry.name.endsWith('.ts')) {
      for (const [, specifier] of fs.readFileSync(file, 'utf8').matchAll(/from '([^.'][^']*)'/g)) {
        if (!specifier.startsWith('node:')) found.add(specifier);
      }
    }
  }
  return found;
}

/** A second, independently loaded copy of this library: its classes and module state, next to the first copy's. */
export interface LibraryCopy {
  /** Its public API (lib/index.ts). */
  readonly lib: typeof import('../../lib');
  /** Its own ConstructPropError class. */
  readonly ConstructPropError: typeof import('../../lib/private/construct-prop-error').ConstructPropError;
}

/**
 * Loads this library a second time in the same process, as when an app ends up with two installed
 * copies (two versions, or a linked checkout): new module instances of every file of lib/, so new
 * classes and new module-level state, sharing the one aws-cdk-lib, constructs and cdk-nag of the
 * first copy (npm installs peer dependencies once).
 */
export function loadSecondCopyOfLibrary(): LibraryCopy {
  // The peers' module objects of the first copy, handed to the second one as they are.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading modules by name at run time is the point here
  const shared = [...packagesImportedByLib()].map((specifier) => [specifier, require(specifier) as unknown] as const);
  let copy: LibraryCopy | undefined;
  jest.isolateModules(() => {
    for (const [specifier, module] of shared) jest.doMock(specifier, () => module);
    copy = {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module instance needs a require inside isolateModules
      lib: require('../../lib') as LibraryCopy['lib'],
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
      ConstructPropError: (require('../../lib/private/construct-prop-error') as typeof import('../../lib/private/construct-prop-error')).ConstructPropError,
    };
  });
  return copy!;
}
