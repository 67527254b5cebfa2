import { randomUUID } from 'node:crypto';
import {
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
 * Tenant isolation of the internal API: another tenant's broadcast answers 404 on every endpoint,
 * exactly like a broadcast that does not exist, and a request without a tenant is refused.
 */
describe('status-tracker tenant isolation', () => {
  const prefix = randomPrefix();
  const owner = `owner-${randomUUID().slice(0, 8)}`;
  const intruder = `other-${randomUUID().slice(0, 8)}`;
  const id = randomUUID();
  let tracker: RunningTracker;

  beforeAll(async () => {
    await createTestTopics(prefix);
    tracker = await startTracker({ prefix, database: 'pglite' });
    const draft = {
      tenantId: owner,
      phoneNumberId: PHONE_NUMBER_ID,
      template: TEMPLATE,
      mapping: { phoneColumn: 'phone', body: [] },
      object: { bucket: 'broadcasts', key: `${owner}/${id}.csv` },
    };
    expect((await tracker.put(`/internal/broadcasts/${id}`, draft, owner)).status).toBe(201);
    const kafka = await testPublisher(prefix);
    try {
      await kafka.publish('rows', 'broadcast.rows', owner, {
        broadcastId: id,
        chunkIndex: 0,
        phoneNumberId: PHONE_NUMBER_ID,
        template: TEMPLATE,
        rows: recipientRows(1, 3),
      });
    } finally {
      await kafka.close();
    }
    await waitFor('rows recorded', async () =>
      (await tracker.get(`/internal/broadcasts/${id}`, owner)).body.counts?.pending === 3
        ? true
        : undefined,
    );
  }, 120_000);

  afterAll(async () => {
    if (tracker) expect(await tracker.stop()).toEqual({ code: 0, signal: null });
  });

  const paths = [
    `/internal/broadcasts/${id}`,
    `/internal/broadcasts/${id}/recipients`,
    `/internal/broadcasts/${id}/recipients?state=pending`,
    `/internal/broadcasts/${id}/report.csv`,
  ];

  it('serves the owner, and is ready (database and Kafka consumers)', async () => {
    expect((await fetch(`${tracker.url}/readyz`)).status).toBe(200);
    for (const path of paths) expect((await tracker.get(path, owner)).status).toBe(200);
    const list = await tracker.get<BroadcastsPage>('/internal/broadcasts', owner);
    expect(list.body.items.map((b: { id: string }) => b.id)).toEqual([id]);
  });

  it('answers another tenant 404 on every endpoint, exactly like a missing broadcast', async () => {
    for (const path of paths) {
      const foreign = await tracker.get(path, intruder);
      const missing = await tracker.get(path.replace(id, randomUUID()), intruder);
      expect(foreign.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(foreign.text.replace(id, 'ID')).toBe(missing.text.replace(/[0-9a-f-]{36}/, 'ID'));
      expect(foreign.text).not.toContain(owner);
    }
    expect((await tracker.get<BroadcastsPage>('/internal/broadcasts', intruder)).body).toEqual({
      items: [],
    });
  });

  it('keeps a PUT of the same id by another tenant apart from the owner', async () => {
    const draft = {
      tenantId: intruder,
      name: 'not yours',
      phoneNumberId: PHONE_NUMBER_ID,
      template: TEMPLATE,
      mapping: { phoneColumn: 'phone', body: [] },
      object: { bucket: 'broadcasts', key: `${intruder}/x.csv` },
    };
    expect((await tracker.put(`/internal/broadcasts/${id}`, draft, intruder)).status).toBe(201);
    const mine = (await tracker.get(`/internal/broadcasts/${id}`, owner)).body;
    expect(mine).toMatchObject({ tenantId: owner, name: null, counts: { pending: 3 } });
    const theirs = (await tracker.get(`/internal/broadcasts/${id}`, intruder)).body;
    expect(theirs).toMatchObject({ tenantId: intruder, name: 'not yours', counts: { pending: 0 } });
    expect(
      (await tracker.get<RecipientsPage>(`/internal/broadcasts/${id}/recipients`, intruder)).body
        .items,
    ).toEqual([]);
    // a body naming another tenant than the authenticated one is refused
    expect((await tracker.put(`/internal/broadcasts/${id}`, draft, owner)).status).toBe(400);
  });

  it('refuses requests without a tenant', async () => {
    for (const path of [...paths, '/internal/broadcasts']) {
      expect((await tracker.get(path)).status).toBe(400);
    }
    expect((await tracker.put(`/internal/broadcasts/${id}`, {})).status).toBe(400);
    expect((await tracker.get(`/internal/broadcasts/${id}`, 'bad tenant!')).status).toBe(400);
  });
});
