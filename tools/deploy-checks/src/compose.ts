// docker-compose.yml: validated offline by Debian's docker-compose 1.29.2 (`config -q`, no engine),
// plus checks that its Prometheus and Grafana use the chart's rules and dashboards (one source).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { run, type RunResult } from './exec.ts';
import { composeFile, composePrometheusConfig, root } from './paths.ts';

export function composeConfig(dockerCompose: string): RunResult {
  return run(dockerCompose, ['-f', composeFile, 'config', '-q'], { cwd: root });
}

interface ComposeService {
  image?: string;
  volumes?: string[];
}

export function composeProblems(): string[] {
  const doc = parse(readFileSync(composeFile, 'utf8')) as {
    services: Record<string, ComposeService>;
  };
  const problems: string[] = [];
  const s = doc.services;
  for (const required of [
    'kafka',
    'object-store',
    'postgres',
    'topics',
    'upload-gateway',
    'csv-splitter',
    'dispatcher',
    'status-tracker',
    'wa-simulator',
    'prometheus',
    'grafana',
    'kafka-exporter',
  ])
    if (!s[required]) problems.push(`docker-compose.yml: service ${required} missing`);
  const mounts = (name: string) => (s[name]?.volumes ?? []).map((v) => v.split(':')[0]);
  if (!mounts('prometheus').includes('./deploy/helm/wa-broadcast/files/prometheus-rules.yaml'))
    problems.push(
      'prometheus does not mount the chart rules (deploy/helm/wa-broadcast/files/prometheus-rules.yaml)',
    );
  if (!mounts('prometheus').includes('./deploy/compose/prometheus.yml'))
    problems.push('prometheus does not mount deploy/compose/prometheus.yml');
  if (!mounts('grafana').includes('./deploy/helm/wa-broadcast/dashboards'))
    problems.push(
      'grafana does not mount the chart dashboards (deploy/helm/wa-broadcast/dashboards)',
    );
  for (const [name, svc] of Object.entries(s))
    if (svc.image && (!/:[^/:]+$/.test(svc.image) || svc.image.endsWith(':latest')))
      problems.push(`docker-compose.yml: ${name} image ${svc.image} is not pinned`);
  // every service the chart deploys is scraped, on the port compose gives it
  const prom = parse(readFileSync(composePrometheusConfig, 'utf8')) as {
    scrape_configs: {
      job_name: string;
      static_configs: { targets: string[]; labels?: Record<string, string> }[];
    }[];
  };
  for (const svc of [
    'upload-gateway',
    'csv-splitter',
    'dispatcher',
    'status-tracker',
    'kafka-exporter',
  ]) {
    const job = prom.scrape_configs.find((j) => j.job_name === svc);
    if (!job) problems.push(`deploy/compose/prometheus.yml: no scrape job ${svc}`);
    else if (job.static_configs.some((c) => c.labels?.service !== svc))
      problems.push(`deploy/compose/prometheus.yml: job ${svc} lacks service="${svc}"`);
  }
  return problems;
}

/** `promtool check config` on compose's Prometheus config (its rule glob points into the container). */
export function promtoolCheckConfig(promtool: string): RunResult {
  return run(promtool, ['check', 'config', composePrometheusConfig]);
}
