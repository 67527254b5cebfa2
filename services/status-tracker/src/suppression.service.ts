import { Inject, Injectable } from '@nestjs/common';
import { maskPhone, type Logger } from '@wab/service-runtime';
import type { OptOutEvent, SuppressionReason } from './domain/opt-out.js';
import { csvLine } from './domain/report-csv.js';
import { optOutMetrics } from './metrics.js';
import {
  SuppressionStore,
  type OptOutResult,
  type SuppressionRecord,
} from './ports/suppression-store.port.js';
import { LOGGER } from './tokens.js';

/** Rows per database read of the streamed export. */
const EXPORT_BATCH = 1000;
/**
 * LOUD WARNING: a published format (operators re-import it, the CLI's `export` writes it): add
 * columns at the end.
 */
export const SUPPRESSIONS_CSV_HEADER = [
  'phone',
  'reason',
  'detail',
  'phone_number_id',
  'message_id',
  'opted_out_at',
  'created_at',
] as const;

export interface SuppressionView {
  phone: string;
  reason: SuppressionReason;
  detail?: string;
  phoneNumberId?: string;
  messageId?: string;
  optedOutAt: string;
  createdAt: string;
}

export function suppressionView(record: SuppressionRecord): SuppressionView {
  return {
    phone: record.phone,
    reason: record.reason,
    ...(record.detail !== undefined ? { detail: record.detail } : {}),
    ...(record.phoneNumberId !== undefined ? { phoneNumberId: record.phoneNumberId } : {}),
    ...(record.messageId !== undefined ? { messageId: record.messageId } : {}),
    optedOutAt: record.optedOutAt.toISOString(),
    createdAt: record.createdAt.toISOString(),
  };
}

/** Use case: the per-tenant suppression list (opt-outs from webhooks; the operators' edits). */
@Injectable()
export class SuppressionService {
  private readonly log: Logger;

  constructor(
    private readonly store: SuppressionStore,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'SuppressionService' });
  }

  /** Webhook opt-outs; resolves once durable (the webhook is answered 200 only then). */
  async recordOptOuts(events: readonly OptOutEvent[]): Promise<OptOutResult> {
    const total: OptOutResult = { added: 0, removed: 0, unattributed: 0 };
    // One event at a time: each needs its own outcome for the metric and the log line.
    for (const event of events) {
      const result = await this.store.recordOptOuts([event]);
      total.added += result.added;
      total.removed += result.removed;
      total.unattributed += result.unattributed;
      const changed = event.action === 'stop' ? result.added : result.removed;
      const outcome =
        result.unattributed > 0 ? 'unattributed' : changed > 0 ? 'recorded' : 'unchanged';
      optOutMetrics.inc({ action: event.action, outcome });
      const fields = {
        action: event.action,
        reason: event.reason,
        phone: maskPhone(event.phone),
        phoneNumberId: event.phoneNumberId,
        tenants: changed,
      };
      if (outcome === 'unattributed') {
        this.log.warn(fields, 'opt-out for a business number no tenant sends from: ignored');
      } else {
        this.log.info(fields, `opt-out ${event.action} ${outcome}`);
      }
    }
    return total;
  }

  add(
    tenantId: string,
    phone: string,
    detail?: string,
  ): Promise<{ created: boolean; record: SuppressionRecord }> {
    return this.store.add(tenantId, phone, detail);
  }

  remove(tenantId: string, phone: string): Promise<boolean> {
    return this.store.remove(tenantId, phone);
  }

  get(tenantId: string, phone: string): Promise<SuppressionRecord | undefined> {
    return this.store.get(tenantId, phone);
  }

  /** One keyset page; `nextCursor` (the last phone) is present when the page is full. */
  async list(
    tenantId: string,
    options: { limit: number; after?: string },
  ): Promise<{ items: SuppressionView[]; nextCursor?: string }> {
    const records = await this.store.list(tenantId, {
      limit: options.limit,
      ...(options.after ? { afterPhone: options.after } : {}),
    });
    const items = records.map(suppressionView);
    const last = items[items.length - 1];
    return { items, ...(last && items.length === options.limit ? { nextCursor: last.phone } : {}) };
  }

  check(
    tenantId: string,
    phones: readonly string[],
  ): Promise<{ phone: string; reason: SuppressionReason }[]> {
    return this.store.check(tenantId, phones);
  }

  /** The whole list as CSV, read in keyset batches: never the whole list in memory. */
  async *exportCsv(tenantId: string): AsyncGenerator<string> {
    yield csvLine(SUPPRESSIONS_CSV_HEADER);
    let after: string | undefined;
    for (;;) {
      const rows = await this.store.list(tenantId, {
        limit: EXPORT_BATCH,
        ...(after ? { afterPhone: after } : {}),
      });
      if (rows.length === 0) return;
      yield rows
        .map((row) =>
          csvLine([
            row.phone,
            row.reason,
            row.detail,
            row.phoneNumberId,
            row.messageId,
            row.optedOutAt.toISOString(),
            row.createdAt.toISOString(),
          ]),
        )
        .join('');
      after = rows[rows.length - 1]!.phone;
      if (rows.length < EXPORT_BATCH) return;
    }
  }
}
