/**
 * Three projects, one per kind of test:
 * - unit: constructs, snapshots, policy evaluation, runtime logic, known-answer vectors (no servers);
 * - interop: the AWS-written peer (Ruby SDK S3 encryption client);
 * - integ: a real S3 server (Ceph radosgw, started by scripts/ceph-rgw.sh).
 */
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/jest-env.ts'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integ/', '<rootDir>/test/interop/'],
    },
    {
      ...common,
      displayName: 'interop',
      testMatch: ['<rootDir>/test/interop/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integ',
      testMatch: ['<rootDir>/test/integ/**/*.test.ts'],
    },
  ],
};
