import { randomUUID } from 'node:crypto';
import { PostgresBroadcastStore } from '../src/adapters/postgres-broadcast-store.adapter.js';
import { PostgresSuppressionStore } from '../src/adapters/postgres-suppression-store.adapter.js';
import type { SqlDatabase } from '../src/adapters/sql-database.js';
import type { OptOutEvent } from '../src/domain/opt-out.js';
import { ENGINES, TEMPLATE } from './support.js';

/** The suppression list on the real engines: attribution by business number, idempotence, paging. */

describe.each(ENGINES)('SuppressionStore on %s', (_engine, open) => {
  let db: SqlDatabase;
  let store: PostgresSuppressionStore;
  let broadcasts: PostgresBroadcastStore;
  let tenant: string;
  let other: string;
  let sender: string;

  const event = (
    action: 'stop' | 'resume',
    phone: string,
    reason: OptOutEvent['reason'] = 'stop-reply',
    second = 0,
  ): OptOutEvent => ({
    action,
    reason,
    phone,
    phoneNumberId: sender,
    detail: `${action} by test`,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, second)),
  });

  const registerSender = (tenantId: string, phoneNumberId: string) =>
    broadcasts.registerDraft({
      tenantId,
      id: `b-${randomUUID().slice(0, 8)}`,
      phoneNumberId,
      template: TEMPLATE,
      mapping: {},
      object: { bucket: 'broadcasts', key: 'k' },
    });

  beforeAll(async () => {
    db = await open();
    store = new PostgresSuppressionStore(db);
    broadcasts = new PostgresBroadcastStore(db);
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    const run = randomUUID().slice(0, 8);
    tenant = `t-${run}`;
    other = `o-${run}`;
    sender = `pn-${run}`;
    await registerSender(tenant, sender);
  });

  it('attributes a STOP to the tenants that send from the business number, once', async () => {
    await registerSender(other, `pn-other-${sender}`);
    expect(await store.recordOptOuts([event('stop', '+4915100000001')])).toEqual({
      added: 1,
      removed: 0,
      unattributed: 0,
    });
    // Re-delivered webhook, then Meta's user_preferences stop: the first reason stays.
    expect(
      await store.recordOptOuts([
        event('stop', '+4915100000001'),
        event('stop', '+4915100000001', 'user-preferences'),
      ]),
    ).toMatchObject({ added: 0 });
    expect(await store.get(tenant, '+4915100000001')).toMatchObject({
      phone: '+4915100000001',
      reason: 'stop-reply',
      detail: 'stop by test',
      phoneNumberId: sender,
    });
    expect(await store.get(other, '+4915100000001')).toBeUndefined();
  });

  it('ignores an opt-out for a business number no tenant uses', async () => {
    const stray = { ...event('stop', '+4915100000002'), phoneNumberId: `nobody-${sender}` };
    expect(await store.recordOptOuts([stray])).toEqual({ added: 0, removed: 0, unattributed: 1 });
  });

  it('records it for every tenant sharing a business number', async () => {
    await registerSender(other, sender);
    expect(await store.recordOptOuts([event('stop', '+4915100000003')])).toMatchObject({
      added: 2,
    });
    expect(await store.check(other, ['+4915100000003'])).toEqual([
      { phone: '+4915100000003', reason: 'stop-reply' },
    ]);
  });

  it('resume lifts user opt-outs, never an operator entry, never a newer stop', async () => {
    await store.recordOptOuts([
      event('stop', '+4915100000010', 'stop-reply', 1),
      event('stop', '+4915100000011', 'user-preferences', 1),
      event('stop', '+4915100000013', 'stop-reply', 30),
    ]);
    await store.add(tenant, '+4915100000012', 'asked by phone');
    // A START reply lifts only a STOP reply.
    await store.recordOptOuts([
      event('resume', '+4915100000010', 'stop-reply', 2),
      event('resume', '+4915100000011', 'stop-reply', 2),
      event('resume', '+4915100000013', 'stop-reply', 2),
    ]);
    expect((await store.get(tenant, '+4915100000010')) === undefined).toBe(true);
    expect(await store.get(tenant, '+4915100000011')).toMatchObject({ reason: 'user-preferences' });
    expect(await store.get(tenant, '+4915100000013')).toMatchObject({ reason: 'stop-reply' });
    // Meta's resume lifts user-preferences and stop replies, not the operator's entry.
    const result = await store.recordOptOuts([
      event('resume', '+4915100000011', 'user-preferences', 3),
      event('resume', '+4915100000012', 'user-preferences', 3),
    ]);
    expect(result.removed).toBe(1);
    expect(await store.get(tenant, '+4915100000011')).toBeUndefined();
    expect(await store.get(tenant, '+4915100000012')).toMatchObject({ reason: 'api' });
  });

  it('adds idempotently through the API, removes, and is tenant-scoped', async () => {
    const first = await store.add(tenant, '+4915100000020', 'complaint');
    expect(first).toMatchObject({ created: true, record: { reason: 'api', detail: 'complaint' } });
    const again = await store.add(tenant, '+4915100000020');
    expect(again.created).toBe(false);
    expect(again.record.detail).toBe('complaint');
    expect(await store.check(other, ['+4915100000020'])).toEqual([]);
    expect(await store.remove(other, '+4915100000020')).toBe(false);
    expect(await store.remove(tenant, '+4915100000020')).toBe(true);
    expect(await store.remove(tenant, '+4915100000020')).toBe(false);
    expect(await store.check(tenant, ['+4915100000020'])).toEqual([]);
  });

  it('pages in phone order and checks many numbers at once', async () => {
    const phones = Array.from({ length: 25 }, (_, i) => `+49151100${String(i).padStart(5, '0')}`);
    for (const phone of [...phones].reverse()) await store.add(tenant, phone);
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.list(tenant, { limit: 10, ...(after ? { afterPhone: after } : {}) });
      seen.push(...page.map((record) => record.phone));
      if (page.length < 10) break;
      after = page[page.length - 1]!.phone;
    }
    expect(seen).toEqual(phones);
    const asked = [...phones.slice(0, 3), '+4915199999999'];
    const found = await store.check(tenant, asked);
    expect(found.map((row) => row.phone).sort()).toEqual(phones.slice(0, 3));
    expect(found.every((row) => row.reason === 'api')).toBe(true);
  });
});
