import { request } from 'undici';
import type { FaultProfile, LimitsOptions, StatusBehaviour } from './options.js';
import type { AcceptedMessage, LedgerSummary } from './ledger.js';
import type { InboundRequest } from './simulator.js';
import type { WebhookStats } from './webhooks.js';

/**
 * Typed client of the control API, for tests and scripts that run the simulator as a separate
 * process (`npm run simulator`). In-process users can call the Simulator's methods directly.
 */
export class SimulatorClient {
  constructor(private readonly baseUrl: string) {}

  ledger(): Promise<LedgerSummary & { webhooks: WebhookStats }> {
    return this.call('GET', '/_sim/ledger');
  }
  recipient(to: string): Promise<{ recipient: string; count: number; messages: AcceptedMessage[] }> {
    return this.call('GET', `/_sim/ledger/recipients/${encodeURIComponent(to)}`);
  }
  duplicates(limit = 1000): Promise<{ duplicates: Array<{ waId: string; count: number }> }> {
    return this.call('GET', `/_sim/ledger/duplicates?limit=${limit}`);
  }
  messages(offset = 0, limit = 1000): Promise<{ messages: AcceptedMessage[] }> {
    return this.call('GET', `/_sim/ledger/messages?offset=${offset}&limit=${limit}`);
  }
  rate(): Promise<{ perSecond: Array<{ second: number; accepted: number }> }> {
    return this.call('GET', '/_sim/ledger/rate');
  }
  reset(): Promise<{ ok: boolean }> {
    return this.call('POST', '/_sim/reset');
  }
  setFaults(
    patch: Partial<FaultProfile> & { throttleStorm?: { durationMs?: number; rate?: number }; maintenance?: { durationMs?: number } },
  ): Promise<FaultProfile> {
    return this.call('PATCH', '/_sim/faults', patch);
  }
  applyProfile(name: string): Promise<{ faults: FaultProfile; statuses: StatusBehaviour }> {
    return this.call('PUT', `/_sim/faults/profile/${name}`);
  }
  setStatuses(patch: Partial<StatusBehaviour>): Promise<StatusBehaviour> {
    return this.call('PATCH', '/_sim/statuses', patch);
  }
  setLimits(patch: Partial<LimitsOptions>): Promise<LimitsOptions> {
    return this.call('PATCH', '/_sim/limits', patch);
  }
  setLatency(spec: string): Promise<unknown> {
    return this.call('PUT', '/_sim/latency', { spec });
  }
  setTemplateStatus(name: string, status: 'PAUSED' | 'DISABLED' | 'APPROVED'): Promise<unknown> {
    return this.call('PUT', `/_sim/templates/${encodeURIComponent(name)}/status`, { status });
  }
  inject(event: InboundRequest): Promise<{ id?: string; webhook: boolean }> {
    return this.call('POST', '/_sim/inbound', event);
  }
  webhooks(): Promise<WebhookStats & { url: string | null }> {
    return this.call('GET', '/_sim/webhooks');
  }

  private async call<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, body?: unknown): Promise<T> {
    const res = await request(`${this.baseUrl}${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    const parsed = (await res.body.json()) as T & { error?: string };
    if (res.statusCode !== 200) throw new Error(`simulator control ${method} ${path}: ${res.statusCode} ${parsed.error ?? ''}`);
    return parsed;
  }
}
