// ESLint (typescript-eslint, type-aware) for both packages: the constructs (lib, bin, scripts, bench,
// test) and the runtime (packages/s3-encryption-runtime). Run by `npm test` through `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'cdk.out/**', 'cdk.out.*/**', 'assets/**', '.ceph-rgw/**', '**/*.js', '**/*.mjs', '**/*.d.ts', '.jsii', 'dist-bindings/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Unused values are errors; a leading underscore marks an intentionally unused parameter.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['cdk-nag/lib/*', 'aws-cdk-lib/*/lib/*', 'aws-cdk-lib/core/lib/*'], message: 'Import only the public entry points of other packages.' },
        ],
      }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // The runtime never depends on the CDK.
    files: ['packages/s3-encryption-runtime/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk-nag', 'cdk-nag/*'], message: 'The runtime package must not depend on the CDK.' }],
      }],
      // Async methods that implement Promise-returning interfaces (Keyring.wrapDataKey/unwrapDataKey, the CLI's
      // key-option resolvers) may do only synchronous work; `async` keeps their throws as rejections.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // These tests load the bundled Lambda handlers (assets/handlers/<name>/index.js) at run time, as Lambda does.
    files: [
      'packages/s3-encryption-runtime/test/integ/client-side-key-rotation.test.ts',
      'packages/s3-encryption-runtime/test/integ/sse-c-rekey-batch-handler.test.ts',
    ],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests and benchmarks handle loosely typed JSON (templates, policies, SDK mocks).
    files: ['test/**/*.ts', 'packages/*/test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
);
