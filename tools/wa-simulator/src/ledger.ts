import type { Clock } from './clock.js';
import type { RenderedTemplate } from './templates.js';

export interface AcceptedMessage {
  wamid: string;
  phoneNumberId: string;
  to: string;
  waId: string;
  type: string;
  acceptedAt: number;
  template?: RenderedTemplate;
  text?: string;
  bizOpaqueCallbackData?: string;
}

export interface LedgerSummary {
  accepted: number;
  uniqueRecipients: number;
  /** Recipients (wa_id) accepted more than once: what "nobody messaged twice" is checked against. */
  duplicates: number;
  /** Sum over duplicated recipients of (count − 1): the extra messages. */
  duplicateMessages: number;
  /** Synchronous error responses by Graph error code. */
  errors: Record<string, number>;
  /** Asynchronous failures (status webhooks with status=failed) by code. */
  asyncFailures: Record<string, number>;
  requests: number;
  timeouts: number;
  firstAcceptedAt?: number;
  lastAcceptedAt?: number;
}

/**
 * Record of every accepted message, and counters of every error. Per-recipient counts are kept for
 * all recipients; full message records (with rendered parameters) up to `maxStoredMessages`, so a
 * multi-million-message benchmark does not grow memory without bound.
 */
export class Ledger {
  private readonly perRecipient = new Map<string, number>();
  private readonly messagesByRecipient = new Map<string, AcceptedMessage[]>();
  private readonly messages: AcceptedMessage[] = [];
  private readonly perSecond = new Map<number, number>();
  private errors: Record<string, number> = {};
  private asyncFailures: Record<string, number> = {};
  private accepted = 0;
  private duplicates = 0;
  private duplicateMessages = 0;
  private requests = 0;
  private timeouts = 0;
  private firstAcceptedAt: number | undefined;
  private lastAcceptedAt: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly maxStoredMessages = 1_000_000,
  ) {}

  recordRequest(): void {
    this.requests++;
  }

  recordAccepted(message: AcceptedMessage): void {
    this.accepted++;
    const count = (this.perRecipient.get(message.waId) ?? 0) + 1;
    this.perRecipient.set(message.waId, count);
    if (count === 2) this.duplicates++;
    if (count >= 2) this.duplicateMessages++;
    const second = Math.floor(message.acceptedAt / 1000);
    this.perSecond.set(second, (this.perSecond.get(second) ?? 0) + 1);
    this.firstAcceptedAt ??= message.acceptedAt;
    this.lastAcceptedAt = message.acceptedAt;
    if (this.messages.length < this.maxStoredMessages) {
      this.messages.push(message);
      const list = this.messagesByRecipient.get(message.waId);
      if (list) list.push(message);
      else this.messagesByRecipient.set(message.waId, [message]);
    }
  }

  recordError(code: number): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  recordAsyncFailure(code: number): void {
    this.asyncFailures[code] = (this.asyncFailures[code] ?? 0) + 1;
  }

  recordTimeout(): void {
    this.timeouts++;
  }

  summary(): LedgerSummary {
    return {
      accepted: this.accepted,
      uniqueRecipients: this.perRecipient.size,
      duplicates: this.duplicates,
      duplicateMessages: this.duplicateMessages,
      errors: { ...this.errors },
      asyncFailures: { ...this.asyncFailures },
      requests: this.requests,
      timeouts: this.timeouts,
      ...(this.firstAcceptedAt !== undefined ? { firstAcceptedAt: this.firstAcceptedAt } : {}),
      ...(this.lastAcceptedAt !== undefined ? { lastAcceptedAt: this.lastAcceptedAt } : {}),
    };
  }

  /** Accepted count for one recipient; accepts the `to` as sent or the normalised wa_id. */
  countFor(recipient: string): number {
    return this.perRecipient.get(normaliseWaId(recipient)) ?? 0;
  }

  /** Recipients with more than one accepted message, with their counts (at most `limit`). */
  duplicateRecipients(limit = 1000): Array<{ waId: string; count: number }> {
    const out: Array<{ waId: string; count: number }> = [];
    for (const [waId, count] of this.perRecipient) {
      if (count > 1) {
        out.push({ waId, count });
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  /** Per-recipient counts, paged by offset (insertion order). */
  recipients(offset = 0, limit = 1000): Array<{ waId: string; count: number }> {
    const out: Array<{ waId: string; count: number }> = [];
    let i = 0;
    for (const [waId, count] of this.perRecipient) {
      if (i++ < offset) continue;
      out.push({ waId, count });
      if (out.length >= limit) break;
    }
    return out;
  }

  messagesFor(recipient: string): AcceptedMessage[] {
    return this.messagesByRecipient.get(normaliseWaId(recipient)) ?? [];
  }

  listMessages(offset = 0, limit = 1000): AcceptedMessage[] {
    return this.messages.slice(offset, offset + limit);
  }

  /** Accepted messages per wall-clock second, ascending, seconds with none included as zero. */
  ratePerSecond(): Array<{ second: number; accepted: number }> {
    if (this.perSecond.size === 0) return [];
    const seconds = [...this.perSecond.keys()];
    const first = Math.min(...seconds);
    const last = Math.max(...seconds);
    const out: Array<{ second: number; accepted: number }> = [];
    for (let s = first; s <= last && out.length < 100_000; s++) out.push({ second: s, accepted: this.perSecond.get(s) ?? 0 });
    return out;
  }

  now(): number {
    return this.clock.now();
  }

  reset(): void {
    this.perRecipient.clear();
    this.messagesByRecipient.clear();
    this.messages.length = 0;
    this.perSecond.clear();
    this.errors = {};
    this.asyncFailures = {};
    this.accepted = this.duplicates = this.duplicateMessages = this.requests = this.timeouts = 0;
    this.firstAcceptedAt = this.lastAcceptedAt = undefined;
  }
}

/** wa_id is the digits of the number as sent (reference §6.1; country quirks are not simulated). */
export function normaliseWaId(to: string): string {
  return to.replace(/\D/g, '');
}
