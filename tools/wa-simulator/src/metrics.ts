import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one simulator instance (own registry, so several can run in one process). */
export class SimulatorMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'wa_sim_requests_total',
    help: 'Graph API requests answered (or held), by route, outcome and error code',
    labelNames: ['route', 'outcome', 'code'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'wa_sim_response_delay_seconds',
    help: 'Simulated latency applied before answering a send (drawn from the latency model)',
    buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({
    name: 'wa_sim_requests_in_flight',
    help: 'Send requests received and not yet answered (includes held timeouts)',
    registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({
    name: 'wa_sim_webhook_deliveries_total',
    help: 'Webhook POST attempts by result (ok, http_error, network_error) and kind',
    labelNames: ['result', 'kind'] as const,
    registers: [this.registry],
  });
  readonly webhookDropped = new Counter({
    name: 'wa_sim_webhook_dropped_total',
    help: 'Webhook payloads given up after the last retry',
    registers: [this.registry],
  });
  readonly webhookStatuses = new Counter({
    name: 'wa_sim_webhook_statuses_total',
    help: 'Message statuses emitted, by status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  constructor(defaultMetrics = false) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
