import preset from '../../jest.preset.js';

/** @type {import('jest').Config} */
export default {
  ...preset,
  displayName: 'kafka-runtime',
  globalSetup: '<rootDir>/../../tools/jest/infra-setup.js',
};
