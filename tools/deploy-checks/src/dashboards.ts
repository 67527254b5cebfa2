// Grafana dashboards: structure checks and every panel query parsed by promtool (each expression
// becomes a recording rule after Grafana's $__ variables are replaced by durations).
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { stringify } from 'yaml';
import { unknownMetrics } from './catalogue.ts';
import { run, type RunResult } from './exec.ts';
import { dashboardsDir, outDir } from './paths.ts';

interface Target {
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: unknown }[] };
  __inputs?: unknown;
}

export interface DashboardQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

export function dashboardFiles(): string[] {
  return readdirSync(dashboardsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => resolve(dashboardsDir, f));
}

export function loadDashboard(file: string): Dashboard {
  return JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
}

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

export function queriesOf(file: string): DashboardQuery[] {
  const d = loadDashboard(file);
  return allPanels(d.panels).flatMap((p) =>
    (p.targets ?? [])
      .filter((t) => typeof t.expr === 'string' && t.expr.trim() !== '')
      .map((t) => ({ dashboard: basename(file), panel: p.title, expr: t.expr as string })),
  );
}

/** Structural problems: uid, $datasource variable and its use everywhere, no __inputs, known metrics. */
export function dashboardProblems(file: string): string[] {
  const name = basename(file);
  const d = loadDashboard(file);
  const problems: string[] = [];
  if (!d.uid || d.uid.length > 40)
    problems.push(`${name}: uid missing or longer than 40 characters`);
  if (d.__inputs) problems.push(`${name}: has __inputs (export "for sharing externally" off)`);
  const ds = d.templating.list.find((v) => v.name === 'datasource');
  if (!ds || ds.type !== 'datasource' || ds.query !== 'prometheus')
    problems.push(`${name}: no $datasource variable of type prometheus`);
  const ids = new Set<number>();
  for (const p of allPanels(d.panels)) {
    if (ids.has(p.id)) problems.push(`${name}: duplicate panel id ${p.id}`);
    ids.add(p.id);
    if (p.type === 'row') continue;
    if (p.datasource?.uid !== '${datasource}')
      problems.push(`${name} "${p.title}": datasource is not \${datasource}`);
    if (!p.targets?.length) problems.push(`${name} "${p.title}": no queries`);
    for (const t of p.targets ?? []) {
      if (t.datasource && t.datasource.uid !== '${datasource}')
        problems.push(`${name} "${p.title}": target datasource is not \${datasource}`);
      for (const m of unknownMetrics(toPromQL(t.expr ?? '')))
        problems.push(`${name} "${p.title}": unknown metric ${m}`);
    }
  }
  return problems;
}

/** Replaces Grafana's interval variables by durations so promtool can parse the query. */
export function toPromQL(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '5m')
    .replaceAll('$__interval', '1m')
    .replaceAll('$__range', '1h')
    .replaceAll('${__range}', '1h');
}

/** Writes every dashboard query as a recording rule and runs `promtool check rules` on it. */
export function promtoolCheckDashboardQueries(promtool: string): {
  result: RunResult;
  count: number;
  file: string;
} {
  const queries = dashboardFiles().flatMap(queriesOf);
  const rules = queries.map((q, i) => ({
    record: `dashcheck:q${i}`,
    expr: toPromQL(q.expr),
    labels: { dashboard: q.dashboard, panel: q.panel },
  }));
  mkdirSync(outDir, { recursive: true });
  const file = resolve(outDir, 'dashboard-queries.rules.yaml');
  writeFileSync(file, stringify({ groups: [{ name: 'dashboard-queries', rules }] }));
  return { result: run(promtool, ['check', 'rules', file]), count: queries.length, file };
}
