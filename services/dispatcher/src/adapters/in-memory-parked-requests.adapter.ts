import {
  ParkedRequests,
  type ParkTarget,
  type SendRequested,
} from '../ports/parked-requests.port.js';

/** Parked requests in memory: unit tests only (it forgets everything on restart). */
export class InMemoryParkedRequests extends ParkedRequests {
  readonly rows = new Map<string, SendRequested>();
  private readonly taken = new Set<string>();

  park(request: SendRequested): Promise<void> {
    if (!this.rows.has(request.payload.recipientId))
      this.rows.set(request.payload.recipientId, request);
    return Promise.resolve();
  }

  targets(): Promise<(ParkTarget & { count: number })[]> {
    const counts = new Map<string, ParkTarget & { count: number }>();
    for (const { payload } of this.rows.values()) {
      const key = `${payload.broadcastId}|${payload.phoneNumberId}`;
      const entry = counts.get(key) ?? {
        broadcastId: payload.broadcastId,
        phoneNumberId: payload.phoneNumberId,
        count: 0,
      };
      entry.count++;
      counts.set(key, entry);
    }
    return Promise.resolve([...counts.values()]);
  }

  async take(
    target: ParkTarget,
    limit: number,
    hand: (requests: SendRequested[]) => Promise<void>,
  ): Promise<number> {
    const batch = [...this.rows.values()]
      .filter(
        (r) =>
          r.payload.broadcastId === target.broadcastId &&
          r.payload.phoneNumberId === target.phoneNumberId &&
          !this.taken.has(r.payload.recipientId),
      )
      .slice(0, limit);
    for (const r of batch) this.taken.add(r.payload.recipientId);
    try {
      if (batch.length > 0) await hand(batch);
      for (const r of batch) this.rows.delete(r.payload.recipientId);
      return batch.length;
    } finally {
      for (const r of batch) this.taken.delete(r.payload.recipientId);
    }
  }
}
