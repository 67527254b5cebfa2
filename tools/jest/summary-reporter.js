// Writes each Jest run's totals to artifacts/test-results/<project>.json so that tools/bin/test-all
// can print one closing line for the whole suite ("N passed, N failed") across all projects.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export default class SummaryReporter {
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
  }

  onRunComplete(_contexts, results) {
    const dir = join(root, 'artifacts', 'test-results');
    mkdirSync(dir, { recursive: true });
    const project = (this.globalConfig.rootDir ?? 'unknown')
      .slice(root.length + 1)
      .replaceAll('/', '__');
    const failedSuites = results.testResults
      .filter((suite) => suite.testExecError || suite.numFailingTests > 0)
      .map((suite) => suite.testFilePath.slice(root.length + 1));
    writeFileSync(
      join(dir, `${project}.json`),
      JSON.stringify({
        project,
        passed: results.numPassedTests,
        failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
        skipped: results.numPendingTests + results.numTodoTests,
        failedSuites,
      }),
    );
  }
}
