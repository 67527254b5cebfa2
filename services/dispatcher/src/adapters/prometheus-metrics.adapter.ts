import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '@wab/service-runtime';
import type { PacerRegistry } from '../domain/pacer-registry.js';
import type { DispatchObserver } from '../dispatch.service.js';

/** The dispatcher's Prometheus series (names agreed with the dashboards and alerts in deploy/). */
export class PrometheusDispatchObserver implements DispatchObserver {
  private readonly calls = new Counter({
    name: 'wab_dispatcher_cloud_api_calls_total',
    help: 'Cloud API calls by outcome (accepted, error, unknown, not_sent) and Graph error code.',
    labelNames: ['outcome', 'code'] as const,
    registers: [metricsRegistry],
  });
  private readonly callDuration = new Histogram({
    name: 'wab_dispatcher_cloud_api_call_duration_seconds',
    help: 'Duration of one Cloud API call.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 30],
    registers: [metricsRegistry],
  });
  private readonly retries = new Counter({
    name: 'wab_dispatcher_retries_total',
    help: 'Retries by reason (retry, throttle-sender, throttle-recipient, pause-sender, not-sent).',
    labelNames: ['action'] as const,
    registers: [metricsRegistry],
  });
  private readonly pacerWait = new Histogram({
    name: 'wab_dispatcher_pacer_wait_seconds',
    help: 'Time a call waited for its sender pacer slot.',
    buckets: [0, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [metricsRegistry],
  });
  private readonly results = new Counter({
    name: 'wab_dispatcher_results_total',
    help: 'Send results published, by status (accepted, failed, unknown).',
    labelNames: ['status'] as const,
    registers: [metricsRegistry],
  });

  private readonly parkedTotal = new Counter({
    name: 'wab_dispatcher_parked_total',
    help: 'Send requests parked because their broadcast or sender was paused (issue 6).',
    registers: [metricsRegistry],
  });
  private readonly unparkedTotal = new Counter({
    name: 'wab_dispatcher_unparked_total',
    help: 'Parked send requests re-published, by the state of their target (active, cancelled).',
    labelNames: ['state'] as const,
    registers: [metricsRegistry],
  });
  private readonly parkedNowGauge = new Gauge({
    name: 'wab_dispatcher_parked_requests',
    help: "Send requests parked for this dispatcher's topic (all replicas), as of the last sweep.",
    registers: [metricsRegistry],
  });

  constructor(pacers: PacerRegistry, inFlight: () => number) {
    new Gauge({
      name: 'wab_dispatcher_in_flight',
      help: 'Send requests being handled (pacing, calling, retrying) in this replica.',
      registers: [metricsRegistry],
      collect() {
        this.set(inFlight());
      },
    });
    new Gauge({
      name: 'wab_dispatcher_sender_rate_mps',
      help: 'Current adaptive send rate per sender phone-number id (lowered after 130429).',
      labelNames: ['sender'] as const,
      registers: [metricsRegistry],
      collect() {
        for (const [sender, pacer] of pacers.entries()) this.set({ sender }, pacer.currentRate());
      },
    });
    new Gauge({
      name: 'wab_dispatcher_sender_limit_mps',
      help: "This replica's share of the configured quota per sender phone-number id.",
      labelNames: ['sender'] as const,
      registers: [metricsRegistry],
      collect() {
        for (const [sender, pacer] of pacers.entries()) this.set({ sender }, pacer.limit);
      },
    });
  }

  call(
    outcome: 'accepted' | 'error' | 'unknown' | 'not_sent',
    code: number | undefined,
    seconds: number,
  ): void {
    this.calls.inc({ outcome, code: code === undefined ? 'none' : String(code) });
    this.callDuration.observe(seconds);
  }

  retry(action: string): void {
    this.retries.inc({ action });
  }

  waited(seconds: number): void {
    this.pacerWait.observe(seconds);
  }

  result(status: 'accepted' | 'failed' | 'unknown'): void {
    this.results.inc({ status });
  }

  parked(): void {
    this.parkedTotal.inc();
  }

  unparked(state: 'active' | 'cancelled', count: number): void {
    this.unparkedTotal.inc({ state }, count);
  }

  parkedNow(count: number): void {
    this.parkedNowGauge.set(count);
  }
}
