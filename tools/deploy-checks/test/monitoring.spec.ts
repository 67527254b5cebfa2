import { helmTemplate, parseManifests } from '../src/chart.ts';
import { composeConfig, composeProblems, promtoolCheckConfig } from '../src/compose.ts';
import {
  dashboardFiles,
  dashboardProblems,
  loadDashboard,
  promtoolCheckDashboardQueries,
  queriesOf,
} from '../src/dashboards.ts';
import { checkMetricsText } from '../src/metrics.ts';
import {
  alertMetadataProblems,
  promtoolCheckRules,
  promtoolTestRules,
  sourceRuleGroups,
  testedAlerts,
  writeRenderedRules,
} from '../src/rules.ts';
import { SERVICE_METRICS, unknownMetrics } from '../src/catalogue.ts';
import { root, rulesFile } from '../src/paths.ts';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { getTools, production } from './helpers.ts';

const ISSUE_ALERTS = [
  'WabConsumerLagGrowing',
  'WabHighErrorRate',
  'WabCloudApiRateLimitStorm',
  'WabWebhookSignatureFailures',
  'WabBroadcastStalled',
  'WabDeadLetterGrowth',
  'WabWhatsAppTokenExpired',
];

function renderedRules(): string {
  const r = helmTemplate(getTools().helm, [production]);
  if (r.status !== 0) throw new Error(r.stderr);
  return writeRenderedRules(parseManifests(r.stdout), 'production-values');
}

describe('Prometheus rules', () => {
  it('pass promtool check rules, as the source file and as rendered in the PrometheusRule', () => {
    expect(promtoolCheckRules(getTools().promtool, rulesFile).status).toBe(0);
    const r = promtoolCheckRules(getTools().promtool, renderedRules());
    expect(r.stdout).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('have every alert the issue asks for, each with severity, summary, description and runbook, and a promtool test', () => {
    const groups = sourceRuleGroups();
    const alerts = groups.flatMap((g) => g.rules.map((r) => r.alert)).filter(Boolean);
    expect(alerts).toEqual(expect.arrayContaining(ISSUE_ALERTS));
    expect(alertMetadataProblems(groups)).toEqual([]);
    const tested = testedAlerts();
    expect(alerts.filter((a) => !tested.has(a as string))).toEqual([]);
  });

  it('use only catalogued metric names', () => {
    const groups = sourceRuleGroups();
    const recorded = new Set(
      groups.flatMap((g) => g.rules.map((r) => r.record ?? '')).filter(Boolean),
    );
    expect(groups.flatMap((g) => g.rules.flatMap((r) => unknownMetrics(r.expr, recorded)))).toEqual(
      [],
    );
  });

  it('pass promtool test rules against the rendered PrometheusRule', () => {
    const runs = promtoolTestRules(getTools().promtool, renderedRules());
    for (const r of runs) expect(`${r.stdout}${r.stderr}`).toContain('SUCCESS');
  });
});

describe('Grafana dashboards', () => {
  it('exist for overview, dispatcher, Kafka and service RED', () => {
    expect(
      dashboardFiles()
        .map((f) => loadDashboard(f).uid)
        .sort(),
    ).toEqual(['wab-dispatcher', 'wab-kafka', 'wab-overview', 'wab-services']);
  });

  it('use the $datasource variable everywhere and only catalogued metrics', () => {
    expect(dashboardFiles().flatMap(dashboardProblems)).toEqual([]);
  });

  it('have every query accepted by promtool', () => {
    const { result, count } = promtoolCheckDashboardQueries(getTools().promtool);
    expect(`${result.stdout}${result.stderr}`).toContain('SUCCESS');
    expect(count).toBe(dashboardFiles().flatMap(queriesOf).length);
    expect(count).toBeGreaterThan(40);
  });

  it('the dispatcher board shows rate vs quota, 130429/131056, latency percentiles and retries', () => {
    const exprs = dashboardFiles()
      .filter((f) => f.endsWith('wab-dispatcher.json'))
      .flatMap(queriesOf)
      .map((q) => q.expr)
      .join('\n');
    for (const needle of [
      'wab_dispatcher_sender_rate_mps',
      'wab_dispatcher_sender_limit_mps',
      '130429|131056',
      'histogram_quantile(0.99',
      'wab_dispatcher_retries_total',
      'wab_dispatcher_in_flight',
    ])
      expect(exprs).toContain(needle);
  });

  it('the overview board shows opt-out webhooks, opted-out skips and cancelled recipients', () => {
    const exprs = dashboardFiles()
      .filter((f) => f.endsWith('wab-overview.json'))
      .flatMap(queriesOf)
      .map((q) => q.expr)
      .join('\n');
    for (const needle of [
      'sum by (action, outcome) (rate(wab_tracker_opt_outs_total',
      'wab_splitter_opted_out_total',
      'state="cancelled"',
    ])
      expect(exprs).toContain(needle);
  });

  it('catalogue only metrics that a service or lib defines (prom-client `name:`), with their labels', () => {
    const sources = ['services', 'libs']
      .flatMap((dir) =>
        readdirSync(resolve(root, dir), { recursive: true, encoding: 'utf8' })
          .filter(
            (f) =>
              /(^|\/)src\/.*\.ts$/.test(f) &&
              !f.endsWith('.spec.ts') &&
              !f.includes('node_modules'),
          )
          .map((f) => resolve(root, dir, f)),
      )
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const defined = new Set([...sources.matchAll(/name: '(wab_[a-z_]+)'/g)].map((m) => m[1]));
    expect(SERVICE_METRICS.filter((m) => !defined.has(m))).toEqual([]);
    // the dashboards group by these labels: they must be the metric's own
    expect(sources).toMatch(
      /name: 'wab_tracker_opt_outs_total',[^}]*labelNames: \['action', 'outcome'\]/,
    );
  });

  it('a broken query is caught by the checks', () => {
    expect(unknownMetrics('sum(rate(wab_http_request_total[5m]))')).toEqual([
      'wab_http_request_total',
    ]);
  });
});

describe('docker-compose.yml', () => {
  it('passes docker-compose config -q and wires Prometheus and Grafana to the chart rules and dashboards', () => {
    const r = composeConfig(getTools().dockerCompose);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(composeProblems()).toEqual([]);
  });

  it('has a Prometheus config that promtool check config accepts', () => {
    const r = promtoolCheckConfig(getTools().promtool);
    expect(r.stdout).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});

describe('promtool check metrics (plug-in point for real /metrics output)', () => {
  it("accepts well-named metrics and ignores prom-client's known lint findings", () => {
    const text = [
      '# HELP wab_build_info Build information.',
      '# TYPE wab_build_info gauge',
      'wab_build_info{version="0.1.0",node_version="v24.11.0"} 1',
      '# HELP nodejs_active_handles_total Number of active libuv handles grouped by handle type.',
      '# TYPE nodejs_active_handles_total gauge',
      'nodejs_active_handles_total 3',
      '',
    ].join('\n');
    expect(checkMetricsText(getTools().promtool, text, 'sample').problems).toEqual([]);
  });

  it('reports a counter without _total', () => {
    const text =
      '# HELP wab_build_info b\n# TYPE wab_build_info gauge\nwab_build_info 1\n# HELP wab_sends x\n# TYPE wab_sends counter\nwab_sends 1\n';
    expect(checkMetricsText(getTools().promtool, text, 'sample').problems.join('\n')).toContain(
      '_total',
    );
  });
});
