import preset from '../../jest.preset.js';

/** @type {import('jest').Config} */
export default { ...preset, displayName: 'csv-splitter', globalSetup: '<rootDir>/../../tools/jest/infra-setup.js' };
