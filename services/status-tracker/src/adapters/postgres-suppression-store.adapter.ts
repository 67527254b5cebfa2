import type { OptOutEvent, SuppressionReason } from '../domain/opt-out.js';
import {
  SuppressionStore,
  type OptOutResult,
  type SuppressionRecord,
} from '../ports/suppression-store.port.js';
import type { SqlDatabase } from './sql-database.js';

interface SuppressionRow {
  phone: string;
  reason: SuppressionReason;
  detail: string | null;
  phone_number_id: string | null;
  message_id: string | null;
  opted_out_at: Date | string;
  created_at: Date | string;
}

const COLUMNS = 'phone, reason, detail, phone_number_id, message_id, opted_out_at, created_at';

function toRecord(row: SuppressionRow): SuppressionRecord {
  return {
    phone: row.phone,
    reason: row.reason,
    ...(row.detail !== null ? { detail: row.detail } : {}),
    ...(row.phone_number_id !== null ? { phoneNumberId: row.phone_number_id } : {}),
    ...(row.message_id !== null ? { messageId: row.message_id } : {}),
    optedOutAt: new Date(row.opted_out_at),
    createdAt: new Date(row.created_at),
  };
}

/** suppressions (migration 005) on PostgreSQL or PGlite. */
export class PostgresSuppressionStore extends SuppressionStore {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

  async recordOptOuts(events: readonly OptOutEvent[]): Promise<OptOutResult> {
    const result: OptOutResult = { added: 0, removed: 0, unattributed: 0 };
    if (events.length === 0) return result;
    await this.db.transaction(async (tx) => {
      for (const event of events) {
        // The tenants sending from the business number that received the opt-out (normally one).
        const tenants = await tx.query<{ tenant_id: string }>(
          'SELECT DISTINCT tenant_id FROM broadcasts WHERE phone_number_id = $1',
          [event.phoneNumberId ?? ''],
        );
        if (tenants.length === 0) {
          result.unattributed += 1;
          continue;
        }
        const tenantIds = tenants.map((row) => row.tenant_id);
        if (event.action === 'stop') {
          // First reason wins: a STOP after an operator's entry leaves the entry as it was.
          const added = await tx.query<{ phone: string }>(
            `INSERT INTO suppressions (tenant_id, phone, reason, detail, phone_number_id, message_id, opted_out_at)
             SELECT t, $2, $3, $4, $5, $6, $7 FROM unnest($1::text[]) AS t
             ON CONFLICT (tenant_id, phone) DO NOTHING
             RETURNING phone`,
            [
              tenantIds,
              event.phone,
              event.reason,
              event.detail,
              event.phoneNumberId ?? null,
              event.messageId ?? null,
              event.at,
            ],
          );
          result.added += added.length;
        } else {
          // `resume` undoes what the user did, never what an operator did (reason `api` stays). A
          // user_preferences resume (a deliberate tap in WhatsApp) also lifts a STOP reply; a START
          // reply lifts only a STOP reply (Meta's marketing stop stays in force until its resume).
          // An opt-out newer than the resume is kept (webhooks may arrive out of order).
          const reasons =
            event.reason === 'user-preferences'
              ? ['user-preferences', 'stop-reply']
              : ['stop-reply'];
          const removed = await tx.query<{ phone: string }>(
            `DELETE FROM suppressions
             WHERE tenant_id = ANY($1::text[]) AND phone = $2 AND reason = ANY($3::text[])
               AND opted_out_at <= $4
             RETURNING phone`,
            [tenantIds, event.phone, reasons, event.at],
          );
          result.removed += removed.length;
        }
      }
    });
    return result;
  }

  async add(
    tenantId: string,
    phone: string,
    detail?: string,
  ): Promise<{ created: boolean; record: SuppressionRecord }> {
    const inserted = await this.db.query<SuppressionRow>(
      `INSERT INTO suppressions (tenant_id, phone, reason, detail)
       VALUES ($1, $2, 'api', $3)
       ON CONFLICT (tenant_id, phone) DO NOTHING
       RETURNING ${COLUMNS}`,
      [tenantId, phone, detail ?? null],
    );
    if (inserted[0]) return { created: true, record: toRecord(inserted[0]) };
    const existing = await this.get(tenantId, phone);
    // Deleted between the two statements: rare enough to simply try again.
    return existing ? { created: false, record: existing } : this.add(tenantId, phone, detail);
  }

  async remove(tenantId: string, phone: string): Promise<boolean> {
    const rows = await this.db.query<{ phone: string }>(
      'DELETE FROM suppressions WHERE tenant_id = $1 AND phone = $2 RETURNING phone',
      [tenantId, phone],
    );
    return rows.length > 0;
  }

  async get(tenantId: string, phone: string): Promise<SuppressionRecord | undefined> {
    const [row] = await this.db.query<SuppressionRow>(
      `SELECT ${COLUMNS} FROM suppressions WHERE tenant_id = $1 AND phone = $2`,
      [tenantId, phone],
    );
    return row ? toRecord(row) : undefined;
  }

  async list(
    tenantId: string,
    options: { limit: number; afterPhone?: string },
  ): Promise<SuppressionRecord[]> {
    const rows = await this.db.query<SuppressionRow>(
      `SELECT ${COLUMNS} FROM suppressions
       WHERE tenant_id = $1 AND phone > $2
       ORDER BY phone LIMIT $3`,
      [tenantId, options.afterPhone ?? '', options.limit],
    );
    return rows.map(toRecord);
  }

  async check(
    tenantId: string,
    phones: readonly string[],
  ): Promise<{ phone: string; reason: SuppressionReason }[]> {
    if (phones.length === 0) return [];
    return this.db.query<{ phone: string; reason: SuppressionReason }>(
      'SELECT phone, reason FROM suppressions WHERE tenant_id = $1 AND phone = ANY($2::text[])',
      [tenantId, [...phones]],
    );
  }
}
