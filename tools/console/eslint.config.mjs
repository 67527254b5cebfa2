// The repository's rules, plus typed linting for the console's .tsx files (the root config covers .ts).
import root from '../../eslint.config.mjs';

export default [
  ...root,
  {
    files: ['**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
];
