import {
  ParkedRequests,
  type ParkTarget,
  type SendRequested,
} from '../ports/parked-requests.port.js';
import { MicroBatcher } from './micro-batcher.js';
import type { SqlDatabase } from './sql-database.js';

/**
 * Parked requests in PostgreSQL (or PGlite): table `parked_requests`
 * (migrations/002_parked_requests.sql), scoped to one send-requests topic. Parking is
 * micro-batched like the attempt record (5 ms / 500 rows: one `INSERT … SELECT FROM unnest … ON
 * CONFLICT DO NOTHING` per batch), so a paused broadcast of 100k requests parks at Kafka speed.
 *
 * Taking: one transaction per batch, `DELETE … WHERE recipient_id IN (SELECT … FOR UPDATE SKIP
 * LOCKED) RETURNING request`, then `hand` (the re-publish, acks=all), then COMMIT. A concurrent
 * replica skips the locked rows; a crash before the commit rolls the delete back, so the rows are
 * taken (and re-published) again: harmless, the attempt record answers replays without calling Meta.
 */
export class PostgresParkedRequests extends ParkedRequests {
  private readonly parks: MicroBatcher<SendRequested, void>;

  constructor(
    private readonly db: SqlDatabase,
    private readonly topic: string,
    batch: { maxItems?: number; maxDelayMs?: number } = {},
  ) {
    super();
    this.parks = new MicroBatcher(
      (items) => this.parkBatch(items),
      batch.maxItems,
      batch.maxDelayMs,
    );
  }

  park(request: SendRequested): Promise<void> {
    return this.parks.submit(request);
  }

  async targets(): Promise<(ParkTarget & { count: number })[]> {
    const rows = await this.db.query<{
      broadcast_id: string;
      phone_number_id: string;
      count: string | number;
    }>(
      `SELECT broadcast_id, phone_number_id, count(*) AS count
         FROM parked_requests WHERE topic = $1
        GROUP BY broadcast_id, phone_number_id`,
      [this.topic],
    );
    return rows.map((row) => ({
      broadcastId: row.broadcast_id,
      phoneNumberId: row.phone_number_id,
      count: Number(row.count),
    }));
  }

  take(
    target: ParkTarget,
    limit: number,
    hand: (requests: SendRequested[]) => Promise<void>,
  ): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<{ request: SendRequested | string }>(
        `DELETE FROM parked_requests
          WHERE recipient_id IN (
            SELECT recipient_id FROM parked_requests
             WHERE topic = $1 AND broadcast_id = $2 AND phone_number_id = $3
             ORDER BY seq LIMIT $4
             FOR UPDATE SKIP LOCKED)
          RETURNING request`,
        [this.topic, target.broadcastId, target.phoneNumberId, limit],
      );
      if (rows.length === 0) return 0;
      const requests = rows
        .map((row) =>
          typeof row.request === 'string'
            ? (JSON.parse(row.request) as SendRequested)
            : row.request,
        )
        .sort((a, b) => a.payload.rowNumber - b.payload.rowNumber);
      await hand(requests);
      return requests.length;
    });
  }

  private async parkBatch(items: SendRequested[]): Promise<void[]> {
    await this.db.query(
      `INSERT INTO parked_requests (recipient_id, topic, broadcast_id, phone_number_id, request)
         SELECT r, $1, b, p, q::jsonb FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])
           AS t(r, b, p, q)
       ON CONFLICT (recipient_id) DO NOTHING`,
      [
        this.topic,
        items.map((i) => i.payload.recipientId),
        items.map((i) => i.payload.broadcastId),
        items.map((i) => i.payload.phoneNumberId),
        items.map((i) => JSON.stringify(i)),
      ],
    );
    return items.map(() => undefined);
  }
}
