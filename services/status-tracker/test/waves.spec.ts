import { randomUUID } from 'node:crypto';
import { PostgresBroadcastStore } from '../src/adapters/postgres-broadcast-store.adapter.js';
import type { SqlDatabase } from '../src/adapters/sql-database.js';
import type { RecipientState } from '../src/domain/recipient-state.js';
import {
  DEFAULT_RESEND_CODES,
  OPT_IN_RESEND_CODES,
  resendFilter,
  ResendFilterError,
} from '../src/domain/resend-eligibility.js';
import type {
  RecipientFact,
  TrackerCommand,
  WaveOutcome,
  WaveRecord,
} from '../src/ports/broadcast-store.port.js';
import { ENGINES } from './support.js';

/**
 * Resend waves against the real engines: which rows a wave selects (every error class, unknowns past
 * the window only, never a row Meta took in any wave), when a wave may be created (409/422 cases),
 * and UNKNOWN_POLICY=resend's at-most-once.
 */
const template = { name: 'order_update', language: 'en_US' };
const object = { bucket: 'broadcasts', key: 'acme/list.csv' };

describe('resend filter', () => {
  it('defaults to failed + unknown and the default codes, refuses never-resent codes', () => {
    expect(resendFilter({})).toMatchObject({
      states: ['failed', 'unknown'],
      codes: DEFAULT_RESEND_CODES,
    });
    expect(resendFilter({ errorCodes: [131026, '131000'] }).codes).toEqual(['131026', '131000']);
    for (const never of ['131008', '132000', '132001', '131050', '190', '900100', '131047']) {
      expect(() => resendFilter({ errorCodes: [never] })).toThrow(ResendFilterError);
    }
    expect(() => resendFilter({ states: ['delivered'] })).toThrow(ResendFilterError);
    expect(() => resendFilter({ states: [] })).toThrow(ResendFilterError);
  });
});

describe.each(ENGINES)('waves on %s', (_engine, open) => {
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

  const fact = (
    broadcastId: string,
    rowNumber: number,
    state: RecipientState,
    extra: Partial<RecipientFact> = {},
  ): RecipientFact => ({
    tenantId: tenant,
    broadcastId,
    rowNumber,
    state,
    source: state === 'skipped' ? 'split' : 'send-result',
    ...extra,
  });
  const failed = (id: string, row: number, code: string) =>
    fact(id, row, 'failed', { errorCode: code, errorReason: `error ${code}` });

  /** A broadcast with rows 1..n split, then the given facts applied. */
  async function broadcast(
    id: string,
    n: number,
    facts: RecipientFact[],
    extra: Partial<Extract<TrackerCommand, { kind: 'broadcast-started' }>> = {},
  ): Promise<void> {
    await store.apply([
      {
        kind: 'broadcast-started',
        tenantId: tenant,
        broadcastId: id,
        at: new Date(),
        source: 'object',
        phoneNumberId: '106540352242922',
        template,
        mapping: { phoneColumn: 'phone' },
        object,
        ...extra,
      },
      {
        kind: 'recipients',
        tenantId: tenant,
        broadcastId: id,
        rows: Array.from({ length: n }, (_, i) => ({
          rowNumber: i + 1,
          phone: `+4915100000${String(i + 1).padStart(2, '0')}`,
          e164: `+4915100000${String(i + 1).padStart(2, '0')}`,
        })),
      },
      { kind: 'facts', facts },
      {
        kind: 'split-completed',
        tenantId: tenant,
        broadcastId: id,
        totalRows: n,
        recipients: n,
        skipped: 0,
        at: new Date(),
      },
    ]);
  }

  const create = (broadcastId: string, request: Parameters<typeof resendFilter>[0] = {}) =>
    store.createWave({
      tenantId: tenant,
      broadcastId,
      newId: randomUUID(),
      filter: resendFilter(request),
      origin: 'operator',
    });

  function createdWave(outcome: WaveOutcome): WaveRecord {
    if (outcome.kind !== 'created') throw new Error(`expected a wave, got ${outcome.kind}`);
    return outcome.wave;
  }

  /** Records the split of a wave (its selected rows) and the outcomes. */
  async function runWave(wave: WaveRecord, outcomes: RecipientFact[]): Promise<void> {
    const rows = (await store.waveRows(tenant, wave.id, { limit: 1000 })) ?? [];
    await broadcast(wave.id, 0, [], { parentBroadcastId: wave.parentBroadcastId });
    await store.apply([
      {
        kind: 'recipients',
        tenantId: tenant,
        broadcastId: wave.id,
        rows: rows.map((r) => ({ rowNumber: r, phone: `+49${r}`, e164: `+49${r}` })),
      },
      { kind: 'facts', facts: outcomes },
      {
        kind: 'split-completed',
        tenantId: tenant,
        broadcastId: wave.id,
        totalRows: rows.length,
        recipients: rows.length,
        skipped: 0,
        at: new Date(),
      },
    ]);
  }

  it('selects failed rows of every resendable class and reported unknowns, nothing else', async () => {
    const id = randomUUID();
    const facts: RecipientFact[] = [];
    let row = 0;
    const expected: number[] = [];
    for (const code of DEFAULT_RESEND_CODES) {
      facts.push(failed(id, ++row, code));
      expected.push(row);
    }
    const optIn: number[] = [];
    for (const code of OPT_IN_RESEND_CODES) {
      facts.push(failed(id, ++row, code));
      optIn.push(row);
    }
    for (const code of [
      '131008',
      '132000',
      '132001',
      '131050',
      '130472',
      '190',
      '131048',
      '900100',
    ]) {
      facts.push(failed(id, ++row, code)); // permanent, opt-out, account, ours: never
    }
    facts.push(fact(id, ++row, 'accepted', { wamid: `wamid.${row}` }));
    facts.push(fact(id, ++row, 'delivered', { wamid: `wamid.${row}`, source: 'webhook' }));
    facts.push(fact(id, ++row, 'read', { wamid: `wamid.${row}`, source: 'webhook' }));
    facts.push(fact(id, ++row, 'skipped', { errorCode: 'duplicate' }));
    facts.push(fact(id, ++row, 'skipped', { errorCode: 'opted-out' }));
    // failed after delivery (multi-device): delivered wins, never resent
    facts.push(fact(id, ++row, 'delivered', { wamid: `wamid.${row}`, source: 'webhook' }));
    facts.push(
      fact(id, row, 'failed', { source: 'webhook', errorCode: '131000', wamid: `wamid.${row}` }),
    );
    const reportedUnknown = ++row;
    facts.push(fact(id, reportedUnknown, 'unknown', { errorReason: 'timeout' }));
    const freshUnknown = ++row;
    facts.push(fact(id, freshUnknown, 'unknown', { errorReason: 'timeout' }));
    await broadcast(id, row, facts);
    await db.query(
      `UPDATE recipients SET updated_at = now() - interval '1 hour' WHERE tenant_id = $1 AND broadcast_id = $2 AND row_number = $3`,
      [tenant, id, reportedUnknown],
    );
    await store.reportStaleUnknown(600);

    // only the failed ones, only two codes
    const narrow = createdWave(
      await create(id, { states: ['failed'], errorCodes: ['131000', '131026'] }),
    );
    expect(await store.waveRows(tenant, narrow.id, { limit: 100 })).toEqual([
      expected[DEFAULT_RESEND_CODES.indexOf('131000')],
      optIn[OPT_IN_RESEND_CODES.indexOf('131026')],
    ]);
    expect(narrow).toMatchObject({
      number: 2,
      parentBroadcastId: id,
      selected: 2,
      object,
      template,
    });
    await runWave(narrow, [
      fact(narrow.id, expected[DEFAULT_RESEND_CODES.indexOf('131000')]!, 'accepted', {
        wamid: 'w.a',
      }),
      failed(narrow.id, optIn[OPT_IN_RESEND_CODES.indexOf('131026')]!, '131026'),
    ]);

    // the default: every default code (but 131000, accepted in wave 2) and the reported unknown
    const wave3 = createdWave(await create(id));
    expect(wave3.number).toBe(3);
    expect(await store.waveRows(tenant, wave3.id, { limit: 100 })).toEqual(
      [
        ...expected.filter((r) => r !== expected[DEFAULT_RESEND_CODES.indexOf('131000')]),
        reportedUnknown,
      ].sort((a, b) => a - b),
    );
    // paging by row number
    const first = await store.waveRows(tenant, wave3.id, { limit: 2 });
    expect(
      await store.waveRows(tenant, wave3.id, { afterRowNumber: first![1]!, limit: 100 }),
    ).toEqual((await store.waveRows(tenant, wave3.id, { limit: 100 }))!.slice(2));
    expect(await store.waveRows('someone-else', wave3.id, { limit: 10 })).toBeUndefined();
  });

  it('refuses while running, returns an unstarted wave again, never resends a row taken in any wave', async () => {
    const id = randomUUID();
    await store.apply([
      {
        kind: 'broadcast-started',
        tenantId: tenant,
        broadcastId: id,
        at: new Date(),
        source: 'object',
        phoneNumberId: '106540352242922',
        template,
        mapping: {},
        object,
      },
      {
        kind: 'recipients',
        tenantId: tenant,
        broadcastId: id,
        rows: [1, 2, 3].map((r) => ({ rowNumber: r, phone: `+49${r}`, e164: `+49${r}` })),
      },
      { kind: 'facts', facts: [failed(id, 1, '131000')] },
    ]);
    expect(await create(id)).toMatchObject({ kind: 'running', broadcastId: id });
    await store.apply([
      { kind: 'facts', facts: [failed(id, 2, '131016'), failed(id, 3, '130429')] },
      {
        kind: 'split-completed',
        tenantId: tenant,
        broadcastId: id,
        totalRows: 3,
        recipients: 3,
        skipped: 0,
        at: new Date(),
      },
    ]);
    const wave2 = createdWave(await create(id));
    expect(wave2.selected).toBe(3);
    // not started yet: the same wave again, also when asked through the wave's own id
    expect(await create(id)).toMatchObject({ kind: 'not-yet-started', wave: { id: wave2.id } });
    expect(await create(wave2.id)).toMatchObject({
      kind: 'not-yet-started',
      wave: { id: wave2.id },
    });
    await broadcast(wave2.id, 0, [], { parentBroadcastId: id });
    await store.apply([
      {
        kind: 'recipients',
        tenantId: tenant,
        broadcastId: wave2.id,
        rows: [1, 2, 3].map((r) => ({ rowNumber: r, phone: `+49${r}`, e164: `+49${r}` })),
      },
      { kind: 'facts', facts: [fact(wave2.id, 1, 'accepted', { wamid: 'w1' })] },
    ]);
    expect(await create(id)).toMatchObject({ kind: 'running', broadcastId: wave2.id });
    await store.apply([
      {
        kind: 'facts',
        facts: [
          failed(wave2.id, 2, '131016'),
          fact(wave2.id, 3, 'delivered', { wamid: 'w3', source: 'webhook' }),
        ],
      },
      {
        kind: 'split-completed',
        tenantId: tenant,
        broadcastId: wave2.id,
        totalRows: 3,
        recipients: 3,
        skipped: 0,
        at: new Date(),
      },
    ]);
    // row 1 of wave 2 was delivered; a late failure webhook does not make it eligible again
    await store.apply([
      {
        kind: 'facts',
        facts: [
          fact(wave2.id, 1, 'delivered', { source: 'webhook', wamid: 'w1' }),
          fact(wave2.id, 1, 'failed', { source: 'webhook', errorCode: '131000', wamid: 'w1' }),
        ],
      },
    ]);
    const wave3 = createdWave(await create(wave2.id));
    expect(wave3).toMatchObject({ number: 3, parentBroadcastId: id, selected: 1 });
    expect(await store.waveRows(tenant, wave3.id, { limit: 10 })).toEqual([2]);
    await runWave(wave3, [fact(wave3.id, 2, 'accepted', { wamid: 'w2' })]);
    expect(await create(id)).toEqual({ kind: 'nothing-eligible' });

    const waves = await store.waves(tenant, id);
    expect(waves.map((w) => [w.waveNumber, w.waveSelected, w.parentBroadcastId])).toEqual([
      [2, 3, id],
      [3, 1, id],
    ]);
    expect(
      await store.createWave({
        tenantId: 'other',
        broadcastId: id,
        newId: randomUUID(),
        filter: resendFilter({}),
        origin: 'operator',
      }),
    ).toEqual({ kind: 'not-found' });
  });

  it('UNKNOWN_POLICY=resend: waits until every unknown of the broadcast is past the window, then one wave', async () => {
    const id = randomUUID();
    await broadcast(id, 3, [
      fact(id, 1, 'unknown', { errorReason: 'timeout' }),
      fact(id, 2, 'unknown', { errorReason: 'timeout' }),
      fact(id, 3, 'accepted', { wamid: 'wa' }),
    ]);
    // row 1 timed out long ago, row 2 just now: its webhook may still come
    await db.query(
      `UPDATE recipients SET updated_at = now() - interval '1 hour' WHERE tenant_id = $1 AND broadcast_id = $2 AND row_number = 1`,
      [tenant, id],
    );
    await store.reportStaleUnknown(600);
    const mine = async () =>
      (await store.familiesWithStaleUnknown(10000, 86_400)).filter((f) => f.tenantId === tenant);
    expect(await mine()).toEqual([]);
    await db.query(
      `UPDATE recipients SET updated_at = now() - interval '1 hour' WHERE tenant_id = $1 AND broadcast_id = $2`,
      [tenant, id],
    );
    await store.reportStaleUnknown(600);
    // Older than the policy's age limit (UNKNOWN_RESEND_MAX_AGE_SECONDS): never resent.
    expect(
      (await store.familiesWithStaleUnknown(10000, 1800)).filter((f) => f.tenantId === tenant),
    ).toEqual([]);
    expect(await mine()).toEqual([{ tenantId: tenant, broadcastId: id }]);
    const wave = createdWave(
      await store.createWave({
        tenantId: tenant,
        broadcastId: id,
        newId: randomUUID(),
        filter: resendFilter({ states: ['unknown'] }),
        origin: 'unknown-policy',
        unknownAtMostOnce: true,
      }),
    );
    expect(await store.waveRows(tenant, wave.id, { limit: 10 })).toEqual([1, 2]);
  });

  it('UNKNOWN_POLICY=resend: finds families with reported unknowns and resends each once', async () => {
    const id = randomUUID();
    await broadcast(id, 3, [
      fact(id, 1, 'unknown', { errorReason: 'timeout' }),
      fact(id, 2, 'accepted', { wamid: 'wa' }),
      fact(id, 3, 'unknown', { errorReason: 'timeout' }),
    ]);
    // row 3's webhook came: reconciled, not unknown anymore
    await store.apply([
      { kind: 'facts', facts: [fact(id, 3, 'delivered', { source: 'webhook', wamid: 'wc' })] },
    ]);
    await db.query(
      `UPDATE recipients SET updated_at = now() - interval '1 hour' WHERE tenant_id = $1 AND broadcast_id = $2`,
      [tenant, id],
    );
    await store.reportStaleUnknown(600);
    const mine = async () =>
      (await store.familiesWithStaleUnknown(10000, 86_400)).filter((f) => f.tenantId === tenant);
    expect(await mine()).toEqual([{ tenantId: tenant, broadcastId: id }]);
    const auto = () =>
      store.createWave({
        tenantId: tenant,
        broadcastId: id,
        newId: randomUUID(),
        filter: resendFilter({ states: ['unknown'] }),
        origin: 'unknown-policy',
        unknownAtMostOnce: true,
      });
    const wave = createdWave(await auto());
    expect(await store.waveRows(tenant, wave.id, { limit: 10 })).toEqual([1]);
    expect(wave.origin).toBe('unknown-policy');
    expect(await mine()).toEqual([]);
    // unknown again in the wave, past the window: never resent automatically a second time
    await runWave(wave, [fact(wave.id, 1, 'unknown', { errorReason: 'timeout' })]);
    await db.query(
      `UPDATE recipients SET updated_at = now() - interval '1 hour' WHERE tenant_id = $1 AND broadcast_id = $2`,
      [tenant, wave.id],
    );
    await store.reportStaleUnknown(600);
    expect(await mine()).toEqual([]);
    expect(await auto()).toEqual({ kind: 'nothing-eligible' });
  });
});
