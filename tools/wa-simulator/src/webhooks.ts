import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';
import type { SimulatorMetrics } from './metrics.js';
import type { WebhookOptions } from './options.js';
import type { Random } from './random.js';

/** HMAC-SHA256 of the raw body with the app secret, as Meta sends it in X-Hub-Signature-256. */
export function signBody(appSecret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

interface PendingPost {
  body: string;
  kind: string;
  attempt: number;
}

export interface WebhookStats {
  posted: number;
  delivered: number;
  failedAttempts: number;
  dropped: number;
  queued: number;
  inFlight: number;
}

/**
 * Delivers webhook payloads: batches statuses per phone number within a short window (Meta sends
 * several statuses per POST), signs each body, POSTs with a bounded number in flight, and retries
 * any answer other than HTTP 200 with exponential backoff and jitter until maxAttempts.
 * Delivery is at-least-once by construction: a receiver that processed a payload but answered late
 * gets it again, as with Meta.
 */
export class WebhookSender {
  private readonly agent: Agent;
  private readonly pendingStatuses = new Map<string, Array<Record<string, unknown>>>();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly queue: PendingPost[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private closed = false;
  private readonly stats = { posted: 0, delivered: 0, failedAttempts: 0, dropped: 0 };

  constructor(
    private readonly options: WebhookOptions,
    private readonly metadataFor: (phoneNumberId: string) => Record<string, string>,
    private readonly wabaId: string,
    private readonly metrics: SimulatorMetrics,
    private readonly random: Random,
  ) {
    this.agent = new Agent({ connections: options.concurrency, keepAliveTimeout: 10_000 });
  }

  get enabled(): boolean {
    return this.options.url !== undefined && this.options.url !== '';
  }

  /** Calls `fn` after `ms` unless the sender is closed first. */
  later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(timer);
  }

  /** Adds one status to the batch for its phone number. */
  addStatus(phoneNumberId: string, status: Record<string, unknown>): void {
    if (!this.enabled || this.closed) return;
    this.metrics.webhookStatuses.inc({ status: String(status.status) });
    let list = this.pendingStatuses.get(phoneNumberId);
    if (!list) {
      list = [];
      this.pendingStatuses.set(phoneNumberId, list);
    }
    list.push(status);
    if (list.length >= this.options.maxBatch) this.flushNumber(phoneNumberId);
    else this.flushTimer ??= setTimeout(() => this.flushAll(), this.options.batchWindowMs);
  }

  /** Sends a non-status change (inbound message, user_preferences) immediately. */
  sendChange(phoneNumberId: string, field: string, value: Record<string, unknown>, kind = field): void {
    if (!this.enabled || this.closed) return;
    const payload = this.envelope(field, { messaging_product: 'whatsapp', metadata: this.metadataFor(phoneNumberId), ...value });
    this.enqueue({ body: JSON.stringify(payload), kind, attempt: 0 });
  }

  getStats(): WebhookStats {
    let queued = this.queue.length;
    for (const list of this.pendingStatuses.values()) queued += list.length;
    return { ...this.stats, queued, inFlight: this.inFlight };
  }

  resetStats(): void {
    this.stats.posted = this.stats.delivered = this.stats.failedAttempts = this.stats.dropped = 0;
  }

  updateOptions(patch: Partial<WebhookOptions>): void {
    Object.assign(this.options, patch);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queue.length = 0;
    this.pendingStatuses.clear();
    await this.agent.destroy();
  }

  private envelope(field: string, value: Record<string, unknown>): Record<string, unknown> {
    return { object: 'whatsapp_business_account', entry: [{ id: this.wabaId, changes: [{ value, field }] }] };
  }

  private flushAll(): void {
    this.flushTimer = undefined;
    for (const id of [...this.pendingStatuses.keys()]) this.flushNumber(id);
  }

  private flushNumber(phoneNumberId: string): void {
    const list = this.pendingStatuses.get(phoneNumberId);
    if (!list || list.length === 0) return;
    this.pendingStatuses.delete(phoneNumberId);
    for (let i = 0; i < list.length; i += this.options.maxBatch) {
      const statuses = list.slice(i, i + this.options.maxBatch);
      const payload = this.envelope('messages', {
        messaging_product: 'whatsapp',
        metadata: this.metadataFor(phoneNumberId),
        statuses,
      });
      this.enqueue({ body: JSON.stringify(payload), kind: 'statuses', attempt: 0 });
    }
  }

  private enqueue(post: PendingPost): void {
    this.queue.push(post);
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.inFlight < this.options.concurrency && this.queue.length > 0) {
      const post = this.queue.shift()!;
      this.inFlight++;
      void this.post(post).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async post(post: PendingPost): Promise<void> {
    post.attempt++;
    this.stats.posted++;
    let result: 'ok' | 'http_error' | 'network_error';
    try {
      const res = await request(this.options.url!, {
        method: 'POST',
        dispatcher: this.agent,
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': signBody(this.options.appSecret, post.body),
          'user-agent': 'facebookexternalua',
        },
        body: post.body,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      await res.body.dump();
      // Meta counts anything but 200 as a failed delivery (reference §4.6).
      result = res.statusCode === 200 ? 'ok' : 'http_error';
    } catch {
      result = 'network_error';
    }
    if (this.closed) return;
    this.metrics.webhookDeliveries.inc({ result, kind: post.kind });
    if (result === 'ok') {
      this.stats.delivered++;
      return;
    }
    this.stats.failedAttempts++;
    if (post.attempt >= this.options.maxAttempts) {
      this.stats.dropped++;
      this.metrics.webhookDropped.inc();
      return;
    }
    const backoff = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (post.attempt - 1));
    const jittered = backoff * (0.8 + 0.4 * this.random());
    this.later(jittered, () => this.enqueue(post));
  }
}
