import preset from '../../jest.preset.js';

/** @type {import('jest').Config} */
export default {
  ...preset,
  displayName: 'bench',
  moduleNameMapper: { ...preset.moduleNameMapper, '^(\\.{1,2}/.*)\\.ts$': '$1' },
};
