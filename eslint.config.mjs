// Lint rules for every project. Typed linting (projectService) is on so that promise rules such as
// no-floating-promises see real types; @nx/enforce-module-boundaries keeps services from importing
// each other (see the depConstraints below and the "nx.tags" of each package.json).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/coverage/**',
      '.tools/**',
      '.infra/**',
      '.nx/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // A service may use libraries, never another service or a tool.
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib'] },
            // Libraries are shared plumbing: only other libraries.
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            // libs/contracts is the bottom of the graph: it imports nothing internal.
            { sourceTag: 'scope:contracts', onlyDependOnLibsWithTags: [] },
            // Tools (simulator, infrastructure, benchmarks) may use libraries and other tools.
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
