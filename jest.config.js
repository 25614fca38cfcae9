/**
 * One project per kind of test:
 * - unit: constructs, snapshots, policy evaluation in the IAM engine, guardrails (no servers);
 * - runtime: the runtime package's logic and known-answer vectors (no servers);
 * - interop: the AWS-written peer (Ruby SDK S3 encryption client);
 * - integ: a real S3 server (Ceph radosgw, started by scripts/ceph-rgw.sh);
 * - package: both tarballs installed into fresh consumer apps.
 */
const RUNTIME = '<rootDir>/packages/s3-encryption-runtime/test';
const common = { preset: 'ts-jest', testEnvironment: 'node' };

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      setupFiles: ['<rootDir>/test/support/jest-env.ts'],
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/package/'],
    },
    {
      ...common,
      displayName: 'runtime',
      testMatch: [`${RUNTIME}/**/*.test.ts`],
      testPathIgnorePatterns: ['/node_modules/', `${RUNTIME}/integ/`, `${RUNTIME}/interop/`],
    },
    { ...common, displayName: 'interop', testMatch: [`${RUNTIME}/interop/**/*.test.ts`] },
    { ...common, displayName: 'integ', testMatch: [`${RUNTIME}/integ/**/*.test.ts`] },
    { ...common, displayName: 'package', setupFiles: ['<rootDir>/test/support/jest-env.ts'], testMatch: ['<rootDir>/test/package/**/*.test.ts'] },
  ],
};
