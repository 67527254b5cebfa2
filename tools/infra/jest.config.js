import preset from '../../jest.preset.js';

/** @type {import('jest').Config} */
export default {
  ...preset,
  displayName: 'infra',
  // Starts the real local stack once (Kafka, versitygw, PostgreSQL); a cold first run builds and
  // downloads, see README.md. The processes stay up after the run (npm run infra:down stops them).
  globalSetup: '<rootDir>/test/global-setup.ts',
  // Sources import each other with `.ts` extensions (run directly by Node); the preset's mapper
  // handles `.js`, this one the `.ts` form kept by ts-jest.
  moduleNameMapper: { ...preset.moduleNameMapper, '^(\\.{1,2}/.*)\\.ts$': '$1' },
  testTimeout: 60_000,
  // Integration tests share one broker and one object store; run them one file at a time.
  maxWorkers: 1,
};
