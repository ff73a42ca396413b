/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  globalSetup: '<rootDir>/test/global-setup.ts',
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  collectCoverageFrom: ['rule/**/*.ts', 'remediation/**/*.ts', 'cli/**/*.ts'],
  coverageThreshold: {
    './rule/': { lines: 95 },
    './remediation/': { lines: 95 },
  },
  coverageReporters: ['text-summary', 'lcov'],
};
