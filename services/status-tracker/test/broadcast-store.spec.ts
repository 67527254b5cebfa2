import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { runMigrations } from '../src/adapters/migrations.js';
import { PostgresBroadcastStore } from '../src/adapters/postgres-broadcast-store.adapter.js';
import type { SqlDatabase } from '../src/adapters/sql-database.js';
import {
  emptyCounts,
  mergeState,
  RECIPIENT_STATES,
  type FactSource,
  type RecipientState,
} from '../src/domain/recipient-state.js';
import type { RecipientFact, TrackerCommand } from '../src/ports/broadcast-store.port.js';
import { ENGINES } from './support.js';

/**
 * The store against the real engines: the same suite on PostgreSQL (the local server, shared, so
 * every test uses its own tenant and broadcast ids) and on PGlite (in memory).
 */
const MIGRATIONS = resolve(import.meta.dirname, '../migrations');

const template = {
  name: 'order_update',
  language: 'en_US',
  parameterFormat: 'positional' as const,
};

describe.each(ENGINES)('BroadcastStore on %s', (_engine, open) => {
  let db: SqlDatabase;
  let store: PostgresBroadcastStore;
  let tenant: string;

  beforeAll(async () => {
    db = await open();
    store = new PostgresBroadcastStore(db);
  });
  afterAll(async () => {
    await store.close();
  });
  beforeEach(() => {
    tenant = `t-${randomUUID().slice(0, 8)}`;
  });

  const started = (broadcastId: string): TrackerCommand => ({
    kind: 'broadcast-started',
    tenantId: tenant,
    broadcastId,
    at: new Date(),
    source: 'object',
    phoneNumberId: '106540352242922',
    template,
  });
  const rows = (broadcastId: string, from: number, to: number): TrackerCommand => ({
    kind: 'recipients',
    tenantId: tenant,
    broadcastId,
    phoneNumberId: '106540352242922',
    template,
    rows: Array.from({ length: to - from + 1 }, (_, i) => ({
      rowNumber: from + i,
      phone: `0151 ${String(1000000 + from + i)}`,
      e164: `+49151${String(1000000 + from + i)}`,
    })),
  });
  const completed = (
    broadcastId: string,
    totalRows: number,
    recipients: number,
  ): TrackerCommand => ({
    kind: 'split-completed',
    tenantId: tenant,
    broadcastId,
    totalRows,
    recipients,
    skipped: totalRows - recipients,
    at: new Date(),
  });
  const facts = (...list: RecipientFact[]): TrackerCommand => ({ kind: 'facts', facts: list });
  const result = (
    broadcastId: string,
    rowNumber: number,
    state: RecipientState,
    extra: Partial<RecipientFact> = {},
  ): RecipientFact => ({
    tenantId: tenant,
    broadcastId,
    rowNumber,
    state,
    source: 'send-result',
    ...extra,
  });
  const hook = (
    broadcastId: string,
    rowNumber: number,
    state: RecipientState,
    wamid: string,
    extra: Partial<RecipientFact> = {},
  ): RecipientFact => ({
    broadcastId,
    rowNumber,
    wamid,
    state,
    source: 'webhook',
    ...extra,
  });

  /** The counters must always equal a recount of the rows. */
  async function expectCountersMatchRows(broadcastId: string): Promise<void> {
    const record = await store.get(tenant, broadcastId);
    const recount = emptyCounts();
    const rowsByState = await db.query<{ state: RecipientState; n: number }>(
      'SELECT state, count(*)::int AS n FROM recipients WHERE tenant_id = $1 AND broadcast_id = $2 GROUP BY state',
      [tenant, broadcastId],
    );
    for (const row of rowsByState) recount[row.state] = row.n;
    expect(record?.counts).toEqual(recount);
  }

  it('applies migrations once, also when replicas boot at the same time', async () => {
    const again = await Promise.all([runMigrations(db, MIGRATIONS), runMigrations(db, MIGRATIONS)]);
    for (const outcome of again) {
      expect(outcome.applied).toEqual([]);
      expect(outcome.alreadyApplied).toContain('001_initial.sql');
    }
  });

  it('merges in SQL exactly as the domain does', async () => {
    const sources: FactSource[] = ['send-result', 'webhook', 'split'];
    const cases = RECIPIENT_STATES.flatMap((current) =>
      RECIPIENT_STATES.flatMap((incoming) =>
        sources.map((source) => ({ current, incoming, source })),
      ),
    );
    const merged = await db.query<{ merged: string }>(
      `SELECT wab_merge_state(c, i, s) AS merged FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS v(c, i, s, n) ORDER BY n`,
      [cases.map((c) => c.current), cases.map((c) => c.incoming), cases.map((c) => c.source)],
    );
    expect(merged.map((row) => row.merged)).toEqual(
      cases.map((c) => mergeState(c.current, c.incoming, c.source)),
    );
  });

  it('registers a draft idempotently, visible to its tenant only', async () => {
    const id = randomUUID();
    const draft = {
      tenantId: tenant,
      id,
      name: 'June promo',
      phoneNumberId: '106540352242922',
      template,
      mapping: { phoneColumn: 'phone', body: [{ position: 1, column: 'name' }] },
      defaultCountry: 'DE',
      object: { bucket: 'broadcasts', key: `${tenant}/${id}.csv` },
    };
    expect(await store.registerDraft(draft)).toEqual({ created: true });
    expect(await store.registerDraft(draft)).toEqual({ created: false });
    const record = await store.get(tenant, id);
    expect(record).toMatchObject({
      id,
      tenantId: tenant,
      name: 'June promo',
      state: 'created',
      template,
      defaultCountry: 'DE',
    });
    expect(record?.object).toEqual(draft.object);
    expect(await store.get(`${tenant}-other`, id)).toBeUndefined();
    expect((await store.list(`${tenant}-other`, { limit: 10 })).items).toEqual([]);
  });

  it('records a broadcast from split to completion, computing completion from the rows', async () => {
    const id = randomUUID();
    await store.apply([started(id), rows(id, 1, 3), rows(id, 5, 6)]);
    // the same chunk again (re-split, re-delivery), in the same batch and later: harmless
    await store.apply([rows(id, 1, 3), rows(id, 1, 3)]);
    await store.apply([
      facts({
        tenantId: tenant,
        broadcastId: id,
        rowNumber: 4,
        state: 'skipped',
        source: 'split',
        errorCode: 'invalid-phone',
        errorReason: 'Not a valid phone number for country DE',
        phone: '12345',
      }),
      completed(id, 6, 5),
    ]);
    let record = await store.get(tenant, id);
    expect(record).toMatchObject({ state: 'sending', totalRows: 6, recipients: 5 });
    expect(record?.counts).toEqual({ ...emptyCounts(), pending: 5, skipped: 1 });

    const outcome = await store.apply([
      facts(
        result(id, 1, 'accepted', { wamid: 'wamid.1' }),
        result(id, 2, 'accepted', { wamid: 'wamid.2' }),
        result(id, 3, 'failed', {
          errorCode: '131026',
          errorTitle: 'Message undeliverable',
          errorReason: 'Message undeliverable: x',
        }),
        result(id, 5, 'unknown', { errorReason: 'timeout after request was written' }),
      ),
    ]);
    expect(outcome).toMatchObject({ matched: 4, unmatched: 0, transitions: 4, completed: [] });
    record = await store.get(tenant, id);
    expect(record?.state).toBe('sending');
    expect(record?.completedAt).toBeUndefined();

    const last = await store.apply([facts(result(id, 6, 'accepted', { wamid: 'wamid.6' }))]);
    expect(last.completed).toEqual([{ tenantId: tenant, broadcastId: id }]);
    record = await store.get(tenant, id);
    expect(record?.state).toBe('completed');
    expect(record?.completedAt).toBeInstanceOf(Date);
    expect(record?.counts).toEqual({
      ...emptyCounts(),
      accepted: 3,
      failed: 1,
      unknown: 1,
      skipped: 1,
    });
    await expectCountersMatchRows(id);

    const reasons = await store.reasons(tenant, id);
    expect(reasons).toEqual(
      expect.arrayContaining([
        { state: 'failed', code: '131026', title: 'Message undeliverable', count: 1 },
        { state: 'skipped', code: 'invalid-phone', count: 1 },
      ]),
    );
    const all = await store.recipients(tenant, id, { limit: 100 });
    expect(all.map((r) => [r.rowNumber, r.state])).toEqual([
      [1, 'accepted'],
      [2, 'accepted'],
      [3, 'failed'],
      [4, 'skipped'],
      [5, 'unknown'],
      [6, 'accepted'],
    ]);
    expect(all[3]).toMatchObject({ phone: '12345', errorCode: 'invalid-phone' });
    expect(all[4]).toMatchObject({ errorReason: 'timeout after request was written' });
    expect(all[0]).toMatchObject({
      phone: '0151 1000001',
      e164: '+491511000001',
      wamid: 'wamid.1',
    });
  });

  it('takes webhooks in any order and any number of times without regressing', async () => {
    const id = randomUUID();
    await store.apply([started(id), rows(id, 1, 4), completed(id, 4, 4)]);
    // Webhooks before the dispatcher's results, reordered, duplicated, in one POST and across POSTs.
    await store.apply([
      facts(
        hook(id, 1, 'read', 'wamid.1'),
        hook(id, 1, 'delivered', 'wamid.1'),
        hook(id, 1, 'sent', 'wamid.1'),
        hook(id, 2, 'delivered', 'wamid.2'),
        hook(id, 2, 'delivered', 'wamid.2'),
        hook(id, 3, 'sent', 'wamid.3'),
      ),
    ]);
    await store.apply([
      facts(
        result(id, 1, 'accepted', { wamid: 'wamid.1' }),
        result(id, 2, 'accepted', { wamid: 'wamid.2' }),
        result(id, 3, 'accepted', { wamid: 'wamid.3' }),
        result(id, 4, 'accepted', { wamid: 'wamid.4' }),
      ),
    ]);
    // a failure after delivery is recorded but does not regress; a failed after sent is terminal
    await store.apply([
      facts(
        hook(id, 2, 'failed', 'wamid.2', {
          errorCode: '131047',
          errorTitle: 'Re-engagement message',
          errorReason: 'Re-engagement message',
        }),
        hook(id, 3, 'failed', 'wamid.3', {
          errorCode: '131026',
          errorTitle: 'Message undeliverable',
          errorReason: 'Message undeliverable',
        }),
        hook(id, 3, 'sent', 'wamid.3'),
        // a status for another message of the same row (not ours any more): ignored
        hook(id, 4, 'read', 'wamid.other'),
      ),
    ]);
    const byRow = new Map(
      (await store.recipients(tenant, id, { limit: 10 })).map((r) => [r.rowNumber, r]),
    );
    expect(byRow.get(1)?.state).toBe('read');
    expect(byRow.get(2)).toMatchObject({ state: 'delivered', errorCode: '131047' });
    expect(byRow.get(3)).toMatchObject({ state: 'failed', errorCode: '131026', wamid: 'wamid.3' });
    expect(byRow.get(4)?.state).toBe('accepted');
    await expectCountersMatchRows(id);
    expect(await store.reasons(tenant, id)).toEqual([
      { state: 'failed', code: '131026', title: 'Message undeliverable', count: 1 },
    ]);
    // multi-device: a delivery receipt after the failure wins, and the reason count follows
    await store.apply([facts(hook(id, 3, 'delivered', 'wamid.3'))]);
    expect(await store.reasons(tenant, id)).toEqual([]);
    await expectCountersMatchRows(id);
    expect((await store.get(tenant, id))?.state).toBe('completed');
  });

  it('correlates by wamid when the callback data is missing, and reconciles unknown outcomes', async () => {
    const id = randomUUID();
    await store.apply([started(id), rows(id, 1, 2), completed(id, 2, 2)]);
    await store.apply([
      facts(
        result(id, 1, 'accepted', { wamid: `wamid.${id}.1` }),
        result(id, 2, 'unknown', { errorReason: 'timeout' }),
      ),
    ]);
    const outcome = await store.apply([
      facts(
        { wamid: `wamid.${id}.1`, state: 'delivered', source: 'webhook' },
        hook(id, 2, 'sent', `wamid.${id}.2`),
        { wamid: `wamid.${randomUUID()}`, state: 'read', source: 'webhook' },
      ),
    ]);
    expect(outcome).toMatchObject({ matched: 2, unmatched: 1 });
    const list = await store.recipients(tenant, id, { limit: 10 });
    expect(list[0]?.state).toBe('delivered');
    expect(list[1]).toMatchObject({ state: 'sent', wamid: `wamid.${id}.2` });
    expect(list[1]).not.toHaveProperty('errorReason');
    await expectCountersMatchRows(id);
  });

  it('keeps results that overtake their rows, and fills the rows in later', async () => {
    const id = randomUUID();
    await store.apply([facts(result(id, 2, 'accepted', { wamid: 'wamid.early' }))]);
    await store.apply([started(id), rows(id, 1, 2), completed(id, 2, 2)]);
    const list = await store.recipients(tenant, id, { limit: 10 });
    expect(list.map((r) => [r.rowNumber, r.state, r.phone])).toEqual([
      [1, 'pending', '0151 1000001'],
      [2, 'accepted', '0151 1000002'],
    ]);
    expect((await store.get(tenant, id))?.state).toBe('sending');
    await expectCountersMatchRows(id);
  });

  it('moves an opted-out recipient from pending to skipped', async () => {
    const id = randomUUID();
    await store.apply([started(id), rows(id, 1, 2), completed(id, 2, 2)]);
    await store.apply([
      facts({
        tenantId: tenant,
        broadcastId: id,
        rowNumber: 2,
        state: 'skipped',
        source: 'split',
        errorCode: 'opted-out',
        errorReason: 'opted out',
      }),
      facts(result(id, 1, 'accepted', { wamid: 'w1' })),
    ]);
    const record = await store.get(tenant, id);
    expect(record).toMatchObject({ state: 'completed' });
    expect(record?.counts).toEqual({ ...emptyCounts(), accepted: 1, skipped: 1 });
  });

  it('records a failed split with its reason', async () => {
    const id = randomUUID();
    await store.apply([
      started(id),
      {
        kind: 'split-failed',
        tenantId: tenant,
        broadcastId: id,
        reason: 'missing-column',
        message: 'The CSV header has no column "order_id"',
        at: new Date(),
      },
    ]);
    expect(await store.get(tenant, id)).toMatchObject({
      state: 'failed',
      failureReason: 'missing-column',
      failureMessage: 'The CSV header has no column "order_id"',
    });
  });

  it('pages recipients by row number and state, and broadcasts newest first', async () => {
    const id = randomUUID();
    await store.apply([started(id), rows(id, 1, 25), completed(id, 25, 25)]);
    await store.apply([
      facts(
        ...Array.from({ length: 10 }, (_, i) =>
          result(id, i * 2 + 1, 'accepted', { wamid: `w${i}` }),
        ),
      ),
    ]);
    const first = await store.recipients(tenant, id, { limit: 10 });
    const second = await store.recipients(tenant, id, { limit: 10, afterRowNumber: 10 });
    expect(first.map((r) => r.rowNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(second[0]?.rowNumber).toBe(11);
    const accepted = await store.recipients(tenant, id, {
      state: 'accepted',
      limit: 4,
      afterRowNumber: 3,
    });
    expect(accepted.map((r) => r.rowNumber)).toEqual([5, 7, 9, 11]);

    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const other = `b${i}-${randomUUID().slice(0, 8)}`;
      ids.push(other);
      await store.apply([started(other)]);
    }
    const page1 = await store.list(tenant, { limit: 3 });
    expect(page1.nextCursor).toBeDefined();
    const page2 = await store.list(tenant, { limit: 3, after: page1.nextCursor! });
    const listed = [...page1.items, ...page2.items].map((b) => b.id);
    expect(listed).toHaveLength(6);
    expect(new Set(listed)).toEqual(new Set([...ids, id]));
    expect(page2.nextCursor).toBeUndefined();
    await expect(store.list(tenant, { limit: 3, after: 'garbage' })).rejects.toThrow(/cursor/);
  });

  it('measures the rate from recent terminal transitions', async () => {
    const id = randomUUID();
    await store.apply([started(id), rows(id, 1, 10)]);
    expect((await store.rateSample(tenant, id, 60)).terminalInWindow).toBe(0);
    await store.apply([
      facts(
        ...Array.from({ length: 4 }, (_, i) => result(id, i + 1, 'accepted', { wamid: `w${i}` })),
      ),
    ]);
    // further transitions of the same recipients do not count twice
    await store.apply([facts(hook(id, 1, 'delivered', 'w0'))]);
    const sample = await store.rateSample(tenant, id, 60);
    expect(sample.terminalInWindow).toBe(4);
    expect(sample.oldestInWindow).toBeInstanceOf(Date);
  });

  it('keeps the counters exact under concurrent batches on the same broadcast', async () => {
    const id = randomUUID();
    const size = 400;
    await store.apply([started(id), rows(id, 1, size), completed(id, size, size)]);
    const writers = Array.from({ length: 8 }, (_, w) =>
      (async () => {
        for (let round = 0; round < 5; round += 1) {
          const batch: RecipientFact[] = [];
          for (let i = 0; i < 40; i += 1) {
            const row = ((w * 53 + round * 97 + i * 7) % size) + 1;
            const kind = (w + i) % 3;
            batch.push(
              kind === 0
                ? result(id, row, 'accepted', { wamid: `w-${row}` })
                : hook(id, row, kind === 1 ? 'delivered' : 'read', `w-${row}`),
            );
          }
          await store.apply([facts(...batch)]);
        }
      })(),
    );
    await Promise.all(writers);
    await expectCountersMatchRows(id);
  });
});
