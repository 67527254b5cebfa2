import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process-wide Prometheus registry of a service. Naming follows Prometheus conventions: base
 * units (`_seconds`, `_bytes`), `_total` for counters, a `wab_` prefix for our own series, bounded
 * label values only (never a broadcast id, recipient or phone number).
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const http = {
  requests: new Counter({
    name: 'wab_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [metricsRegistry],
  }),
  duration: new Histogram({
    name: 'wab_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route template.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metricsRegistry],
  }),
};

const buildInfo = new Gauge({
  name: 'wab_build_info',
  help: 'Always 1; labels carry the version of the running build.',
  labelNames: ['version', 'node_version'] as const,
  registers: [metricsRegistry],
});

export function setBuildInfo(version: string): void {
  buildInfo.set({ version, node_version: process.versions.node }, 1);
}

/** Kafka traffic, shared by every service that consumes or produces. */
export const kafkaMetrics = {
  consumed: new Counter({
    name: 'wab_kafka_messages_consumed_total',
    help: 'Kafka messages consumed, by topic and outcome (handled, dead_lettered).',
    labelNames: ['topic', 'outcome'] as const,
    registers: [metricsRegistry],
  }),
  produced: new Counter({
    name: 'wab_kafka_messages_produced_total',
    help: 'Kafka messages produced and acknowledged, by topic.',
    labelNames: ['topic'] as const,
    registers: [metricsRegistry],
  }),
};

interface RequestLike {
  method?: string;
  route?: { path?: string };
  baseUrl?: string;
}
interface ResponseLike {
  statusCode: number;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/**
 * Express middleware recording RED metrics. The route label is the matched route template
 * (`/v1/broadcasts/:id`), never the raw path, so ids cannot explode the label set.
 */
export function httpMetricsMiddleware(req: RequestLike, res: ResponseLike, next: () => void): void {
  const started = process.hrtime.bigint();
  let recorded = false;
  const record = () => {
    if (recorded) return;
    recorded = true;
    const route = req.route?.path ? `${req.baseUrl ?? ''}${req.route.path}` : 'unmatched';
    const method = req.method ?? 'GET';
    http.requests.inc({ method, route, status_code: String(res.statusCode) });
    http.duration.observe({ method, route }, Number(process.hrtime.bigint() - started) / 1e9);
  };
  res.once('finish', record);
  res.once('close', record);
  next();
}
