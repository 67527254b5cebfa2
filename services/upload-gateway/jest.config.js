import preset from '../../jest.preset.js';

/** @type {import('jest').Config} */
export default {
  ...preset,
  displayName: 'upload-gateway',
  // Integration tests start the local infrastructure (Kafka, S3, PostgreSQL) when it is not running.
  globalSetup: '<rootDir>/../../tools/jest/infra-setup.js',
};
