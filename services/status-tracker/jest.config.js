import preset from '../../jest.preset.js';

/** @type {import('jest').Config} */
export default {
  ...preset,
  displayName: 'status-tracker',
  // Integration tests run against the real local Kafka and PostgreSQL: make sure they are up.
  globalSetup: '<rootDir>/../../tools/jest/infra-setup.js',
};
