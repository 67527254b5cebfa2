import {
  ControlStore,
  type BroadcastControl,
  type ControlFact,
  type ControlRecord,
} from '../ports/control-store.port.js';
import type { SqlDatabase } from './sql-database.js';

const CONTROL: Record<ControlFact['action'], BroadcastControl> = {
  pause: 'paused',
  resume: 'running',
  cancel: 'cancelled',
};

/** broadcast_controls (migration 003) on PostgreSQL or PGlite. */
export class PostgresControlStore extends ControlStore {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

  async record(facts: readonly ControlFact[]): Promise<void> {
    if (facts.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (const fact of facts) {
        // Newest event wins (by occurredAt, then event id for a stable tie-break); never leave
        // `cancelled`. A re-delivered event finds itself already recorded and changes nothing.
        await tx.query(
          `INSERT INTO broadcast_controls AS c (tenant_id, broadcast_id, control, reason, event_id, occurred_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (tenant_id, broadcast_id) DO UPDATE
             SET control = EXCLUDED.control, reason = EXCLUDED.reason, event_id = EXCLUDED.event_id,
                 occurred_at = EXCLUDED.occurred_at, updated_at = now()
           WHERE c.control <> 'cancelled'
             AND (c.occurred_at, c.event_id) < (EXCLUDED.occurred_at, EXCLUDED.event_id)`,
          [
            fact.tenantId,
            fact.broadcastId,
            CONTROL[fact.action],
            fact.reason,
            fact.eventId,
            fact.occurredAt,
          ],
        );
      }
    });
  }

  async get(tenantId: string, broadcastId: string): Promise<ControlRecord | undefined> {
    const [row] = await this.db.query<{
      control: BroadcastControl;
      reason: string | null;
      occurred_at: Date | string;
    }>(
      'SELECT control, reason, occurred_at FROM broadcast_controls WHERE tenant_id = $1 AND broadcast_id = $2',
      [tenantId, broadcastId],
    );
    if (!row) return undefined;
    return {
      control: row.control,
      ...(row.reason ? { reason: row.reason } : {}),
      occurredAt: new Date(row.occurred_at),
    };
  }
}
