import { resolve } from 'node:path';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';

const root = resolve(import.meta.dirname, '../../..');

/**
 * Lints a probe file with the repository's own @nx/enforce-module-boundaries settings (taken from
 * eslint.config.mjs, so this fails if the rule is loosened there). Type-aware rules are left out:
 * the probe is not part of any tsconfig, and only the boundary rule is under test here.
 */
async function lintProbe(filePath: string, code: string): Promise<Linter.LintMessage[]> {
  const configs = (
    (await import(resolve(root, 'eslint.config.mjs'))) as { default: Linter.Config[] }
  ).default;
  const withRule = configs.find(
    (config) => config.rules?.['@nx/enforce-module-boundaries'] !== undefined,
  );
  if (!withRule?.plugins || !withRule.rules)
    throw new Error('eslint.config.mjs no longer configures @nx/enforce-module-boundaries');
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: withRule.plugins,
        rules: { '@nx/enforce-module-boundaries': withRule.rules['@nx/enforce-module-boundaries'] },
      },
    ],
  });
  const [result] = await eslint.lintText(code, { filePath: resolve(root, filePath) });
  return result?.messages ?? [];
}

/** The boundary rule's messages, one per line, so a failing expectation shows what was said. */
function boundaryMessages(messages: Linter.LintMessage[]): string {
  return messages
    .filter((m) => m.ruleId === '@nx/enforce-module-boundaries')
    .map((m) => m.message)
    .join('\n');
}

describe('module boundaries', () => {
  it('refuses an import of one service from another, by package name', async () => {
    const messages = await lintProbe(
      'services/dispatcher/src/boundary-probe.ts',
      "import { loadSplitterConfig } from '@wab/csv-splitter';\nexport const probe = loadSplitterConfig;\n",
    );
    expect(boundaryMessages(messages)).toContain(
      'tagged with "type:service" can only depend on libs tagged with "type:lib"',
    );
  });

  it('refuses an import of one service from another, by relative path', async () => {
    const messages = await lintProbe(
      'services/dispatcher/src/boundary-probe.ts',
      "import { loadSplitterConfig } from '../../csv-splitter/src/config.js';\nexport const probe = loadSplitterConfig;\n",
    );
    expect(messages.map((m) => m.ruleId)).toContain('@nx/enforce-module-boundaries');
  });

  it('allows a service to import a library', async () => {
    const messages = await lintProbe(
      'services/dispatcher/src/boundary-probe.ts',
      "import { TOPICS } from '@wab/contracts';\nexport const probe = TOPICS;\n",
    );
    expect(messages).toEqual([]);
  });

  it('keeps libs/contracts free of internal imports', async () => {
    const messages = await lintProbe(
      'libs/contracts/src/boundary-probe.ts',
      "import { loadConfig } from '@wab/service-runtime';\nexport const probe = loadConfig;\n",
    );
    expect(boundaryMessages(messages)).toContain('scope:contracts');
  });
});
