import {
  AttemptStore,
  type ClaimResult,
  type RecordedState,
  type SendOutcomeRecord,
} from '../ports/attempt-store.port.js';
import { MicroBatcher } from './micro-batcher.js';
import type { SqlDatabase } from './sql-database.js';

interface Claim {
  recipientId: string;
  broadcastId: string;
}
interface Update {
  recipientId: string;
  state: 'released' | 'accepted' | 'failed' | 'unknown';
  outcome: SendOutcomeRecord | null;
}

/**
 * The attempt record in PostgreSQL (or PGlite): table `dispatch_attempts`
 * (migrations/001_dispatch_attempts.sql). Claims and updates are micro-batched (5 ms / 500 rows):
 * one multi-row `INSERT … ON CONFLICT … RETURNING` claims a whole batch, one `UPDATE … FROM unnest`
 * records a batch of outcomes, so the record costs a handful of statements per second at 1,000+
 * sends per second.
 *
 * Atomicity of the claim: the row's primary key is the recipient id, and the only way to (re)take
 * it is the conditional upsert below (new row, or a row in `released`). Two replicas racing for
 * one recipient: exactly one gets the row back from RETURNING.
 */
export class PostgresAttemptStore extends AttemptStore {
  private readonly claims: MicroBatcher<Claim, ClaimResult>;
  private readonly updates: MicroBatcher<Update, void>;

  constructor(
    private readonly db: SqlDatabase,
    private readonly owner: string,
    batch: { maxItems?: number; maxDelayMs?: number } = {},
  ) {
    super();
    this.claims = new MicroBatcher(
      (items) => this.claimBatch(items),
      batch.maxItems,
      batch.maxDelayMs,
    );
    this.updates = new MicroBatcher(
      (items) => this.updateBatch(items),
      batch.maxItems,
      batch.maxDelayMs,
    );
  }

  claim(recipientId: string, broadcastId: string): Promise<ClaimResult> {
    return this.claims.submit({ recipientId, broadcastId });
  }

  release(recipientId: string): Promise<void> {
    return this.updates.submit({ recipientId, state: 'released', outcome: null });
  }

  finish(recipientId: string, outcome: SendOutcomeRecord): Promise<void> {
    return this.updates.submit({ recipientId, state: outcome.status, outcome });
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  private async claimBatch(items: Claim[]): Promise<ClaimResult[]> {
    // The same recipient twice in one statement would make ON CONFLICT DO UPDATE fail ("cannot
    // affect row a second time"): the first occurrence competes, later ones see it as taken.
    const first = new Map<string, Claim>();
    for (const item of items) if (!first.has(item.recipientId)) first.set(item.recipientId, item);
    const unique = [...first.values()];
    const claimed = await this.db.query<{ recipient_id: string; claims: number }>(
      `INSERT INTO dispatch_attempts AS a (recipient_id, broadcast_id, state, owner)
         SELECT r, b, 'sending', $3 FROM unnest($1::text[], $2::text[]) AS t(r, b)
       ON CONFLICT (recipient_id) DO UPDATE
         SET state = 'sending', claims = a.claims + 1, owner = EXCLUDED.owner, updated_at = now()
         WHERE a.state = 'released'
       RETURNING recipient_id, claims`,
      [unique.map((c) => c.recipientId), unique.map((c) => c.broadcastId), this.owner],
    );
    const won = new Map(claimed.map((row) => [row.recipient_id, row.claims]));
    const lost = unique.filter((c) => !won.has(c.recipientId)).map((c) => c.recipientId);
    const recorded = new Map<string, { state: RecordedState; outcome: SendOutcomeRecord | null }>();
    if (lost.length > 0) {
      const rows = await this.db.query<{
        recipient_id: string;
        state: RecordedState;
        outcome: SendOutcomeRecord | null;
      }>(
        `SELECT recipient_id, state, outcome FROM dispatch_attempts WHERE recipient_id = ANY($1::text[])`,
        [lost],
      );
      for (const row of rows) recorded.set(row.recipient_id, row);
    }
    const answered = new Set<string>();
    return items.map((item): ClaimResult => {
      const claims = won.get(item.recipientId);
      if (claims !== undefined && !answered.has(item.recipientId)) {
        answered.add(item.recipientId);
        return { kind: 'claimed', claims };
      }
      if (claims !== undefined) return { kind: 'taken', state: 'sending' };
      const row = recorded.get(item.recipientId);
      return row
        ? { kind: 'taken', state: row.state, ...(row.outcome ? { outcome: row.outcome } : {}) }
        : { kind: 'taken', state: 'sending' };
    });
  }

  private async updateBatch(items: Update[]): Promise<void[]> {
    // One recipient twice in a batch (release then finish cannot be: callers await each step):
    // the last write wins, as it would sequentially.
    const last = new Map<string, Update>();
    for (const item of items) last.set(item.recipientId, item);
    const rows = [...last.values()];
    await this.db.query(
      `UPDATE dispatch_attempts AS a
          SET state = t.s, outcome = t.o::jsonb, updated_at = now()
         FROM unnest($1::text[], $2::text[], $3::text[]) AS t(r, s, o)
        WHERE a.recipient_id = t.r`,
      [
        rows.map((u) => u.recipientId),
        rows.map((u) => u.state),
        rows.map((u) => (u.outcome ? JSON.stringify(u.outcome) : null)),
      ],
    );
    return items.map(() => undefined);
  }
}
