import { randomUUID } from 'node:crypto';
import { PostgresBroadcastStore } from '../src/adapters/postgres-broadcast-store.adapter.js';
import { PostgresControlStore } from '../src/adapters/postgres-control-store.adapter.js';
import type { SqlDatabase } from '../src/adapters/sql-database.js';
import { emptyCounts, type RecipientState } from '../src/domain/recipient-state.js';
import type { RecipientFact, TrackerCommand } from '../src/ports/broadcast-store.port.js';
import { ENGINES } from './support.js';

/**
 * The `cancelled` recipient state on the real engines: a recorded cancel turns the pending
 * recipients `cancelled` (also rows announced after it), the dispatcher's cancelled results land as
 * `cancelled`, a proof that the message went wins over it, counters always equal a recount, and the
 * broadcast completes. (The SQL merge function is checked against the domain's for every case,
 * `cancelled` included, in broadcast-store.spec.ts.)
 */

const template = {
  name: 'order_update',
  language: 'en_US',
  parameterFormat: 'positional' as const,
};

describe.each(ENGINES)('cancelled recipients on %s', (_engine, open) => {
  let db: SqlDatabase;
  let store: PostgresBroadcastStore;
  let controls: PostgresControlStore;
  let tenant: string;

  beforeAll(async () => {
    db = await open();
    store = new PostgresBroadcastStore(db);
    controls = new PostgresControlStore(db);
  });
  afterAll(async () => {
    await store.close();
  });
  beforeEach(() => {
    tenant = `t-${randomUUID().slice(0, 8)}`;
  });

  const started = (id: string): TrackerCommand => ({
    kind: 'broadcast-started',
    tenantId: tenant,
    broadcastId: id,
    at: new Date(),
    source: 'object',
    phoneNumberId: '106540352242922',
    template,
  });
  const rows = (id: string, from: number, to: number): TrackerCommand => ({
    kind: 'recipients',
    tenantId: tenant,
    broadcastId: id,
    rows: Array.from({ length: to - from + 1 }, (_, i) => ({
      rowNumber: from + i,
      phone: `0151 ${String(1000000 + from + i)}`,
      e164: `+49151${String(1000000 + from + i)}`,
    })),
  });
  const result = (
    id: string,
    rowNumber: number,
    state: RecipientState,
    extra: Partial<RecipientFact> = {},
  ): RecipientFact => ({
    tenantId: tenant,
    broadcastId: id,
    rowNumber,
    state,
    source: 'send-result',
    ...extra,
  });
  const cancel = async (id: string) => {
    await controls.record([
      {
        tenantId: tenant,
        broadcastId: id,
        action: 'cancel',
        reason: 'wrong template',
        eventId: randomUUID(),
        occurredAt: new Date(),
      },
    ]);
    return store.apply([{ kind: 'cancel-pending', tenantId: tenant, broadcastId: id }]);
  };
  async function expectCountersMatchRows(id: string): Promise<void> {
    const record = await store.get(tenant, id);
    const recount = emptyCounts();
    for (const row of await db.query<{ state: RecipientState; n: number }>(
      'SELECT state, count(*)::int AS n FROM recipients WHERE tenant_id = $1 AND broadcast_id = $2 GROUP BY state',
      [tenant, id],
    ))
      recount[row.state] = row.n;
    expect(record?.counts).toEqual(recount);
  }

  it('turns the pending recipients cancelled when the cancel is recorded, and completes', async () => {
    const id = randomUUID();
    await store.apply([
      started(id),
      rows(id, 1, 5),
      {
        kind: 'facts',
        facts: [
          result(id, 1, 'accepted', { wamid: 'wamid.c1' }),
          result(id, 2, 'unknown', { errorReason: 'timeout' }),
        ],
      },
      {
        kind: 'split-completed',
        tenantId: tenant,
        broadcastId: id,
        totalRows: 5,
        recipients: 5,
        skipped: 0,
        at: new Date(),
      },
    ]);
    expect((await store.get(tenant, id))?.state).toBe('sending');
    const applied = await cancel(id);
    expect(applied.transitionsByState).toEqual({ cancelled: 3 });
    expect(applied.completed).toEqual([{ tenantId: tenant, broadcastId: id }]);
    const record = await store.get(tenant, id);
    expect(record?.state).toBe('completed');
    expect(record?.counts).toEqual({ ...emptyCounts(), accepted: 1, unknown: 1, cancelled: 3 });
    const cancelled = await store.recipients(tenant, id, { state: 'cancelled', limit: 10 });
    expect(cancelled.map((r) => r.rowNumber)).toEqual([3, 4, 5]);
    expect(cancelled[0]).toMatchObject({
      errorCode: '900100',
      errorReason: 'Cancelled by the operator before it was sent: wrong template',
    });
    // a cancel is not a send outcome: the rate window does not count it
    expect((await store.rateSample(tenant, id, 60)).terminalInWindow).toBe(2);
    await expectCountersMatchRows(id);
    // re-delivered cancel: nothing changes
    expect((await cancel(id)).transitions).toBe(0);
    await expectCountersMatchRows(id);
  });

  it('cancels rows announced after the cancel, and the dispatcher cancelled results', async () => {
    const id = randomUUID();
    await store.apply([started(id), rows(id, 1, 2)]);
    await cancel(id);
    // the splitter was still going: late rows land straight as cancelled
    const late = await store.apply([rows(id, 3, 4)]);
    expect(late.transitionsByState.cancelled).toBe(2);
    // the dispatcher's results for rows still in Kafka at the cancel, one before its row
    await store.apply([
      {
        kind: 'facts',
        facts: [
          result(id, 5, 'cancelled', { errorCode: '900100', errorReason: 'Cancelled' }),
          result(id, 1, 'cancelled', { errorCode: '900100', errorReason: 'Cancelled' }),
        ],
      },
    ]);
    const record = await store.get(tenant, id);
    expect(record?.counts).toEqual({ ...emptyCounts(), cancelled: 5 });
    await expectCountersMatchRows(id);
  });

  it('lets proof that the message went win over cancelled, never the other way round', async () => {
    const id = randomUUID();
    await store.apply([started(id), rows(id, 1, 6)]);
    await store.apply([
      {
        kind: 'facts',
        facts: [result(id, 5, 'accepted', { wamid: 'wamid.c5' })],
      },
    ]);
    await cancel(id);
    await store.apply([
      {
        kind: 'facts',
        facts: [
          // an in-flight call answered after the sweep: it did go
          result(id, 1, 'accepted', { wamid: 'wamid.c1' }),
          // a webhook (by callback data) proves delivery
          {
            broadcastId: id,
            rowNumber: 2,
            wamid: 'wamid.c2',
            state: 'delivered',
            source: 'webhook',
          },
          // a timeout mid-call: it may have gone
          result(id, 3, 'unknown', { errorReason: 'timeout' }),
          // Meta refused it synchronously: a precise answer
          result(id, 4, 'failed', { errorCode: '131026', errorReason: 'Message undeliverable' }),
          // a late cancelled result for a recipient Meta took does not hide it
          result(id, 5, 'cancelled', { errorCode: '900100', errorReason: 'Cancelled' }),
        ],
      },
    ]);
    const states = Object.fromEntries(
      (await store.recipients(tenant, id, { limit: 10 })).map((r) => [r.rowNumber, r]),
    );
    expect(states[1]).toMatchObject({ state: 'accepted', wamid: 'wamid.c1' });
    expect(states[1]?.errorCode).toBeUndefined(); // the cancel's code no longer applies
    expect(states[2]).toMatchObject({ state: 'delivered' });
    expect(states[3]).toMatchObject({ state: 'unknown', errorReason: 'timeout' });
    expect(states[4]).toMatchObject({ state: 'failed', errorCode: '131026' });
    expect(states[5]).toMatchObject({ state: 'accepted' });
    expect(states[6]).toMatchObject({ state: 'cancelled' });
    expect((await store.reasons(tenant, id)).map((r) => [r.code, r.count])).toEqual([
      ['131026', 1],
    ]);
    await expectCountersMatchRows(id);
  });

  it('leaves the pending recipients of a broadcast that is not cancelled alone', async () => {
    const id = randomUUID();
    const other = randomUUID();
    await store.apply([started(id), rows(id, 1, 3), started(other), rows(other, 1, 2)]);
    await cancel(other);
    await store.apply([rows(id, 4, 4)]);
    expect((await store.get(tenant, id))?.counts.pending).toBe(4);
    expect((await store.get(tenant, other))?.counts).toEqual({ ...emptyCounts(), cancelled: 2 });
  });
});
