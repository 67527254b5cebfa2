import {
  ScheduleStore,
  type ClaimedSchedule,
  type ScheduleFinish,
  type ScheduleRecord,
  type ScheduleResult,
  type ScheduleStatus,
  type UnscheduleResult,
} from '../ports/schedule-store.port.js';
import type { SqlDatabase, SqlExecutor } from './sql-database.js';

interface ScheduleRow {
  tenant_id: string;
  broadcast_id: string;
  start_at: Date | string;
  status: ScheduleStatus;
  attempts: number;
  failure_code: string | null;
  failure_message: string | null;
}

const COLUMNS =
  'tenant_id, broadcast_id, start_at, status, attempts, failure_code, failure_message';

/** A schedule that a claimer may (re)take: due and free, or claimed by someone whose lease ran out. */
const CLAIMABLE = `((status = 'scheduled' AND start_at <= now())
  OR (status = 'claimed' AND claimed_until < now()))`;
/** A schedule the operator may still change: not claimed (or the claimer's lease ran out). */
const CHANGEABLE = `(status = 'scheduled' OR (status = 'claimed' AND claimed_until < now()))`;

/**
 * broadcast_schedules (migration 007) on PostgreSQL or PGlite. Every transition is one conditional
 * UPDATE on the row (status and claim token in the WHERE clause), so two writers racing for the same
 * schedule (two claimers, a claimer and an operator's cancel) see exactly one of them win; the loser
 * updates nothing and is told so.
 */
export class PostgresScheduleStore extends ScheduleStore {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

  async schedule(tenantId: string, broadcastId: string, startAt: Date): Promise<ScheduleResult> {
    return this.db.transaction(async (tx) => {
      // The broadcast row lock serialises this with the tracker recording the start (which moves the
      // state out of `created` under the same lock).
      const [broadcast] = await tx.query<{ state: string }>(
        'SELECT state FROM broadcasts WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
        [tenantId, broadcastId],
      );
      if (!broadcast) return { kind: 'not-found' };
      if (broadcast.state !== 'created') return { kind: 'not-draft', state: broadcast.state };
      const [row] = await tx.query<ScheduleRow>(
        `INSERT INTO broadcast_schedules AS s (tenant_id, broadcast_id, start_at, status)
         VALUES ($1, $2, $3, 'scheduled')
         ON CONFLICT (tenant_id, broadcast_id) DO UPDATE SET
           start_at = excluded.start_at, status = 'scheduled', claim_token = NULL, claimed_until = NULL,
           failure_code = NULL, failure_message = NULL, updated_at = now()
         WHERE s.status IN ('scheduled', 'unscheduled', 'failed')
            OR (s.status = 'claimed' AND s.claimed_until < now())
         RETURNING ${COLUMNS}`,
        [tenantId, broadcastId, startAt],
      );
      if (row) return { kind: 'scheduled', schedule: toRecord(row) };
      const current = await this.getIn(tx, tenantId, broadcastId);
      return current?.status === 'cancelled'
        ? { kind: 'not-draft', state: 'cancelled' }
        : { kind: 'starting' };
    });
  }

  async unschedule(
    tenantId: string,
    broadcastId: string,
    final: boolean,
  ): Promise<UnscheduleResult> {
    const [row] = await this.db.query<ScheduleRow>(
      `UPDATE broadcast_schedules SET status = $3, claim_token = NULL, claimed_until = NULL, updated_at = now()
       WHERE tenant_id = $1 AND broadcast_id = $2 AND ${CHANGEABLE}
       RETURNING ${COLUMNS}`,
      [tenantId, broadcastId, final ? 'cancelled' : 'unscheduled'],
    );
    if (row) return { kind: final ? 'cancelled' : 'unscheduled', schedule: toRecord(row) };
    const current = await this.get(tenantId, broadcastId);
    if (!current) return { kind: 'not-found' };
    return current.status === 'claimed' ? { kind: 'starting' } : { kind: 'not-scheduled' };
  }

  get(tenantId: string, broadcastId: string): Promise<ScheduleRecord | undefined> {
    return this.getIn(this.db, tenantId, broadcastId);
  }

  async getMany(tenantId: string, broadcastIds: readonly string[]): Promise<ScheduleRecord[]> {
    if (broadcastIds.length === 0) return [];
    const rows = await this.db.query<ScheduleRow>(
      `SELECT ${COLUMNS} FROM broadcast_schedules WHERE tenant_id = $1 AND broadcast_id = ANY($2::text[])`,
      [tenantId, [...broadcastIds]],
    );
    return rows.map(toRecord);
  }

  async claimDue(
    limit: number,
    leaseSeconds: number,
    claimToken: string,
  ): Promise<ClaimedSchedule[]> {
    // The job-queue pattern: lock the due rows we take and skip the ones another claimer holds, then
    // flip them to `claimed` in the same statement. A row already claimed (lease running) is not
    // CLAIMABLE, so a claimer that comes after the winner's COMMIT finds nothing either.
    const rows = await this.db.query<ScheduleRow & { attempts: number }>(
      `WITH due AS (
         SELECT tenant_id, broadcast_id FROM broadcast_schedules
         WHERE ${CLAIMABLE}
         ORDER BY start_at, tenant_id, broadcast_id
         LIMIT $1
         FOR UPDATE SKIP LOCKED
       )
       UPDATE broadcast_schedules s SET
         status = 'claimed', claim_token = $3, claimed_until = now() + make_interval(secs => $2),
         attempts = s.attempts + 1, updated_at = now()
       FROM due WHERE s.tenant_id = due.tenant_id AND s.broadcast_id = due.broadcast_id
       RETURNING s.tenant_id, s.broadcast_id, s.start_at, s.status, s.attempts, s.failure_code, s.failure_message`,
      [limit, leaseSeconds, claimToken],
    );
    return rows.map((row) => ({
      tenantId: row.tenant_id,
      broadcastId: row.broadcast_id,
      startAt: new Date(row.start_at),
      claimToken,
      attempts: row.attempts,
    }));
  }

  async finish(
    tenantId: string,
    broadcastId: string,
    claimToken: string,
    outcome: ScheduleFinish,
  ): Promise<boolean> {
    const rows = await this.db.query<{ broadcast_id: string }>(
      `UPDATE broadcast_schedules SET status = $4, failure_code = $5, failure_message = $6,
         claim_token = NULL, claimed_until = NULL, updated_at = now()
       WHERE tenant_id = $1 AND broadcast_id = $2 AND claim_token = $3 AND status = 'claimed'
       RETURNING broadcast_id`,
      [
        tenantId,
        broadcastId,
        claimToken,
        outcome.status,
        outcome.status === 'failed' ? outcome.failureCode : null,
        outcome.status === 'failed' ? outcome.failureMessage.slice(0, 2000) : null,
      ],
    );
    return rows.length > 0;
  }

  private async getIn(
    db: SqlExecutor,
    tenantId: string,
    broadcastId: string,
  ): Promise<ScheduleRecord | undefined> {
    const [row] = await db.query<ScheduleRow>(
      `SELECT ${COLUMNS} FROM broadcast_schedules WHERE tenant_id = $1 AND broadcast_id = $2`,
      [tenantId, broadcastId],
    );
    return row ? toRecord(row) : undefined;
  }
}

function toRecord(row: ScheduleRow): ScheduleRecord {
  return {
    tenantId: row.tenant_id,
    broadcastId: row.broadcast_id,
    startAt: new Date(row.start_at),
    status: row.status,
    attempts: row.attempts,
    ...(row.failure_code !== null ? { failureCode: row.failure_code } : {}),
    ...(row.failure_message !== null ? { failureMessage: row.failure_message } : {}),
  };
}
