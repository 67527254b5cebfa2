// The metric names the services expose (issue 7's catalogue) and the external ones we read.
// Dashboards and rules may only use these, so a typo in a query fails verify:deploy.
import { parser } from '@prometheus-io/lezer-promql';

export const SERVICE_METRICS = [
  'wab_build_info',
  'wab_http_requests_total',
  'wab_http_request_duration_seconds',
  'wab_kafka_messages_consumed_total',
  'wab_kafka_messages_produced_total',
  'wab_dispatcher_in_flight',
  'wab_dispatcher_cloud_api_calls_total',
  'wab_dispatcher_cloud_api_call_duration_seconds',
  'wab_dispatcher_retries_total',
  'wab_dispatcher_pacer_wait_seconds',
  'wab_dispatcher_sender_rate_mps',
  'wab_dispatcher_sender_limit_mps',
  'wab_dispatcher_results_total',
  'wab_dispatcher_parked_total',
  'wab_dispatcher_unparked_total',
  'wab_dispatcher_parked_requests',
  'wab_splitter_rows_total',
  'wab_splitter_files_total',
  'wab_splitter_opted_out_total',
  'wab_tracker_write_batch_size',
  'wab_tracker_write_duration_seconds',
  'wab_tracker_webhook_requests_total',
  'wab_tracker_broadcasts',
  'wab_tracker_recipient_transitions_total',
  'wab_tracker_oldest_broadcast_eta_seconds',
  'wab_tracker_broadcast_stalled',
  'wab_tracker_account_errors_total',
  'wab_tracker_opt_outs_total',
];

/** kafka_exporter, Prometheus itself and prom-client's default metrics. */
export const EXTERNAL_METRICS = [
  'kafka_consumergroup_lag',
  'kafka_consumergroup_members',
  'kafka_topic_partitions',
  'up',
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_p99_seconds',
];

const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

/**
 * Metric names referenced by a PromQL expression: the Identifier of every VectorSelector in the
 * lezer-promql syntax tree (Prometheus' own grammar, as used by its web UI). A parse error is
 * reported as the pseudo-name "<parse error at N>".
 */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) names.add(`<parse error at ${node.from}>`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector')
        names.add(expr.slice(node.from, node.to));
    },
  });
  return [...names];
}

/** Unknown metric names in an expression (recording rules `wab:...` are allowed). */
export function unknownMetrics(expr: string, recorded: Set<string> = new Set()): string[] {
  const known = new Set([...SERVICE_METRICS, ...EXTERNAL_METRICS]);
  return metricNames(expr).filter((name) => {
    if (recorded.has(name) || known.has(name)) return false;
    const base = HISTOGRAM_SUFFIXES.reduce(
      (n, s) => (n.endsWith(s) ? n.slice(0, -s.length) : n),
      name,
    );
    return !known.has(base);
  });
}
