/**
 * PostgresBroadcastStore: the BroadcastStore on PostgreSQL or PGlite (one SQL dialect, see
 * SqlDatabase). Design notes:
 *
 * - One `apply` = one transaction = one Kafka batch or one webhook POST. Every statement is set-based
 *   (`unnest` of parameter arrays, INSERT … ON CONFLICT, UPDATE … FROM), so a 2,000-row chunk is a
 *   handful of statements whatever its size, and the consumer commits its offsets only after COMMIT.
 * - Recipient states only move through `wab_merge_state` (the SQL twin of domain mergeState): applying
 *   the same facts again, or in another order, leaves the same rows. Duplicated Kafka deliveries and
 *   duplicated or reordered webhooks are therefore harmless.
 * - Facts about one recipient within one batch are applied in rounds (the k-th fact of each recipient
 *   in round k): one UPDATE touches a row at most once, and per-recipient order is kept.
 * - Progress counters (`broadcasts.n_<state>`, `broadcast_reason_counts`) are maintained from the
 *   transitions each statement returns (old state → new state), in the same transaction: reading
 *   progress is O(1) at any broadcast size and can never disagree with the rows.
 * - Lock order, to keep deadlocks rare: recipient rows (sorted within a statement), then broadcast rows
 *   (sorted, locked explicitly). A deadlock or serialization failure retries the whole transaction.
 * - Completion is recomputed at the end of every transaction for the broadcasts it touched.
 */
import type { OnApplicationShutdown } from '@nestjs/common';
import { decodeCursor, encodeCursor } from '../domain/cursor.js';
import type { BroadcastState } from '../domain/progress.js';
import {
  CANCELLED_RESULT_CODE,
  emptyCounts,
  RECIPIENT_STATES,
  type RecipientState,
  type StateCounts,
} from '../domain/recipient-state.js';
import {
  BroadcastStore,
  InvalidCursorError,
  type ApplyResult,
  type BroadcastDraft,
  type BroadcastRecord,
  type Page,
  type RateSample,
  type ReasonCount,
  type RecipientFact,
  type RecipientRecord,
  type TemplateInfo,
  type TrackerCommand,
  type WaveOrigin,
  type WaveOutcome,
  type WaveRecord,
  type WaveRequest,
} from '../ports/broadcast-store.port.js';
import { isRetryableSqlError, type SqlDatabase, type SqlExecutor } from './sql-database.js';

const MAX_ATTEMPTS = 5;

/** `n_pending + n_accepted + …`: every row the broadcast has, whatever its state. */
const COUNTED = RECIPIENT_STATES.map((state) => `b.n_${state}`).join(' + ');
const COMPLETE = `(b.split_completed_at IS NOT NULL AND b.total_rows IS NOT NULL
  AND b.n_pending = 0 AND ${COUNTED} >= b.total_rows)`;

interface BroadcastRow {
  tenant_id: string;
  id: string;
  name: string | null;
  state: BroadcastState;
  failure_reason: string | null;
  failure_message: string | null;
  phone_number_id: string | null;
  template: TemplateInfo | null;
  mapping: unknown;
  default_country: string | null;
  object: { bucket: string; key: string } | null;
  created_at: Date;
  started_at: Date | null;
  split_completed_at: Date | null;
  completed_at: Date | null;
  total_rows: number | null;
  recipients: number | null;
  cursor_ts: string;
  n_pending: number;
  n_accepted: number;
  n_sent: number;
  n_delivered: number;
  n_read: number;
  n_failed: number;
  n_skipped: number;
  n_unknown: number;
  n_cancelled: number;
  parent_broadcast_id: string | null;
  wave_number: number | null;
  wave_selected: number | null;
  wave_origin: WaveOrigin | null;
}

interface TransitionRow {
  ord: number;
  tenant_id: string;
  broadcast_id: string;
  old_state: RecipientState;
  new_state: RecipientState;
  old_code: string | null;
  new_code: string | null;
  updated: boolean;
  /** The recipient's stored trace context before this fact (tracing: webhook spans join it). */
  old_traceparent: string | null;
}

type Key = string;
const broadcastKey = (tenantId: string, broadcastId: string): Key =>
  JSON.stringify([tenantId, broadcastId]);

/** Counter and reason deltas accumulated over one transaction, written once at its end. */
class Deltas {
  readonly counts = new Map<Key, StateCounts>();
  readonly reasons = new Map<
    string,
    {
      tenantId: string;
      broadcastId: string;
      state: string;
      code: string;
      title?: string;
      delta: number;
    }
  >();

  countsFor(tenantId: string, broadcastId: string): StateCounts {
    const key = broadcastKey(tenantId, broadcastId);
    let counts = this.counts.get(key);
    if (!counts) {
      counts = emptyCounts();
      this.counts.set(key, counts);
    }
    return counts;
  }

  reason(
    tenantId: string,
    broadcastId: string,
    state: string,
    code: string,
    delta: number,
    title?: string,
  ) {
    const key = JSON.stringify([tenantId, broadcastId, state, code]);
    const entry = this.reasons.get(key) ?? { tenantId, broadcastId, state, code, delta: 0 };
    entry.delta += delta;
    if (title !== undefined) entry.title = title;
    this.reasons.set(key, entry);
  }
}

/** Prefix of the reason of an `unknown` recipient reported after the window (persisted text). */
export const UNKNOWN_REPORTED_PREFIX = 'no status webhook within';

export class PostgresBroadcastStore extends BroadcastStore implements OnApplicationShutdown {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  async reportStaleUnknown(windowSeconds: number): Promise<number> {
    const marker = `${UNKNOWN_REPORTED_PREFIX} ${windowSeconds} s`;
    const rows = await this.db.query<{ n: number }>(
      `WITH reported AS (
         UPDATE recipients
            SET error_reason = left($2 || coalesce(': ' || error_reason, ''), 2000)
          WHERE state = 'unknown'
            AND updated_at < now() - make_interval(secs => $1)
            AND (error_reason IS NULL OR error_reason NOT LIKE $3)
          RETURNING 1)
       SELECT count(*)::int AS n FROM reported`,
      [windowSeconds, marker, `${UNKNOWN_REPORTED_PREFIX}%`],
    );
    return rows[0]?.n ?? 0;
  }

  async createWave(request: WaveRequest): Promise<WaveOutcome> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.db.transaction((tx) => this.createWaveIn(tx, request));
      } catch (error) {
        if (!isRetryableSqlError(error) || attempt >= MAX_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 50));
      }
    }
  }

  private async createWaveIn(tx: SqlExecutor, request: WaveRequest): Promise<WaveOutcome> {
    const { tenantId } = request;
    const [asked] = await tx.query<{ id: string; parent_broadcast_id: string | null }>(
      'SELECT id, parent_broadcast_id FROM broadcasts WHERE tenant_id = $1 AND id = $2',
      [tenantId, request.broadcastId],
    );
    if (!asked) return { kind: 'not-found' };
    const rootId = asked.parent_broadcast_id ?? asked.id;
    // Locking the original serialises every wave creation of the family (two operators clicking at
    // once get one wave; the unique index on the wave number is the backstop).
    const [root] = await tx.query<BroadcastRow>(
      `SELECT *, created_at::text AS cursor_ts FROM broadcasts WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
      [tenantId, rootId],
    );
    if (!root) return { kind: 'not-found' };
    if (root.state === 'created') return { kind: 'not-started' };
    if (!root.object || !root.template || !root.phone_number_id) {
      return {
        kind: 'not-resendable',
        reason:
          'the broadcast has no CSV object to re-read (recipients published inline are resent by their upstream system)',
      };
    }
    const [latest] = await tx.query<BroadcastRow & { control: string | null }>(
      `SELECT b.*, b.created_at::text AS cursor_ts, c.control FROM broadcasts b
       LEFT JOIN broadcast_controls c ON c.tenant_id = b.tenant_id AND c.broadcast_id = b.id
       WHERE b.tenant_id = $1 AND (b.id = $2 OR b.parent_broadcast_id = $2)
       ORDER BY COALESCE(b.wave_number, 1) DESC, b.created_at DESC LIMIT 1`,
      [tenantId, rootId],
    );
    if (latest && latest.id !== rootId && latest.state === 'created') {
      const wave = toWave(latest);
      if (wave) return { kind: 'not-yet-started', wave };
    }
    if (
      latest &&
      latest.control !== 'cancelled' &&
      latest.state !== 'completed' &&
      latest.state !== 'failed'
    ) {
      return {
        kind: 'running',
        broadcastId: latest.id,
        state: latest.control === 'paused' ? 'paused' : latest.state,
      };
    }
    const number = Math.max(2, (latest?.wave_number ?? 1) + 1);
    const name = root.name ? `${root.name} (wave ${number})`.slice(0, 200) : null;
    const [created] = await tx.query<BroadcastRow>(
      `INSERT INTO broadcasts (tenant_id, id, name, state, phone_number_id, template, mapping, default_country,
                               object, parent_broadcast_id, wave_number, wave_origin)
       VALUES ($1, $2, $3, 'created', $4, $5::jsonb, $6::jsonb, $7, $8::jsonb, $9, $10, $11)
       RETURNING *, created_at::text AS cursor_ts`,
      [
        tenantId,
        request.newId,
        name,
        root.phone_number_id,
        JSON.stringify(root.template),
        JSON.stringify(root.mapping ?? null),
        root.default_country,
        JSON.stringify(root.object),
        rootId,
        number,
        request.origin,
      ],
    );
    // The latest occurrence of each row across the family decides it; a row Meta ever took is never
    // selected again (see domain/resend-eligibility.ts).
    const [selected] = await tx.query<{ n: number }>(
      `WITH family AS (
         SELECT id, COALESCE(wave_number, 1) AS wave FROM broadcasts
         WHERE tenant_id = $1 AND (id = $2 OR parent_broadcast_id = $2) AND id <> $3
       ),
       occ AS (
         SELECT r.row_number, r.broadcast_id, r.state, r.error_code, r.error_reason, f.wave
         FROM recipients r JOIN family f ON r.broadcast_id = f.id
         WHERE r.tenant_id = $1
       ),
       latest AS (
         SELECT DISTINCT ON (row_number) * FROM occ ORDER BY row_number, wave DESC
       ),
       ins AS (
         INSERT INTO wave_rows (tenant_id, broadcast_id, row_number, from_broadcast_id, from_state, from_error_code)
         SELECT $1, $3, l.row_number, l.broadcast_id, l.state, l.error_code FROM latest l
         WHERE ((l.state = 'failed' AND 'failed' = ANY($4::text[]) AND l.error_code = ANY($5::text[]))
             OR (l.state = 'unknown' AND 'unknown' = ANY($4::text[]) AND l.error_reason LIKE $6
                 AND NOT ($7::boolean AND EXISTS (
                   SELECT 1 FROM wave_rows w JOIN family f ON w.broadcast_id = f.id
                   WHERE w.tenant_id = $1 AND w.row_number = l.row_number AND w.from_state = 'unknown'))))
           AND NOT EXISTS (
             SELECT 1 FROM occ o WHERE o.row_number = l.row_number
               AND o.state IN ('accepted', 'sent', 'delivered', 'read'))
         ORDER BY l.row_number
         RETURNING 1
       )
       SELECT count(*)::int AS n FROM ins`,
      [
        tenantId,
        rootId,
        request.newId,
        [...request.filter.states],
        [...request.filter.codes],
        `${UNKNOWN_REPORTED_PREFIX}%`,
        request.unknownAtMostOnce === true,
      ],
    );
    const n = selected?.n ?? 0;
    if (n === 0 || !created) {
      await tx.query('DELETE FROM broadcasts WHERE tenant_id = $1 AND id = $2', [
        tenantId,
        request.newId,
      ]);
      return { kind: 'nothing-eligible' };
    }
    await tx.query('UPDATE broadcasts SET wave_selected = $3 WHERE tenant_id = $1 AND id = $2', [
      tenantId,
      request.newId,
      n,
    ]);
    const wave = toWave({ ...created, wave_selected: n });
    if (!wave) throw new Error(`wave ${request.newId} lacks the original's settings`);
    return { kind: 'created', wave };
  }

  async waveRows(
    tenantId: string,
    waveId: string,
    options: { afterRowNumber?: number; limit: number },
  ): Promise<number[] | undefined> {
    const [known] = await this.db.query<{ id: string }>(
      'SELECT id FROM broadcasts WHERE tenant_id = $1 AND id = $2',
      [tenantId, waveId],
    );
    if (!known) return undefined;
    const rows = await this.db.query<{ row_number: number }>(
      `SELECT row_number FROM wave_rows WHERE tenant_id = $1 AND broadcast_id = $2 AND row_number > $3
       ORDER BY row_number LIMIT $4`,
      [tenantId, waveId, options.afterRowNumber ?? 0, options.limit],
    );
    return rows.map((row) => row.row_number);
  }

  async waves(tenantId: string, parentBroadcastId: string): Promise<BroadcastRecord[]> {
    const rows = await this.db.query<BroadcastRow>(
      `SELECT *, created_at::text AS cursor_ts FROM broadcasts
       WHERE tenant_id = $1 AND parent_broadcast_id = $2 ORDER BY COALESCE(wave_number, 1), created_at`,
      [tenantId, parentBroadcastId],
    );
    return rows.map(toRecord);
  }

  async familiesWithStaleUnknown(
    limit: number,
    maxAgeSeconds: number,
  ): Promise<{ tenantId: string; broadcastId: string }[]> {
    const rows = await this.db.query<{ tenant_id: string; root: string }>(
      `SELECT DISTINCT r.tenant_id, COALESCE(b.parent_broadcast_id, b.id) AS root
       FROM recipients r
       JOIN broadcasts b ON b.tenant_id = r.tenant_id AND b.id = r.broadcast_id
       WHERE r.state = 'unknown' AND r.error_reason LIKE $1 AND b.object IS NOT NULL
         AND r.updated_at > now() - make_interval(secs => $3)
         AND NOT EXISTS (
           SELECT 1 FROM wave_rows w
           WHERE w.tenant_id = r.tenant_id AND w.from_broadcast_id = r.broadcast_id AND w.row_number = r.row_number)
         -- this occurrence is itself the resend of an unknown: at most once (see createWave)
         AND NOT EXISTS (
           SELECT 1 FROM wave_rows w
           WHERE w.tenant_id = r.tenant_id AND w.broadcast_id = r.broadcast_id AND w.row_number = r.row_number
             AND w.from_state = 'unknown')
         -- one wave for all of an occurrence's unknowns: wait while any of them is still inside the
         -- window (its webhook may yet come), rather than a wave per sweep of whatever was reported
         AND NOT EXISTS (
           SELECT 1 FROM recipients u
           WHERE u.tenant_id = r.tenant_id AND u.broadcast_id = r.broadcast_id AND u.state = 'unknown'
             AND (u.error_reason IS NULL OR u.error_reason NOT LIKE $1))
       LIMIT $2`,
      [`${UNKNOWN_REPORTED_PREFIX}%`, limit, maxAgeSeconds],
    );
    return rows.map((row) => ({ tenantId: row.tenant_id, broadcastId: row.root }));
  }

  async ping(): Promise<boolean> {
    try {
      await this.db.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /** After every consumer and webhook write has stopped (their hooks run before this one). */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  async registerDraft(draft: BroadcastDraft): Promise<{ created: boolean }> {
    const [row] = await this.db.query<{ created: boolean }>(
      `INSERT INTO broadcasts (tenant_id, id, name, phone_number_id, template, mapping, default_country, object)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8::jsonb)
       ON CONFLICT (tenant_id, id) DO UPDATE SET
         -- A draft (not started yet) may be re-registered with new settings; once the broadcast runs,
         -- its settings are facts and a repeated PUT only fills what is missing.
         name = COALESCE(excluded.name, broadcasts.name),
         phone_number_id = CASE WHEN broadcasts.state = 'created' THEN excluded.phone_number_id
                                ELSE COALESCE(broadcasts.phone_number_id, excluded.phone_number_id) END,
         template = CASE WHEN broadcasts.state = 'created' THEN excluded.template
                         ELSE COALESCE(broadcasts.template, excluded.template) END,
         mapping = CASE WHEN broadcasts.state = 'created' THEN excluded.mapping
                        ELSE COALESCE(broadcasts.mapping, excluded.mapping) END,
         default_country = CASE WHEN broadcasts.state = 'created' THEN excluded.default_country
                                ELSE COALESCE(broadcasts.default_country, excluded.default_country) END,
         object = CASE WHEN broadcasts.state = 'created' THEN excluded.object
                       ELSE COALESCE(broadcasts.object, excluded.object) END,
         updated_at = now()
       RETURNING (xmax = 0) AS created`,
      [
        draft.tenantId,
        draft.id,
        draft.name ?? null,
        draft.phoneNumberId,
        JSON.stringify(draft.template),
        JSON.stringify(draft.mapping ?? null),
        draft.defaultCountry ?? null,
        JSON.stringify(draft.object),
      ],
    );
    return { created: row?.created === true };
  }

  async apply(commands: readonly TrackerCommand[]): Promise<ApplyResult> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.db.transaction((tx) => this.applyIn(tx, commands));
      } catch (error) {
        if (!isRetryableSqlError(error) || attempt >= MAX_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 50));
      }
    }
  }

  private async applyIn(
    tx: SqlExecutor,
    commands: readonly TrackerCommand[],
  ): Promise<ApplyResult> {
    const deltas = new Deltas();
    const touched = new Map<
      Key,
      { tenantId: string; broadcastId: string; phoneNumberId?: string; template?: TemplateInfo }
    >();
    const touch = (
      tenantId: string,
      broadcastId: string,
      extra: { phoneNumberId?: string; template?: TemplateInfo } = {},
    ) => {
      const key = broadcastKey(tenantId, broadcastId);
      const known = touched.get(key) ?? { tenantId, broadcastId };
      touched.set(key, {
        ...known,
        ...(known.phoneNumberId
          ? {}
          : extra.phoneNumberId
            ? { phoneNumberId: extra.phoneNumberId }
            : {}),
        ...(known.template ? {} : extra.template ? { template: extra.template } : {}),
      });
    };
    const result: ApplyResult = {
      matched: 0,
      unmatched: 0,
      transitions: 0,
      transitionsByState: {},
      completed: [],
    };

    // Recipient-level commands first, in order (consecutive ones of a kind merged into one statement);
    // broadcast-level ones after, so that every transaction locks recipients before broadcasts.
    const lifecycle: TrackerCommand[] = [];
    let rows: Extract<TrackerCommand, { kind: 'recipients' }>[] = [];
    let facts: RecipientFact[] = [];
    const flushRows = async () => {
      if (rows.length > 0) await this.insertRecipients(tx, rows, deltas, touch);
      rows = [];
    };
    const flushFacts = async () => {
      if (facts.length > 0) await this.applyFacts(tx, facts, deltas, touch, result);
      facts = [];
    };
    for (const command of commands) {
      switch (command.kind) {
        case 'recipients':
          await flushFacts();
          rows.push(command);
          break;
        case 'facts':
          await flushRows();
          facts.push(...command.facts);
          break;
        case 'broadcast-started':
        case 'split-completed':
        case 'split-failed':
          lifecycle.push(command);
          touch(command.tenantId, command.broadcastId);
          break;
        case 'cancel-pending':
          // Only touches the broadcast: the sweep below runs for every touched broadcast.
          touch(command.tenantId, command.broadcastId);
          break;
      }
    }
    await flushRows();
    await flushFacts();
    if (touched.size === 0) return result;

    const targets = [...touched.values()].sort((a, b) =>
      a.tenantId === b.tenantId
        ? a.broadcastId < b.broadcastId
          ? -1
          : 1
        : a.tenantId < b.tenantId
          ? -1
          : 1,
    );
    // Every broadcast a recipient row refers to exists (a result or row may come before the
    // broadcast's own events: different topics, different consumers).
    await tx.query(
      `INSERT INTO broadcasts (tenant_id, id, phone_number_id, template)
       SELECT t, i, p, tp::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS v(t, i, p, tp)
       ON CONFLICT (tenant_id, id) DO NOTHING`,
      [
        targets.map((t) => t.tenantId),
        targets.map((t) => t.broadcastId),
        targets.map((t) => t.phoneNumberId ?? null),
        targets.map((t) => (t.template ? JSON.stringify(t.template) : null)),
      ],
    );
    await tx.query(
      `SELECT 1 FROM broadcasts b JOIN unnest($1::text[], $2::text[]) AS v(t, i) ON b.tenant_id = v.t AND b.id = v.i
       ORDER BY b.tenant_id, b.id FOR UPDATE OF b`,
      [targets.map((t) => t.tenantId), targets.map((t) => t.broadcastId)],
    );
    for (const command of lifecycle) await this.applyLifecycle(tx, command);
    await this.cancelPending(tx, targets, deltas, result);
    await this.writeCounters(tx, deltas);

    const completed = await tx.query<{ tenant_id: string; id: string; state: string }>(
      `UPDATE broadcasts b SET
         state = CASE WHEN ${COMPLETE} THEN 'completed' ELSE 'sending' END,
         completed_at = CASE WHEN ${COMPLETE} THEN COALESCE(b.completed_at, now()) ELSE NULL END,
         updated_at = now()
       FROM unnest($1::text[], $2::text[]) AS v(t, i)
       WHERE b.tenant_id = v.t AND b.id = v.i AND b.state IN ('sending', 'completed')
         AND (b.state = 'completed') IS DISTINCT FROM ${COMPLETE}
       RETURNING b.tenant_id, b.id, b.state`,
      [targets.map((t) => t.tenantId), targets.map((t) => t.broadcastId)],
    );
    result.completed = completed
      .filter((row) => row.state === 'completed')
      .map((row) => ({ tenantId: row.tenant_id, broadcastId: row.id }));
    return result;
  }

  /**
   * Recipients still `pending` in a touched broadcast whose cancel is recorded (broadcast_controls,
   * migration 003) become `cancelled`: they were never sent, and completion needs them terminal.
   *
   * Why here, after the broadcast rows are locked, and for every transaction: a row announced by a
   * transaction that read "not cancelled" before the cancel committed would otherwise stay pending
   * for ever. Each transaction holds its broadcasts' row locks from here to COMMIT, and the cancel's
   * own sweep (command `cancel-pending`) takes the same lock, so whichever commits second sees the
   * other's rows. SKIP LOCKED: a pending row locked by another transaction is that transaction's to
   * sweep (it touched this broadcast too, and sweeps once it has the broadcast lock we hold); waiting
   * for it here would invert the lock order (recipients before broadcasts) and deadlock.
   */
  private async cancelPending(
    tx: SqlExecutor,
    targets: { tenantId: string; broadcastId: string }[],
    deltas: Deltas,
    result: ApplyResult,
  ): Promise<void> {
    const swept = await tx.query<{ tenant_id: string; broadcast_id: string }>(
      `WITH doomed AS (
         SELECT r.tenant_id, r.broadcast_id, r.row_number, c.reason
         FROM recipients r
         JOIN unnest($1::text[], $2::text[]) AS v(t, i) ON r.tenant_id = v.t AND r.broadcast_id = v.i
         JOIN broadcast_controls c ON c.tenant_id = r.tenant_id AND c.broadcast_id = r.broadcast_id
         WHERE c.control = 'cancelled' AND r.state = 'pending'
         ORDER BY r.tenant_id, r.broadcast_id, r.row_number
         FOR UPDATE OF r SKIP LOCKED
       )
       UPDATE recipients r SET
         state = 'cancelled',
         error_code = $3,
         error_reason = left('Cancelled by the operator before it was sent' || coalesce(': ' || d.reason, ''), 2000),
         updated_at = now()
       FROM doomed d
       WHERE r.tenant_id = d.tenant_id AND r.broadcast_id = d.broadcast_id AND r.row_number = d.row_number
       RETURNING r.tenant_id, r.broadcast_id`,
      [targets.map((t) => t.tenantId), targets.map((t) => t.broadcastId), CANCELLED_RESULT_CODE],
    );
    for (const row of swept) {
      const counts = deltas.countsFor(row.tenant_id, row.broadcast_id);
      counts.pending -= 1;
      counts.cancelled += 1;
    }
    if (swept.length > 0) {
      result.transitions += swept.length;
      result.transitionsByState.cancelled =
        (result.transitionsByState.cancelled ?? 0) + swept.length;
    }
  }

  /** broadcast.rows: pending recipients, upserted by (tenant, broadcast, row); states are never reset. */
  private async insertRecipients(
    tx: SqlExecutor,
    commands: Extract<TrackerCommand, { kind: 'recipients' }>[],
    deltas: Deltas,
    touch: (
      tenantId: string,
      broadcastId: string,
      extra?: { phoneNumberId?: string; template?: TemplateInfo },
    ) => void,
  ): Promise<void> {
    // One row once per statement (ON CONFLICT DO UPDATE refuses to touch a row twice): a chunk
    // re-published within the same batch repeats row numbers.
    const unique = new Map<string, { t: string; b: string; r: number; p: string; e: string }>();
    for (const command of commands) {
      touch(command.tenantId, command.broadcastId, {
        ...(command.phoneNumberId ? { phoneNumberId: command.phoneNumberId } : {}),
        ...(command.template ? { template: command.template } : {}),
      });
      for (const row of command.rows) {
        const key = JSON.stringify([command.tenantId, command.broadcastId, row.rowNumber]);
        if (!unique.has(key)) {
          unique.set(key, {
            t: command.tenantId,
            b: command.broadcastId,
            r: row.rowNumber,
            p: row.phone,
            e: row.e164,
          });
        }
      }
    }
    const list = [...unique.values()];
    const inserted = await tx.query<{ tenant_id: string; broadcast_id: string }>(
      `INSERT INTO recipients (tenant_id, broadcast_id, row_number, phone, e164, state)
       SELECT t, b, r, p, e, 'pending' FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[]) AS v(t, b, r, p, e)
       ORDER BY t, b, r
       ON CONFLICT (tenant_id, broadcast_id, row_number) DO UPDATE
         SET phone = COALESCE(recipients.phone, excluded.phone), e164 = COALESCE(recipients.e164, excluded.e164)
         WHERE recipients.phone IS NULL OR recipients.e164 IS NULL
       RETURNING tenant_id, broadcast_id, (xmax = 0) AS inserted`,
      [
        list.map((x) => x.t),
        list.map((x) => x.b),
        list.map((x) => x.r),
        list.map((x) => x.p),
        list.map((x) => x.e),
      ],
    );
    for (const row of inserted as {
      tenant_id: string;
      broadcast_id: string;
      inserted: boolean;
    }[]) {
      if (row.inserted) deltas.countsFor(row.tenant_id, row.broadcast_id).pending += 1;
    }
  }

  /** Send results, webhook statuses and skipped rows: merged into the recipients' states. */
  private async applyFacts(
    tx: SqlExecutor,
    facts: RecipientFact[],
    deltas: Deltas,
    touch: (tenantId: string, broadcastId: string) => void,
    result: ApplyResult,
  ): Promise<void> {
    // Webhooks carry no tenant: the broadcast id of the callback data names it, when exactly one
    // tenant has a broadcast of that id (ids are UUIDs or chosen per tenant; on a clash the fact
    // matches by key and wamid only, see the UPDATE below).
    const untenanted = [
      ...new Set(facts.filter((f) => !f.tenantId && f.broadcastId).map((f) => f.broadcastId!)),
    ];
    const tenants = new Map<string, string | null>();
    if (untenanted.length > 0) {
      const owners = await tx.query<{ id: string; tenant_id: string }>(
        'SELECT id, tenant_id FROM broadcasts WHERE id = ANY($1::text[])',
        [untenanted],
      );
      for (const owner of owners) {
        tenants.set(owner.id, tenants.has(owner.id) ? null : owner.tenant_id);
      }
    }
    const resolved = facts.map((fact) => {
      if (fact.tenantId || !fact.broadcastId) return fact;
      const tenantId = tenants.get(fact.broadcastId);
      return tenantId ? { ...fact, tenantId } : fact;
    });

    // A fact may arrive before its recipient's row (the rows consumer lags, or a result overtakes
    // its row on another topic): create the row as pending, the late rows event fills in the phone.
    const placeholders = new Map<string, { t: string; b: string; r: number }>();
    for (const fact of resolved) {
      if (fact.tenantId && fact.broadcastId && fact.rowNumber !== undefined) {
        const key = JSON.stringify([fact.tenantId, fact.broadcastId, fact.rowNumber]);
        placeholders.set(key, { t: fact.tenantId, b: fact.broadcastId, r: fact.rowNumber });
      }
    }
    if (placeholders.size > 0) {
      const list = [...placeholders.values()];
      const created = await tx.query<{ tenant_id: string; broadcast_id: string }>(
        `INSERT INTO recipients (tenant_id, broadcast_id, row_number, state)
         SELECT t, b, r, 'pending' FROM unnest($1::text[], $2::text[], $3::int[]) AS v(t, b, r)
         ORDER BY t, b, r
         ON CONFLICT (tenant_id, broadcast_id, row_number) DO NOTHING
         RETURNING tenant_id, broadcast_id`,
        [list.map((x) => x.t), list.map((x) => x.b), list.map((x) => x.r)],
      );
      for (const row of created) {
        deltas.countsFor(row.tenant_id, row.broadcast_id).pending += 1;
        touch(row.tenant_id, row.broadcast_id);
      }
    }

    // Rounds: the k-th fact about each recipient goes in round k.
    const rounds: { byKey: number[]; byWamid: number[] }[] = [];
    const seen = new Map<string, number>();
    resolved.forEach((fact, index) => {
      const byKey = fact.broadcastId !== undefined && fact.rowNumber !== undefined;
      if (!byKey && !fact.wamid) {
        result.unmatched += 1;
        return;
      }
      const key = byKey ? `k:${fact.broadcastId}:${fact.rowNumber}` : `w:${fact.wamid}`;
      const round = seen.get(key) ?? 0;
      seen.set(key, round + 1);
      rounds[round] ??= { byKey: [], byWamid: [] };
      (byKey ? rounds[round].byKey : rounds[round].byWamid).push(index);
    });
    for (const round of rounds) {
      for (const [mode, indexes] of [
        ['key', round.byKey],
        ['wamid', round.byWamid],
      ] as const) {
        if (indexes.length === 0) continue;
        const transitions = await this.mergeFacts(tx, mode, indexes, resolved);
        const matchedOrds = new Set(transitions.map((t) => t.ord));
        result.matched += matchedOrds.size;
        result.unmatched += indexes.length - matchedOrds.size;
        for (const row of transitions) {
          touch(row.tenant_id, row.broadcast_id);
          if (row.old_traceparent !== null && facts[row.ord]!.source === 'webhook') {
            (result.traced ??= []).push({
              fact: facts[row.ord]!,
              traceparent: row.old_traceparent,
              changed: row.updated,
            });
          }
          if (!row.updated) continue;
          const fact = resolved[row.ord]!;
          const stateChanged = row.old_state !== row.new_state;
          if (stateChanged) {
            result.transitions += 1;
            result.transitionsByState[row.new_state] =
              (result.transitionsByState[row.new_state] ?? 0) + 1;
            const counts = deltas.countsFor(row.tenant_id, row.broadcast_id);
            counts[row.old_state] -= 1;
            counts[row.new_state] += 1;
          }
          const codeChanged = row.old_code !== row.new_code;
          if ((stateChanged || codeChanged) && isReasonState(row.old_state) && row.old_code) {
            deltas.reason(row.tenant_id, row.broadcast_id, row.old_state, row.old_code, -1);
          }
          if ((stateChanged || codeChanged) && isReasonState(row.new_state) && row.new_code) {
            deltas.reason(
              row.tenant_id,
              row.broadcast_id,
              row.new_state,
              row.new_code,
              1,
              row.new_state === 'failed' ? (fact.errorTitle ?? fact.errorReason) : undefined,
            );
          }
        }
      }
    }
  }

  /**
   * One set-based merge of facts (at most one per recipient). `cur` locks the target rows in key
   * order and computes the merge on their latest version; `upd` writes only rows that change (a
   * duplicate webhook writes nothing); the result lists every matched fact with its transition.
   */
  private async mergeFacts(
    tx: SqlExecutor,
    mode: 'key' | 'wamid',
    indexes: number[],
    facts: RecipientFact[],
  ): Promise<TransitionRow[]> {
    const join =
      mode === 'key'
        ? `r.broadcast_id = v.broadcast_id AND r.row_number = v.row_number
           AND (v.tenant_id IS NULL OR r.tenant_id = v.tenant_id)
           AND (v.wamid IS NULL OR r.wamid IS NULL OR r.wamid = v.wamid)`
        : `r.wamid = v.wamid`;
    const pick = <T>(get: (fact: RecipientFact) => T) => indexes.map((index) => get(facts[index]!));
    return tx.query<TransitionRow>(
      `WITH v AS (
         SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[],
                              $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
           AS v(ord, tenant_id, broadcast_id, row_number, wamid, state, source, error_code, error_reason, phone, e164,
                traceparent)
       ),
       cur AS (
         SELECT r.tenant_id, r.broadcast_id, r.row_number, v.ord,
                r.state AS old_state, r.error_code AS old_code, r.traceparent AS old_traceparent,
                wab_merge_state(r.state, v.state, v.source) AS new_state
         FROM v JOIN recipients r ON ${join}
         ORDER BY r.tenant_id, r.broadcast_id, r.row_number
         FOR UPDATE OF r
       ),
       decided AS (
         SELECT cur.*,
           -- the fact's own state was taken, or a failure reported after delivery (recorded, no regress)
           ((v.error_code IS NOT NULL OR v.error_reason IS NOT NULL) AND (
              (cur.new_state <> cur.old_state AND cur.new_state = v.state)
              OR (v.state = 'failed' AND v.source = 'webhook' AND cur.old_state IN ('delivered', 'read')
                  AND cur.old_code IS NULL))) AS write_error,
           -- an unknown outcome reconciled upwards: its "why unknown" no longer applies
           (cur.old_state IN ('unknown', 'cancelled') AND cur.new_state IN ('accepted', 'sent', 'delivered', 'read')) AS clear_error
         FROM cur JOIN v ON v.ord = cur.ord
       ),
       upd AS (
         UPDATE recipients r SET
           state = d.new_state,
           wamid = COALESCE(r.wamid, v.wamid),
           error_code = CASE WHEN d.write_error THEN v.error_code WHEN d.clear_error THEN NULL ELSE r.error_code END,
           error_reason = CASE WHEN d.write_error THEN v.error_reason WHEN d.clear_error THEN NULL ELSE r.error_reason END,
           phone = COALESCE(r.phone, v.phone),
           e164 = COALESCE(r.e164, v.e164),
           traceparent = COALESCE(v.traceparent, r.traceparent),
           -- a cancel is not a send outcome: it does not count for the rate (a cancelled recipient
           -- that turns out to have been sent does, when its first real outcome arrives)
           terminal_at = CASE WHEN r.terminal_at IS NULL AND d.old_state IN ('pending', 'cancelled')
                                   AND d.new_state NOT IN ('pending', 'skipped', 'cancelled') THEN now()
                              ELSE r.terminal_at END,
           updated_at = now()
         FROM decided d JOIN v ON v.ord = d.ord
         WHERE r.tenant_id = d.tenant_id AND r.broadcast_id = d.broadcast_id AND r.row_number = d.row_number
           AND (d.new_state <> d.old_state OR d.write_error OR d.clear_error
                OR (r.wamid IS NULL AND v.wamid IS NOT NULL)
                OR (r.phone IS NULL AND v.phone IS NOT NULL)
                OR (r.e164 IS NULL AND v.e164 IS NOT NULL)
                OR (r.traceparent IS NULL AND v.traceparent IS NOT NULL))
         RETURNING r.tenant_id, r.broadcast_id, r.row_number, r.error_code
       )
       SELECT d.ord, d.tenant_id, d.broadcast_id, d.old_state, d.new_state, d.old_code,
              CASE WHEN u.row_number IS NULL THEN d.old_code ELSE u.error_code END AS new_code,
              (u.row_number IS NOT NULL) AS updated, d.old_traceparent
       FROM decided d
       LEFT JOIN upd u ON u.tenant_id = d.tenant_id AND u.broadcast_id = d.broadcast_id AND u.row_number = d.row_number`,
      [
        indexes,
        pick((f) => f.tenantId ?? null),
        pick((f) => f.broadcastId ?? null),
        pick((f) => f.rowNumber ?? null),
        pick((f) => f.wamid ?? null),
        pick((f) => f.state),
        pick((f) => f.source),
        pick((f) => f.errorCode ?? null),
        pick((f) => f.errorReason ?? null),
        pick((f) => f.phone ?? null),
        pick((f) => f.e164 ?? null),
        pick((f) => f.traceparent ?? null),
      ],
    );
  }

  private async applyLifecycle(tx: SqlExecutor, command: TrackerCommand): Promise<void> {
    switch (command.kind) {
      case 'broadcast-started':
        // broadcast.uploaded / broadcast.requested / broadcast.split-started. Creates the broadcast
        // when nobody registered it (upstream systems); only ever moves `created` forward.
        await tx.query(
          `INSERT INTO broadcasts (tenant_id, id, state, started_at, source, phone_number_id, template, mapping,
                                   default_country, object, parent_broadcast_id)
           VALUES ($1, $2, 'splitting', $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9::jsonb, $10)
           ON CONFLICT (tenant_id, id) DO UPDATE SET
             state = CASE WHEN broadcasts.state = 'created' THEN 'splitting' ELSE broadcasts.state END,
             started_at = COALESCE(broadcasts.started_at, excluded.started_at),
             source = COALESCE(broadcasts.source, excluded.source),
             phone_number_id = COALESCE(broadcasts.phone_number_id, excluded.phone_number_id),
             template = COALESCE(broadcasts.template, excluded.template),
             mapping = COALESCE(broadcasts.mapping, excluded.mapping),
             default_country = COALESCE(broadcasts.default_country, excluded.default_country),
             object = COALESCE(broadcasts.object, excluded.object),
             parent_broadcast_id = COALESCE(broadcasts.parent_broadcast_id, excluded.parent_broadcast_id),
             updated_at = now()`,
          [
            command.tenantId,
            command.broadcastId,
            command.at,
            command.source ?? null,
            command.phoneNumberId ?? null,
            command.template ? JSON.stringify(command.template) : null,
            command.mapping === undefined ? null : JSON.stringify(command.mapping),
            command.defaultCountry ?? null,
            command.object ? JSON.stringify(command.object) : null,
            command.parentBroadcastId ?? null,
          ],
        );
        return;
      case 'split-completed':
        // The splitter's last word wins over an earlier split-failed (a re-split that got through);
        // `cancelled` is final. `completed` itself is recomputed right after, from the counters.
        await tx.query(
          `UPDATE broadcasts SET
             total_rows = $3, recipients = $4, skipped_rows = $5,
             split_completed_at = COALESCE(split_completed_at, $6),
             started_at = COALESCE(started_at, $6),
             state = CASE WHEN state IN ('cancelled', 'completed') THEN state ELSE 'sending' END,
             failure_reason = CASE WHEN state = 'failed' THEN NULL ELSE failure_reason END,
             failure_message = CASE WHEN state = 'failed' THEN NULL ELSE failure_message END,
             updated_at = now()
           WHERE tenant_id = $1 AND id = $2`,
          [
            command.tenantId,
            command.broadcastId,
            command.totalRows,
            command.recipients,
            command.skipped,
            command.at,
          ],
        );
        return;
      case 'split-failed':
        await tx.query(
          `UPDATE broadcasts SET
             state = CASE WHEN state = 'cancelled' THEN state ELSE 'failed' END,
             failure_reason = $3, failure_message = $4,
             started_at = COALESCE(started_at, $5),
             completed_at = NULL,
             updated_at = now()
           WHERE tenant_id = $1 AND id = $2`,
          [command.tenantId, command.broadcastId, command.reason, command.message, command.at],
        );
        return;
      case 'recipients':
      case 'facts':
      case 'cancel-pending':
        return;
    }
  }

  private async writeCounters(tx: SqlExecutor, deltas: Deltas): Promise<void> {
    const changed = [...deltas.counts.entries()].filter(([, counts]) =>
      RECIPIENT_STATES.some((state) => counts[state] !== 0),
    );
    if (changed.length > 0) {
      const keys = changed.map(([key]) => JSON.parse(key) as [string, string]);
      const columns = RECIPIENT_STATES.map((state, i) => `$${i + 3}::int[]`).join(', ');
      await tx.query(
        `UPDATE broadcasts b SET
           ${RECIPIENT_STATES.map((state) => `n_${state} = b.n_${state} + d.${state}`).join(',\n           ')},
           updated_at = now()
         FROM unnest($1::text[], $2::text[], ${columns})
           AS d(tenant_id, id, ${RECIPIENT_STATES.join(', ')})
         WHERE b.tenant_id = d.tenant_id AND b.id = d.id`,
        [
          keys.map(([tenantId]) => tenantId),
          keys.map(([, broadcastId]) => broadcastId),
          ...RECIPIENT_STATES.map((state) => changed.map(([, counts]) => counts[state])),
        ],
      );
    }
    const reasons = [...deltas.reasons.values()].filter(
      (r) => r.delta !== 0 || r.title !== undefined,
    );
    if (reasons.length > 0) {
      await tx.query(
        `INSERT INTO broadcast_reason_counts AS c (tenant_id, broadcast_id, state, code, title, count)
         SELECT t, b, s, c, ti, n FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[])
           AS v(t, b, s, c, ti, n)
         ORDER BY t, b, s, c
         ON CONFLICT (tenant_id, broadcast_id, state, code) DO UPDATE SET
           count = c.count + excluded.count,
           title = COALESCE(excluded.title, c.title)`,
        [
          reasons.map((r) => r.tenantId),
          reasons.map((r) => r.broadcastId),
          reasons.map((r) => r.state),
          reasons.map((r) => r.code),
          reasons.map((r) => r.title ?? null),
          reasons.map((r) => r.delta),
        ],
      );
    }
  }

  async get(tenantId: string, broadcastId: string): Promise<BroadcastRecord | undefined> {
    const [row] = await this.db.query<BroadcastRow>(
      `SELECT *, created_at::text AS cursor_ts FROM broadcasts WHERE tenant_id = $1 AND id = $2`,
      [tenantId, broadcastId],
    );
    return row ? toRecord(row) : undefined;
  }

  async reasons(tenantId: string, broadcastId: string): Promise<ReasonCount[]> {
    const rows = await this.db.query<{
      state: 'failed' | 'skipped';
      code: string;
      title: string | null;
      count: number;
    }>(
      `SELECT state, code, title, count FROM broadcast_reason_counts
       WHERE tenant_id = $1 AND broadcast_id = $2 AND count > 0 ORDER BY state, count DESC, code`,
      [tenantId, broadcastId],
    );
    return rows.map((row) => ({
      state: row.state,
      code: row.code,
      count: row.count,
      ...(row.title ? { title: row.title } : {}),
    }));
  }

  async rateSample(
    tenantId: string,
    broadcastId: string,
    windowSeconds: number,
  ): Promise<RateSample> {
    const [row] = await this.db.query<{ n: number; oldest: Date | null; now: Date }>(
      `SELECT count(*)::int AS n, min(terminal_at) AS oldest, now() AS now FROM recipients
       WHERE tenant_id = $1 AND broadcast_id = $2 AND terminal_at IS NOT NULL
         AND terminal_at > now() - make_interval(secs => $3)`,
      [tenantId, broadcastId, windowSeconds],
    );
    return {
      terminalInWindow: row?.n ?? 0,
      now: row?.now ?? new Date(),
      ...(row?.oldest ? { oldestInWindow: row.oldest } : {}),
    };
  }

  async list(
    tenantId: string,
    options: { limit: number; after?: string },
  ): Promise<Page<BroadcastRecord>> {
    let after: [string, string] | undefined;
    if (options.after !== undefined) {
      const key = decodeCursor(options.after, 2);
      if (!key || typeof key[0] !== 'string' || typeof key[1] !== 'string') {
        throw new InvalidCursorError(options.after);
      }
      after = [key[0], key[1]];
    }
    const rows = await this.db.query<BroadcastRow>(
      after
        ? `SELECT *, created_at::text AS cursor_ts FROM broadcasts
           WHERE tenant_id = $1 AND (created_at, id) < ($3::timestamptz, $4::text)
           ORDER BY created_at DESC, id DESC LIMIT $2`
        : `SELECT *, created_at::text AS cursor_ts FROM broadcasts
           WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
      after ? [tenantId, options.limit + 1, after[0], after[1]] : [tenantId, options.limit + 1],
    );
    const page = rows.slice(0, options.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toRecord),
      ...(rows.length > options.limit && last
        ? { nextCursor: encodeCursor([last.cursor_ts, last.id]) }
        : {}),
    };
  }

  async recipients(
    tenantId: string,
    broadcastId: string,
    options: { state?: RecipientState; afterRowNumber?: number; limit: number },
  ): Promise<RecipientRecord[]> {
    const after = options.afterRowNumber ?? 0;
    const rows = await this.db.query<{
      row_number: number;
      phone: string | null;
      e164: string | null;
      state: RecipientState;
      wamid: string | null;
      error_code: string | null;
      error_reason: string | null;
      updated_at: Date;
    }>(
      options.state
        ? `SELECT row_number, phone, e164, state, wamid, error_code, error_reason, updated_at FROM recipients
           WHERE tenant_id = $1 AND broadcast_id = $2 AND state = $5 AND row_number > $3
           ORDER BY row_number LIMIT $4`
        : `SELECT row_number, phone, e164, state, wamid, error_code, error_reason, updated_at FROM recipients
           WHERE tenant_id = $1 AND broadcast_id = $2 AND row_number > $3
           ORDER BY row_number LIMIT $4`,
      options.state
        ? [tenantId, broadcastId, after, options.limit, options.state]
        : [tenantId, broadcastId, after, options.limit],
    );
    return rows.map((row) => ({
      rowNumber: row.row_number,
      state: row.state,
      updatedAt: row.updated_at,
      ...(row.phone !== null ? { phone: row.phone } : {}),
      ...(row.e164 !== null ? { e164: row.e164 } : {}),
      ...(row.wamid !== null ? { wamid: row.wamid } : {}),
      ...(row.error_code !== null ? { errorCode: row.error_code } : {}),
      ...(row.error_reason !== null ? { errorReason: row.error_reason } : {}),
    }));
  }
}

function isReasonState(state: RecipientState): state is 'failed' | 'skipped' {
  return state === 'failed' || state === 'skipped';
}

function toRecord(row: BroadcastRow): BroadcastRecord {
  const counts = emptyCounts();
  for (const state of RECIPIENT_STATES) counts[state] = row[`n_${state}`];
  return {
    tenantId: row.tenant_id,
    id: row.id,
    state: row.state,
    createdAt: row.created_at,
    counts,
    ...(row.name !== null ? { name: row.name } : {}),
    ...(row.failure_reason !== null ? { failureReason: row.failure_reason } : {}),
    ...(row.failure_message !== null ? { failureMessage: row.failure_message } : {}),
    ...(row.phone_number_id !== null ? { phoneNumberId: row.phone_number_id } : {}),
    ...(row.template !== null ? { template: row.template } : {}),
    ...(row.mapping !== null ? { mapping: row.mapping } : {}),
    ...(row.default_country !== null ? { defaultCountry: row.default_country } : {}),
    ...(row.object !== null ? { object: row.object } : {}),
    ...(row.started_at !== null ? { startedAt: row.started_at } : {}),
    ...(row.split_completed_at !== null ? { splitCompletedAt: row.split_completed_at } : {}),
    ...(row.completed_at !== null ? { completedAt: row.completed_at } : {}),
    ...(row.total_rows !== null ? { totalRows: row.total_rows } : {}),
    ...(row.recipients !== null ? { recipients: row.recipients } : {}),
    ...(row.parent_broadcast_id ? { parentBroadcastId: row.parent_broadcast_id } : {}),
    ...(row.wave_number !== null && row.wave_number !== undefined
      ? { waveNumber: row.wave_number }
      : {}),
    ...(row.wave_selected !== null && row.wave_selected !== undefined
      ? { waveSelected: row.wave_selected }
      : {}),
    ...(row.wave_origin ? { waveOrigin: row.wave_origin } : {}),
  };
}

function toWave(row: BroadcastRow): WaveRecord | undefined {
  if (!row.parent_broadcast_id || !row.template || !row.object || !row.phone_number_id) {
    return undefined;
  }
  return {
    tenantId: row.tenant_id,
    id: row.id,
    parentBroadcastId: row.parent_broadcast_id,
    number: row.wave_number ?? 2,
    selected: row.wave_selected ?? 0,
    origin: row.wave_origin ?? 'operator',
    createdAt: row.created_at,
    phoneNumberId: row.phone_number_id,
    template: row.template,
    mapping: row.mapping,
    object: row.object,
    ...(row.name !== null ? { name: row.name } : {}),
    ...(row.default_country !== null ? { defaultCountry: row.default_country } : {}),
  };
}
