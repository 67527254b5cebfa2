import { randomUUID } from 'node:crypto';
import { PostgresBroadcastStore } from '../src/adapters/postgres-broadcast-store.adapter.js';
import { PostgresScheduleStore } from '../src/adapters/postgres-schedule-store.adapter.js';
import type { SqlDatabase } from '../src/adapters/sql-database.js';
import { ENGINES } from './support.js';

/**
 * broadcast_schedules on the real engines: a draft is scheduled, due rows are claimed by exactly one
 * of several concurrent claimers (PostgreSQL: separate pool connections, truly concurrent), a lease
 * that runs out is claimed again, and unscheduling races the claim with one winner.
 */

describe.each(ENGINES)('ScheduleStore on %s', (_engine, open) => {
  let db: SqlDatabase;
  let broadcasts: PostgresBroadcastStore;
  let schedules: PostgresScheduleStore;
  let tenant: string;

  beforeAll(async () => {
    db = await open();
    broadcasts = new PostgresBroadcastStore(db);
    schedules = new PostgresScheduleStore(db);
  });
  afterAll(async () => {
    await broadcasts.close();
  });
  beforeEach(() => {
    tenant = `t-${randomUUID().slice(0, 8)}`;
  });

  async function draft(): Promise<string> {
    const id = randomUUID();
    await broadcasts.registerDraft({
      tenantId: tenant,
      id,
      phoneNumberId: '106540352242922',
      template: { name: 'order_update', language: 'en_US' },
      mapping: { phoneColumn: 'phone' },
      object: { bucket: 'broadcasts', key: `uploads/${tenant}/${id}.csv` },
    });
    return id;
  }
  /** Claims of this test's tenant only (the PostgreSQL database is shared with other tests). */
  const ours = <T extends { tenantId: string }>(items: T[]) =>
    items.filter((item) => item.tenantId === tenant);

  it('lets exactly one of two concurrent claimers win a due schedule', async () => {
    const ids = [await draft(), await draft(), await draft()];
    for (const id of ids) {
      const result = await schedules.schedule(tenant, id, new Date(Date.now() - 1000));
      expect(result.kind).toBe('scheduled');
    }
    for (let round = 0; round < 3; round += 1) {
      const [a, b] = await Promise.all([
        schedules.claimDue(100, 60, `claimer-a-${round}`),
        schedules.claimDue(100, 60, `claimer-b-${round}`),
      ]);
      const won = [...ours(a), ...ours(b)].map((c) => c.broadcastId);
      // every due row went to exactly one claimer; later rounds find nothing (lease running)
      expect(won.sort()).toEqual(round === 0 ? [...ids].sort() : []);
    }
    expect((await schedules.get(tenant, ids[0]!))?.status).toBe('claimed');
  });

  it('does not claim before the time, and reclaims a claim whose lease ran out', async () => {
    const id = await draft();
    await schedules.schedule(tenant, id, new Date(Date.now() + 60_000));
    expect(ours(await schedules.claimDue(100, 60, 'early-claimer'))).toEqual([]);
    await db.query(
      `UPDATE broadcast_schedules SET start_at = now() - interval '1 second' WHERE tenant_id = $1`,
      [tenant],
    );
    const [first] = ours(await schedules.claimDue(100, 1, 'dying-claimer'));
    expect(first).toMatchObject({ broadcastId: id, attempts: 1 });
    // the first claimer dies; its lease (1 s) runs out
    await db.query(
      `UPDATE broadcast_schedules SET claimed_until = now() - interval '1 second' WHERE tenant_id = $1`,
      [tenant],
    );
    const [second] = ours(await schedules.claimDue(100, 60, 'next-claimer'));
    expect(second).toMatchObject({ broadcastId: id, attempts: 2 });
    // the dead claimer's late finish is refused; the live one's is taken
    expect(await schedules.finish(tenant, id, 'dying-claimer', { status: 'started' })).toBe(false);
    expect(await schedules.finish(tenant, id, 'next-claimer', { status: 'started' })).toBe(true);
    expect((await schedules.get(tenant, id))?.status).toBe('started');
  });

  it('unschedules or cancels before the claim, never while a claimer starts it', async () => {
    const id = await draft();
    await schedules.schedule(tenant, id, new Date(Date.now() + 60_000));
    expect((await schedules.unschedule(tenant, id, false)).kind).toBe('unscheduled');
    expect((await schedules.unschedule(tenant, id, false)).kind).toBe('not-scheduled');
    // rescheduled, then due and claimed: too late to cancel
    await schedules.schedule(tenant, id, new Date(Date.now() - 1000));
    expect(ours(await schedules.claimDue(100, 60, 'claimer'))).toHaveLength(1);
    expect((await schedules.unschedule(tenant, id, true)).kind).toBe('starting');
    expect((await schedules.schedule(tenant, id, new Date())).kind).toBe('starting');
    // a refused start is recorded, and the draft can be scheduled again
    expect(
      await schedules.finish(tenant, id, 'claimer', {
        status: 'failed',
        failureCode: 'template-not-approved',
        failureMessage: 'template "order_update" is PAUSED',
      }),
    ).toBe(true);
    expect(await schedules.get(tenant, id)).toMatchObject({
      status: 'failed',
      failureCode: 'template-not-approved',
    });
    const again = await draft();
    await schedules.schedule(tenant, again, new Date(Date.now() + 60_000));
    expect((await schedules.unschedule(tenant, again, true)).kind).toBe('cancelled');
    // cancelled is final: not rescheduled, never claimed
    expect(await schedules.schedule(tenant, again, new Date(Date.now() - 1000))).toEqual({
      kind: 'not-draft',
      state: 'cancelled',
    });
    await db.query(
      `UPDATE broadcast_schedules SET start_at = now() - interval '1 second' WHERE tenant_id = $1`,
      [tenant],
    );
    expect(ours(await schedules.claimDue(100, 60, 'late'))).toEqual([]);
  });

  it('schedules drafts of the tenant only', async () => {
    const id = await draft();
    expect(await schedules.schedule('another-tenant', id, new Date())).toEqual({
      kind: 'not-found',
    });
    await broadcasts.apply([
      {
        kind: 'broadcast-started',
        tenantId: tenant,
        broadcastId: id,
        at: new Date(),
        source: 'object',
      },
    ]);
    expect(await schedules.schedule(tenant, id, new Date())).toEqual({
      kind: 'not-draft',
      state: 'splitting',
    });
  });
});
