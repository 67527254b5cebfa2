// Shared Jest settings, in Jest's native ESM mode: NestJS 12 and most of our dependencies are
// ES modules only. ts-jest only transpiles (isolatedModules in tsconfig.spec.json): type errors are
// the job of the `typecheck` target, which keeps test runs fast on small machines.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  // Source imports carry `.js` extensions (Node's ESM rule); map them back to the `.ts` files.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json', useESM: true }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  clearMocks: true,
  reporters: ['default', '<rootDir>/../../tools/jest/summary-reporter.js'],
  // Integration tests talk to real brokers and servers: allow them time, but never wait blindly.
  testTimeout: 60_000,
};
