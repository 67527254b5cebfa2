// npm run verify:deploy: validates everything under deploy/ offline with the real tools and prints a
// summary; exits non-zero when any step fails. Installs missing tools itself (see tools.ts).
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { basename, relative } from 'node:path';
import {
  ciValuesFiles,
  helmLint,
  helmTemplate,
  policyProblems,
  renderValuesFile,
  validateSchema,
  type K8sObject,
} from './chart.ts';
import { composeConfig, composeProblems, promtoolCheckConfig } from './compose.ts';
import { dashboardFiles, dashboardProblems, promtoolCheckDashboardQueries } from './dashboards.ts';
import { run } from './exec.ts';
import { checkConfiguredMetrics } from './metrics.ts';
import { chartDir, root, rulesFile } from './paths.ts';
import {
  alertMetadataProblems,
  promtoolCheckRules,
  promtoolTestRules,
  sourceRuleGroups,
  testedAlerts,
  writeRenderedRules,
} from './rules.ts';
import { unknownMetrics } from './catalogue.ts';
import { ensureTools } from './tools.ts';

type Outcome = 'pass' | 'fail' | 'skip';
const results: { step: string; outcome: Outcome; detail: string; ms: number }[] = [];

async function step(
  name: string,
  fn: () => Promise<string | { skip: string }> | string | { skip: string },
): Promise<void> {
  const started = Date.now();
  process.stdout.write(`-- ${name} ... `);
  try {
    const out = await fn();
    const skipped = typeof out === 'object';
    const detail = skipped ? out.skip : out;
    results.push({
      step: name,
      outcome: skipped ? 'skip' : 'pass',
      detail,
      ms: Date.now() - started,
    });
    console.log(
      `${skipped ? 'SKIP' : 'ok'} (${Date.now() - started} ms)${detail ? `: ${detail}` : ''}`,
    );
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    results.push({ step: name, outcome: 'fail', detail, ms: Date.now() - started });
    console.log(`FAIL (${Date.now() - started} ms)\n${detail.replace(/^/gm, '     ')}`);
  }
}

function failIf(problems: string[]): void {
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

const started = Date.now();
console.log(`verify:deploy: ${relative(root, chartDir)}, dashboards, alerts, docker-compose.yml`);
const tools = ensureTools((line) => console.log(line));
const rendered = new Map<string, K8sObject[]>();

for (const values of ciValuesFiles()) {
  const name = basename(values, '.yaml');
  await step(`helm lint --strict -f ci/${name}.yaml`, () => {
    const r = helmLint(tools.helm, values);
    if (r.status !== 0) throw new Error(`${r.stdout}${r.stderr}`);
    return '';
  });
  await step(`helm template -f ci/${name}.yaml`, () => {
    const objects = renderValuesFile(tools.helm, values);
    rendered.set(name, objects);
    const kinds = new Map<string, number>();
    for (const o of objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
    return `${objects.length} objects (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')})`;
  });
  await step(
    `schemas (kubernetes-models, KEDA, Prometheus Operator): ci/${name}.yaml`,
    async () => {
      const objects = rendered.get(name);
      if (!objects) throw new Error('not rendered');
      failIf((await Promise.all(objects.map(validateSchema))).flat());
      return `${objects.length} objects valid`;
    },
  );
  await step(
    `policy (resources, non-root, read-only fs, drop ALL, pinned images, no replicas under an autoscaler): ci/${name}.yaml`,
    () => {
      const objects = rendered.get(name);
      if (!objects) throw new Error('not rendered');
      failIf(policyProblems(objects));
      return '';
    },
  );
}

await step('helm template refuses default values without secrets', () => {
  const r = helmTemplate(tools.helm, []);
  if (r.status === 0 || !/needs WHATSAPP_TOKEN/.test(r.stderr))
    throw new Error(
      `expected a failure naming the missing secret, got rc=${r.status}\n${r.stderr}`,
    );
  return 'fails with a clear message';
});

await step('yamllint Chart.yaml values.yaml ci/*.yaml', () => {
  const config =
    '{extends: default, rules: {line-length: {max: 200}, document-start: disable, truthy: {check-keys: false}, braces: {max-spaces-inside: 1}, brackets: {max-spaces-inside: 1}, comments: {min-spaces-from-content: 1}, comments-indentation: disable}}';
  const files = [
    `${chartDir}/Chart.yaml`,
    `${chartDir}/values.yaml`,
    ...ciValuesFiles(),
    rulesFile,
  ];
  const r = run(tools.yamllint, ['-d', config, ...files]);
  if (r.status !== 0) throw new Error(r.stdout + r.stderr);
  return `${files.length} files`;
});

const production = rendered.get('production-values');
await step('rendered PrometheusRule equals files/prometheus-rules.yaml', () => {
  if (!production) throw new Error('production-values not rendered');
  const groups = production
    .filter((o) => o.kind === 'PrometheusRule')
    .flatMap((o) => (o.spec as { groups: unknown[] }).groups);
  if (!isDeepStrictEqual(groups, sourceRuleGroups()))
    throw new Error('the PrometheusRule groups differ from the source file');
  return `${groups.length} groups`;
});
let renderedRules = '';
await step('promtool check rules (rendered PrometheusRule)', () => {
  if (!production) throw new Error('production-values not rendered');
  renderedRules = writeRenderedRules(production, 'production-values');
  const r = promtoolCheckRules(tools.promtool, renderedRules);
  if (r.status !== 0) throw new Error(r.stdout + r.stderr);
  return r.stdout.match(/\d+ rules found/)?.[0] ?? '';
});
await step('alerts: annotations, severity, known metrics, one test each', () => {
  const groups = sourceRuleGroups();
  const recorded = new Set(
    groups.flatMap((g) => g.rules.map((r) => r.record ?? '')).filter(Boolean),
  );
  const problems = alertMetadataProblems(groups);
  for (const g of groups)
    for (const r of g.rules)
      for (const m of unknownMetrics(r.expr, recorded))
        problems.push(`${r.alert ?? r.record}: unknown metric ${m}`);
  const tested = testedAlerts();
  const alerts = groups.flatMap((g) => g.rules.map((r) => r.alert).filter((a): a is string => !!a));
  for (const a of alerts) if (!tested.has(a)) problems.push(`${a}: no promtool test`);
  failIf(problems);
  return `${alerts.length} alerts: ${alerts.join(', ')}`;
});
await step('promtool test rules (deploy/prometheus/tests on the rendered rules)', () => {
  if (!renderedRules) throw new Error('rules not rendered');
  const runs = promtoolTestRules(tools.promtool, renderedRules);
  const failed = runs.filter((r) => r.status !== 0);
  if (failed.length > 0) throw new Error(failed.map((r) => r.stdout + r.stderr).join('\n'));
  return `${runs.length} test file(s) SUCCESS`;
});
await step('dashboards: structure, $datasource, known metrics', () => {
  failIf(dashboardFiles().flatMap(dashboardProblems));
  return dashboardFiles()
    .map((f) => basename(f))
    .join(', ');
});
await step('dashboards: every query parsed by promtool', () => {
  const { result, count } = promtoolCheckDashboardQueries(tools.promtool);
  if (result.status !== 0) throw new Error(result.stdout + result.stderr);
  return `${count} queries`;
});
await step('dashboards: chart ConfigMaps carry the same JSON', () => {
  if (!production) throw new Error('production-values not rendered');
  const maps = production.filter(
    (o) =>
      o.kind === 'ConfigMap' &&
      (o.metadata.labels as Record<string, string>)?.grafana_dashboard === '1',
  );
  const files = dashboardFiles();
  if (maps.length !== files.length)
    throw new Error(`${maps.length} dashboard ConfigMaps for ${files.length} files`);
  for (const f of files) {
    const data = maps.map((m) => (m.data as Record<string, string>)[basename(f)]).find(Boolean);
    if (data === undefined || data.trim() !== readFileSync(f, 'utf8').trim())
      throw new Error(`${basename(f)} differs in the chart`);
  }
  return `${files.length} ConfigMaps`;
});
await step('docker-compose -f docker-compose.yml config -q', () => {
  const r = composeConfig(tools.dockerCompose);
  if (r.status !== 0) throw new Error(r.stdout + r.stderr);
  failIf(composeProblems());
  return 'valid; Prometheus and Grafana use the chart rules and dashboards';
});
await step('promtool check config deploy/compose/prometheus.yml', () => {
  const r = promtoolCheckConfig(tools.promtool);
  if (r.status !== 0) throw new Error(r.stdout + r.stderr);
  return 'valid';
});
await step('promtool check metrics (WAB_METRICS_URLS / WAB_METRICS_FILES)', async () => {
  const checks = await checkConfiguredMetrics(tools.promtool);
  if (!checks) return { skip: 'no WAB_METRICS_URLS or WAB_METRICS_FILES given' };
  failIf(checks.flatMap((c) => c.problems.map((p) => `${c.source}: ${p}`)));
  return `${checks.length} source(s) clean`;
});

const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
console.log(`\n== verify:deploy summary (${((Date.now() - started) / 1000).toFixed(1)} s)`);
for (const r of results) console.log(`${r.outcome.toUpperCase().padEnd(4)} ${r.step}`);
console.log(
  `verify:deploy: ${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`,
);
process.exitCode = count('fail') > 0 ? 1 : 0;
