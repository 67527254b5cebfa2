import preset from '../../jest.preset.js';

/** @type {import('jest').Config} */
export default {
  ...preset,
  displayName: 'deploy-checks',
  // Installs helm, promtool, docker-compose and yamllint once when missing (a cold helm build
  // takes a few minutes), outside the per-test timeout.
  globalSetup: '<rootDir>/test/global-setup.ts',
  // Sources import each other with `.ts` extensions (run directly by Node for verify:deploy).
  moduleNameMapper: { ...preset.moduleNameMapper, '^(\\.{1,2}/.*)\\.ts$': '$1' },
  testTimeout: 120_000,
  // helm and promtool are CPU-bound; one file at a time on small machines.
  maxWorkers: 1,
};
