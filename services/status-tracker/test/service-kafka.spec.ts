import { randomUUID } from 'node:crypto';
import {
  AUTH,
  createTestTopics,
  PHONE_NUMBER_ID,
  randomPrefix,
  recipientRows,
  startTracker,
  TEMPLATE,
  testPublisher,
  waitFor,
  type BroadcastsPage,
  type RecipientsPage,
  type RunningTracker,
} from './support.js';

/**
 * The service as a process, on the real broker and the real PostgreSQL: events published on a random
 * topic prefix, assertions through the internal HTTP API.
 */
describe('status-tracker with Kafka and PostgreSQL', () => {
  const prefix = randomPrefix();
  const tenant = `acme-${randomUUID().slice(0, 8)}`;
  let tracker: RunningTracker;
  let kafka: Awaited<ReturnType<typeof testPublisher>>;

  beforeAll(async () => {
    await createTestTopics(prefix);
    tracker = await startTracker({ prefix, database: 'postgres' });
    kafka = await testPublisher(prefix);
  }, 120_000);

  afterAll(async () => {
    await kafka?.close();
    if (tracker) {
      const exit = await tracker.stop();
      // a clean drain on SIGTERM: consumers stopped, database closed, exit code 0
      expect(exit).toEqual({ code: 0, signal: null });
    }
  });

  const progress = async (id: string, tenantId = tenant) =>
    (await tracker.get(`/internal/broadcasts/${id}`, tenantId)).body;

  it('follows a broadcast from draft to computed completion, with counts, paging and the report', async () => {
    const id = randomUUID();
    const draft = {
      tenantId: tenant,
      name: 'June shipping notice',
      phoneNumberId: PHONE_NUMBER_ID,
      template: TEMPLATE,
      mapping: {
        phoneColumn: 'phone',
        body: [
          { position: 1, column: 'name' },
          { position: 2, column: 'order' },
        ],
      },
      defaultCountry: 'DE',
      object: { bucket: 'broadcasts', key: `${tenant}/${id}.csv` },
    };
    const created = await tracker.put(`/internal/broadcasts/${id}`, draft, tenant);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id, tenantId: tenant, state: 'created', complete: false });
    expect((await tracker.put(`/internal/broadcasts/${id}`, draft, tenant)).status).toBe(200);

    await kafka.publish('uploaded', 'broadcast.uploaded', tenant, {
      broadcastId: id,
      object: { bucket: 'broadcasts', key: `${tenant}/${id}.csv` },
      phoneNumberId: PHONE_NUMBER_ID,
      template: TEMPLATE,
      mapping: draft.mapping,
      defaultCountry: 'DE',
    });
    await waitFor('state splitting', async () =>
      (await progress(id)).state === 'splitting' ? true : undefined,
    );
    expect((await progress(id)).startedAt).toEqual(expect.any(String));

    const rows = recipientRows(1, 6).filter((row) => row.rowNumber !== 4);
    await kafka.publish('rows', 'broadcast.split-started', tenant, {
      broadcastId: id,
      source: 'object',
      phoneNumberId: PHONE_NUMBER_ID,
      template: TEMPLATE,
    });
    await kafka.publish('rows', 'broadcast.rows', tenant, {
      broadcastId: id,
      chunkIndex: 0,
      phoneNumberId: PHONE_NUMBER_ID,
      template: TEMPLATE,
      rows,
    });
    await kafka.publish('rows', 'broadcast.row-skipped', tenant, {
      broadcastId: id,
      rowNumber: 4,
      phone: '12,"34"',
      reason: 'invalid-phone',
      message: 'Not a valid phone number for country DE',
      column: 'phone',
    });
    // a re-split re-publishes the same chunk: upserted, never counted twice
    await kafka.publish('rows', 'broadcast.rows', tenant, {
      broadcastId: id,
      chunkIndex: 0,
      phoneNumberId: PHONE_NUMBER_ID,
      template: TEMPLATE,
      rows,
    });
    await kafka.publish('rows', 'broadcast.split-completed', tenant, {
      broadcastId: id,
      totalRows: 6,
      recipients: 5,
      skipped: 1,
      chunks: 1,
    });
    await waitFor('split recorded', async () => {
      const body = await progress(id);
      return body.state === 'sending' ? body : undefined;
    });
    let body = await progress(id);
    expect(body).toMatchObject({
      state: 'sending',
      complete: false,
      totalRows: 6,
      recipients: 5,
      counts: { pending: 5, skipped: 1, accepted: 0, failed: 0 },
      skippedByReason: { 'invalid-phone': 1 },
    });

    const result = (rowNumber: number, outcome: Record<string, unknown>) =>
      kafka.publish('sendResults', 'message.send-result', tenant, {
        broadcastId: id,
        recipientId: `${id}:${rowNumber}`,
        rowNumber,
        phoneNumberId: PHONE_NUMBER_ID,
        outcome: outcome as never,
        attempts: 1,
        latencyMs: 250,
      });
    await result(1, { status: 'accepted', wamid: `wamid.${id}.1` });
    await result(2, { status: 'accepted', wamid: `wamid.${id}.2` });
    await result(3, {
      status: 'failed',
      error: { code: 131026, title: 'Message undeliverable', details: 'Message Undeliverable.' },
      category: 'permanent',
      retryable: false,
    });
    await result(5, { status: 'unknown', reason: 'timeout after request was written' });
    await result(1, { status: 'accepted', wamid: `wamid.${id}.1` }); // at-least-once duplicate
    // poison on the topic: dead-lettered, the consumer carries on
    await kafka.raw(
      'send-results',
      '{"type":"message.send-result","version":1,"payload":{}}',
      `${id}:6`,
    );
    await waitFor('results recorded', async () => {
      const current = await progress(id);
      return current.counts.pending === 1 ? current : undefined;
    });
    body = await progress(id);
    expect(body).toMatchObject({
      state: 'sending',
      complete: false,
      counts: { pending: 1, accepted: 2, failed: 1, unknown: 1, skipped: 1 },
      failedByReason: { '131026': { count: 1, title: 'Message undeliverable' } },
    });
    expect(body.ratePerSecond).toBeGreaterThan(0);
    expect(body.etaSeconds).toEqual(expect.any(Number));

    await result(6, { status: 'accepted', wamid: `wamid.${id}.6` });
    body = await waitFor('completion', async () => {
      const current = await progress(id);
      return current.complete ? current : undefined;
    });
    expect(body).toMatchObject({
      state: 'completed',
      complete: true,
      completedAt: expect.any(String) as unknown,
      counts: {
        pending: 0,
        accepted: 3,
        failed: 1,
        unknown: 1,
        skipped: 1,
        sent: 0,
        delivered: 0,
        read: 0,
      },
    });

    // recipients: keyset pages by row number, and a state filter
    const page1 = await tracker.get<RecipientsPage>(
      `/internal/broadcasts/${id}/recipients?limit=4`,
      tenant,
    );
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((r) => r.rowNumber)).toEqual([1, 2, 3, 4]);
    expect(page1.body.nextCursor).toBe('4');
    const page2 = await tracker.get<RecipientsPage>(
      `/internal/broadcasts/${id}/recipients?limit=4&after=4`,
      tenant,
    );
    expect(page2.body.items.map((r) => r.rowNumber)).toEqual([5, 6]);
    expect(page2.body.nextCursor).toBeUndefined();
    expect(page1.body.items[0]).toMatchObject({
      rowNumber: 1,
      phone: '0151 2000001',
      e164: '+491512000001',
      state: 'accepted',
      wamid: `wamid.${id}.1`,
      updatedAt: expect.any(String) as unknown,
    });
    expect(page1.body.items[2]).toMatchObject({
      state: 'failed',
      errorCode: '131026',
      errorReason: 'Message undeliverable: Message Undeliverable.',
    });
    const accepted = await tracker.get<RecipientsPage>(
      `/internal/broadcasts/${id}/recipients?state=accepted`,
      tenant,
    );
    expect(accepted.body.items.map((r) => r.rowNumber)).toEqual([1, 2, 6]);
    expect(
      (
        await tracker.get<RecipientsPage>(
          `/internal/broadcasts/${id}/recipients?state=bogus`,
          tenant,
        )
      ).status,
    ).toBe(400);

    const report = await fetch(`${tracker.url}/internal/broadcasts/${id}/report.csv`, {
      headers: { ...AUTH, 'x-tenant-id': tenant },
    });
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await report.text()).toBe(
      [
        'row_number,phone,normalised_phone,state,error_code,error_reason',
        '1,0151 2000001,+491512000001,accepted,,',
        '2,0151 2000002,+491512000002,accepted,,',
        '3,0151 2000003,+491512000003,failed,131026,Message undeliverable: Message Undeliverable.',
        '4,"12,""34""",,skipped,invalid-phone,Not a valid phone number for country DE',
        '5,0151 2000005,+491512000005,unknown,,timeout after request was written',
        '6,0151 2000006,+491512000006,accepted,,',
        '',
      ].join('\r\n'),
    );

    const list = await tracker.get<BroadcastsPage>('/internal/broadcasts?limit=10', tenant);
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id, name: 'June shipping notice', state: 'completed' }),
      ]),
    );
  });

  it('streams a report of thousands of rows in row order', async () => {
    const id = randomUUID();
    const total = 4500;
    await kafka.publish('rows', 'broadcast.split-started', tenant, {
      broadcastId: id,
      source: 'inline',
      phoneNumberId: PHONE_NUMBER_ID,
      template: TEMPLATE,
    });
    for (let from = 1; from <= total; from += 2000) {
      await kafka.publish('rows', 'broadcast.rows', tenant, {
        broadcastId: id,
        chunkIndex: Math.floor(from / 2000),
        phoneNumberId: PHONE_NUMBER_ID,
        template: TEMPLATE,
        rows: recipientRows(from, Math.min(total, from + 1999)),
      });
    }
    await kafka.publish('rows', 'broadcast.split-completed', tenant, {
      broadcastId: id,
      totalRows: total,
      recipients: total,
      skipped: 0,
      chunks: 3,
    });
    await waitFor('rows recorded', async () => {
      const body = await progress(id);
      return body?.state === 'sending' ? body : undefined;
    });
    const text = await (
      await fetch(`${tracker.url}/internal/broadcasts/${id}/report.csv`, {
        headers: { ...AUTH, 'x-tenant-id': tenant },
      })
    ).text();
    const lines = text.trimEnd().split('\r\n');
    expect(lines).toHaveLength(total + 1);
    expect(lines.slice(1).map((line) => Number(line.split(',')[0]))).toEqual(
      Array.from({ length: total }, (_, i) => i + 1),
    );
  });

  it('creates broadcasts that upstream systems started on Kafka, and records split failures', async () => {
    const upstreamTenant = `crm-${randomUUID().slice(0, 8)}`;
    const id = `crm-campaign-${randomUUID().slice(0, 8)}`;
    await kafka.publish('uploaded', 'broadcast.requested', upstreamTenant, {
      broadcastId: id,
      phoneNumberId: PHONE_NUMBER_ID,
      template: TEMPLATE,
      mapping: { body: [{ position: 1, column: 'first_name' }] },
      defaultCountry: 'US',
      recipients: [{ phone: '+1 415 555 0123', variables: { first_name: 'Ada' } }],
    });
    const body = await waitFor('upstream broadcast registered', async () => {
      const current = await progress(id, upstreamTenant);
      return current?.state === 'splitting' ? current : undefined;
    });
    expect(body).toMatchObject({
      id,
      tenantId: upstreamTenant,
      name: null,
      phoneNumberId: PHONE_NUMBER_ID,
      template: TEMPLATE,
    });
    expect((await tracker.get(`/internal/broadcasts/${id}`, tenant)).status).toBe(404);

    const failing = randomUUID();
    await kafka.publish('rows', 'broadcast.split-started', tenant, {
      broadcastId: failing,
      source: 'object',
      phoneNumberId: PHONE_NUMBER_ID,
      template: TEMPLATE,
    });
    await kafka.publish('rows', 'broadcast.split-failed', tenant, {
      broadcastId: failing,
      reason: 'missing-column',
      message: 'The CSV header has no column "order_id" (mapped to body parameter {{2}})',
      column: 'order_id',
    });
    const failed = await waitFor('split failure recorded', async () => {
      const current = await progress(failing);
      return current?.state === 'failed' ? current : undefined;
    });
    expect(failed).toMatchObject({
      failureReason: 'The CSV header has no column "order_id" (mapped to body parameter {{2}})',
      failureCode: 'missing-column',
      complete: false,
    });
  });
});
