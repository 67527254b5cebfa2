import { resolve } from 'node:path';

/** Repository root (tools/deploy-checks/src → ../../..). */
export const root = resolve(import.meta.dirname, '../../..');
export const chartDir = resolve(root, 'deploy/helm/wa-broadcast');
export const ciValuesDir = resolve(chartDir, 'ci');
export const rulesFile = resolve(chartDir, 'files/prometheus-rules.yaml');
export const dashboardsDir = resolve(chartDir, 'dashboards');
export const alertTestsDir = resolve(root, 'deploy/prometheus/tests');
export const composeFile = resolve(root, 'docker-compose.yml');
export const composePrometheusConfig = resolve(root, 'deploy/compose/prometheus.yml');
/** Rendered manifests and generated rule files land here (git-ignored). */
export const outDir = resolve(root, 'artifacts/deploy');
export const toolsDir = resolve(root, '.tools');
