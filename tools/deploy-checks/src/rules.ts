// Prometheus rules: extracted from the rendered PrometheusRule, checked and unit-tested by promtool.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { run, type RunResult } from './exec.ts';
import type { K8sObject } from './chart.ts';
import { alertTestsDir, outDir, rulesFile } from './paths.ts';

export interface RuleGroup {
  name: string;
  rules: { alert?: string; record?: string; expr: string; annotations?: Record<string, string> }[];
}

/** Writes {groups} of every PrometheusRule in the manifests to artifacts/deploy/<name>.rules.yaml. */
export function writeRenderedRules(objects: K8sObject[], name: string): string {
  const groups = objects
    .filter((o) => o.kind === 'PrometheusRule')
    .flatMap((o) => (o.spec as { groups: RuleGroup[] }).groups);
  if (groups.length === 0) throw new Error(`no PrometheusRule in the ${name} manifests`);
  mkdirSync(outDir, { recursive: true });
  const file = resolve(outDir, `${name}.rules.yaml`);
  writeFileSync(file, stringify({ groups }));
  return file;
}

export function sourceRuleGroups(): RuleGroup[] {
  return (parse(readFileSync(rulesFile, 'utf8')) as { groups: RuleGroup[] }).groups;
}

export function promtoolCheckRules(promtool: string, file: string): RunResult {
  return run(promtool, ['check', 'rules', file]);
}

export function alertTestFiles(): string[] {
  return readdirSync(alertTestsDir)
    .filter((f) => f.endsWith('.test.yaml'))
    .sort()
    .map((f) => resolve(alertTestsDir, f));
}

/**
 * promtool test rules for every test file. With `rulesOverride`, each test file is copied to
 * artifacts/deploy with rule_files pointing at that file (the rendered PrometheusRule).
 */
export function promtoolTestRules(promtool: string, rulesOverride?: string): RunResult[] {
  return alertTestFiles().map((file) => {
    let target = file;
    if (rulesOverride) {
      const doc = parse(readFileSync(file, 'utf8')) as { rule_files: string[] };
      doc.rule_files = [rulesOverride];
      target = resolve(outDir, `rendered-${basename(file)}`);
      writeFileSync(target, stringify(doc));
    }
    return run(promtool, ['test', 'rules', target]);
  });
}

/** Names of the alerts a test file checks (alert_rule_test[].alertname). */
export function testedAlerts(): Set<string> {
  const names = new Set<string>();
  for (const file of alertTestFiles()) {
    const doc = parse(readFileSync(file, 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string }[] }[];
    };
    for (const t of doc.tests) for (const a of t.alert_rule_test ?? []) names.add(a.alertname);
  }
  return names;
}

/** Problems with alert metadata: every alert needs severity and summary/description/runbook. */
export function alertMetadataProblems(groups: RuleGroup[]): string[] {
  const problems: string[] = [];
  for (const g of groups)
    for (const r of g.rules) {
      if (!r.alert) continue;
      for (const key of ['summary', 'description', 'runbook'])
        if (!r.annotations?.[key]) problems.push(`${r.alert}: annotation ${key} missing`);
      if (!(r as { labels?: Record<string, string> }).labels?.severity)
        problems.push(`${r.alert}: label severity missing`);
    }
  return problems;
}
