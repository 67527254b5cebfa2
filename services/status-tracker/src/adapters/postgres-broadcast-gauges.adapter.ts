import { etaSeconds, ratePerSecond, type BroadcastState } from '../domain/progress.js';
import type { BroadcastSnapshot } from '../metrics.js';
import type { SqlExecutor } from './sql-database.js';

/**
 * The broadcast gauges' query, across all tenants (operations view; nothing tenant-specific leaves
 * as a label). Three small statements per scrape: a GROUP BY over broadcasts, the oldest sending
 * broadcast, and its terminal outcomes in the rate window (index on terminal_at per broadcast).
 * `updated_at` moves with every counter or lifecycle write, so "no change for N seconds" is
 * "no progress".
 */
export class PostgresBroadcastGauges {
  constructor(
    private readonly db: SqlExecutor,
    private readonly options: { stalledAfterSeconds: number; rateWindowSeconds: number },
  ) {}

  async snapshot(): Promise<BroadcastSnapshot> {
    const states = await this.db.query<{ state: BroadcastState; n: number; stalled: number }>(
      `SELECT state, count(*)::int AS n,
              count(*) FILTER (WHERE state IN ('splitting', 'sending')
                               AND updated_at < now() - make_interval(secs => $1))::int AS stalled
       FROM broadcasts GROUP BY state`,
      [this.options.stalledAfterSeconds],
    );
    const byState: BroadcastSnapshot['byState'] = {};
    let stalled = 0;
    for (const row of states) {
      byState[row.state] = row.n;
      stalled += row.stalled;
    }
    return { byState, stalled, oldestEtaSeconds: await this.oldestEta() };
  }

  private async oldestEta(): Promise<number> {
    const [oldest] = await this.db.query<{ tenant_id: string; id: string; n_pending: number }>(
      `SELECT tenant_id, id, n_pending FROM broadcasts WHERE state = 'sending'
       ORDER BY COALESCE(started_at, created_at), id LIMIT 1`,
    );
    if (!oldest) return 0;
    const [sample] = await this.db.query<{ n: number; oldest: Date | null; now: Date }>(
      `SELECT count(*)::int AS n, min(terminal_at) AS oldest, now() AS now FROM recipients
       WHERE tenant_id = $1 AND broadcast_id = $2 AND terminal_at IS NOT NULL
         AND terminal_at > now() - make_interval(secs => $3)`,
      [oldest.tenant_id, oldest.id, this.options.rateWindowSeconds],
    );
    const rate = ratePerSecond({
      terminalInWindow: sample?.n ?? 0,
      oldestInWindow: sample?.oldest ?? undefined,
      windowSeconds: this.options.rateWindowSeconds,
      now: sample?.now ?? new Date(),
    });
    return etaSeconds(oldest.n_pending, rate) ?? Number.POSITIVE_INFINITY;
  }
}
