import preset from '../../jest.preset.js';

/** @type {import('jest').Config} */
export default {
  ...preset,
  displayName: 'console',
  globalSetup: '<rootDir>/../../tools/jest/infra-setup.js',
  moduleNameMapper: { ...preset.moduleNameMapper, '^(\\.{1,2}/.*)\\.ts$': '$1' },
  // Browser tests start the whole pipeline and a browser: one file at a time on a 2-core machine.
  maxWorkers: 1,
  testTimeout: 300_000,
};
