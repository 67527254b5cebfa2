import { Counter } from 'prom-client';
import { metricsRegistry } from '@wab/service-runtime';

/** The splitter's Prometheus series (names agreed with the dashboards and alerts in deploy/). */
export const splitterMetrics = {
  rows: new Counter({
    name: 'wab_splitter_rows_total',
    help: 'CSV rows split, by outcome (valid, skipped) and skip reason ("none" for valid rows).',
    labelNames: ['outcome', 'reason'] as const,
    registers: [metricsRegistry],
  }),
  files: new Counter({
    name: 'wab_splitter_files_total',
    help: 'Broadcast inputs split, by outcome (completed, failed).',
    labelNames: ['outcome'] as const,
    registers: [metricsRegistry],
  }),
  optedOut: new Counter({
    name: 'wab_splitter_opted_out_total',
    help: 'Recipients skipped by the compose stage because they are on the suppression list.',
    registers: [metricsRegistry],
  }),
};
