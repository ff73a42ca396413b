/** What both test projects share: TypeScript through swc, the CLI built once, the matchers. */
const shared = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  // Jest runs one global setup module once, however many projects name it.
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
};

/**
 * Two projects, both run by `jest` (and so by `npm test`): `unit`, the code
 * in-process against the account model, and `e2e`, what ships, as it ships
 * (docs/architecture.md, "The tests"). `--selectProjects unit` runs one.
 *
 * @type {import('jest').Config}
 */
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/test/unit'] },
    { ...shared, displayName: 'e2e', roots: ['<rootDir>/test/e2e'] },
  ],
  collectCoverageFrom: ['rule/**/*.ts', 'remediation/**/*.ts', 'cli/**/*.ts'],
  coverageThreshold: {
    './rule/': { lines: 95 },
    './remediation/': { lines: 95 },
  },
  coverageReporters: ['text-summary', 'lcov'],
};
