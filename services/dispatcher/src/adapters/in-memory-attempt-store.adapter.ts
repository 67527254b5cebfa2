import {
  AttemptStore,
  type ClaimResult,
  type RecordedState,
  type SendOutcomeRecord,
} from '../ports/attempt-store.port.js';

/** The attempt record in memory: unit tests only (it forgets everything on restart). */
export class InMemoryAttemptStore extends AttemptStore {
  readonly rows = new Map<
    string,
    { state: RecordedState; claims: number; outcome?: SendOutcomeRecord }
  >();

  claim(recipientId: string): Promise<ClaimResult> {
    const row = this.rows.get(recipientId);
    if (!row || row.state === 'released') {
      const claims = (row?.claims ?? 0) + 1;
      this.rows.set(recipientId, { state: 'sending', claims });
      return Promise.resolve({ kind: 'claimed', claims });
    }
    return Promise.resolve({
      kind: 'taken',
      state: row.state,
      ...(row.outcome ? { outcome: row.outcome } : {}),
    });
  }

  release(recipientId: string): Promise<void> {
    const row = this.rows.get(recipientId);
    if (row) this.rows.set(recipientId, { state: 'released', claims: row.claims });
    return Promise.resolve();
  }

  finish(recipientId: string, outcome: SendOutcomeRecord): Promise<void> {
    const row = this.rows.get(recipientId);
    this.rows.set(recipientId, { state: outcome.status, claims: row?.claims ?? 1, outcome });
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
