import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { runMigrations } from '../src/adapters/migrations.js';
import { PgliteDatabase } from '../src/adapters/pglite-database.adapter.js';
import { PostgresBroadcastGauges } from '../src/adapters/postgres-broadcast-gauges.adapter.js';
import { PostgresBroadcastStore } from '../src/adapters/postgres-broadcast-store.adapter.js';
import type { TrackerCommand } from '../src/ports/broadcast-store.port.js';
import {
  createTestTopics,
  PHONE_NUMBER_ID,
  randomPrefix,
  recipientRows,
  sign,
  startTracker,
  statusWebhook,
  TEMPLATE,
  testPublisher,
  waitFor,
  type RunningTracker,
} from './support.js';

/** The value of one series in Prometheus text format; undefined when absent. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = new Map<string, string>();
    for (const m of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      found.set(m[1]!, m[2]!);
    }
    if (Object.entries(labels).every(([key, value]) => found.get(key) === value)) {
      return Number(match[3]);
    }
  }
  return undefined;
}

/** The tracker's own series on /metrics, after a broadcast, results and webhooks went through it. */
describe('status-tracker metrics', () => {
  const prefix = randomPrefix();
  const tenant = `acme-${randomUUID().slice(0, 8)}`;
  let tracker: RunningTracker;
  let kafka: Awaited<ReturnType<typeof testPublisher>>;

  beforeAll(async () => {
    await createTestTopics(prefix);
    tracker = await startTracker({ prefix, database: 'pglite' });
    kafka = await testPublisher(prefix);
  }, 120_000);

  afterAll(async () => {
    await kafka?.close();
    if (tracker) expect(await tracker.stop()).toEqual({ code: 0, signal: null });
  });

  const metrics = async () => (await fetch(`${tracker.url}/metrics`)).text();
  const post = (body: string, signature: string) =>
    fetch(`${tracker.url}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      body,
    });

  it('counts writes, transitions, webhook outcomes and account errors, and reports broadcasts by state', async () => {
    const id = randomUUID();
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
      rows: recipientRows(1, 3),
    });
    await kafka.publish('rows', 'broadcast.split-completed', tenant, {
      broadcastId: id,
      totalRows: 3,
      recipients: 3,
      skipped: 0,
      chunks: 1,
    });
    await waitFor('sending with 3 pending', async () =>
      sample(await metrics(), 'wab_tracker_broadcasts', { state: 'sending' }) === 1
        ? true
        : undefined,
    );

    const result = (rowNumber: number, outcome: Record<string, unknown>) =>
      kafka.publish('sendResults', 'message.send-result', tenant, {
        broadcastId: id,
        recipientId: `${id}:${rowNumber}`,
        rowNumber,
        phoneNumberId: PHONE_NUMBER_ID,
        outcome: outcome as never,
        attempts: 1,
        latencyMs: 100,
      });
    await result(1, { status: 'accepted', wamid: `wamid.${id}.1` });
    await result(2, {
      status: 'failed',
      error: { code: 190, title: 'Access token has expired' },
      category: 'account',
      retryable: false,
    });
    await result(3, { status: 'accepted', wamid: `wamid.${id}.3` });
    await result(1, { status: 'accepted', wamid: `wamid.${id}.1` }); // duplicate: no transition
    // The webhooks below must come after the results (Kafka and HTTP race otherwise).
    await waitFor('send results recorded', async () => {
      const current = await metrics();
      return sample(current, 'wab_tracker_recipient_transitions_total', { state: 'accepted' }) ===
        2 && sample(current, 'wab_tracker_recipient_transitions_total', { state: 'failed' }) === 1
        ? true
        : undefined;
    });

    const delivered = statusWebhook([
      { wamid: `wamid.${id}.1`, status: 'delivered', callback: `${id}:1` },
      {
        wamid: `wamid.${id}.3`,
        status: 'failed',
        callback: `${id}:3`,
        errors: [{ code: 131048, title: 'Spam rate limit hit' }],
      },
    ]);
    expect((await post(delivered, sign(delivered))).status).toBe(200);
    expect((await post(delivered, sign(delivered, 'not-the-app-secret'))).status).toBe(401);
    expect((await post('{not json', sign('{not json'))).status).toBe(400);

    const text = await waitFor('broadcast completed in the gauges', async () => {
      const current = await metrics();
      return sample(current, 'wab_tracker_broadcasts', { state: 'completed' }) === 1
        ? current
        : undefined;
    });
    expect(sample(text, 'wab_tracker_broadcasts', { state: 'sending' })).toBe(0);
    expect(sample(text, 'wab_tracker_broadcast_stalled')).toBe(0);
    // no broadcast is sending: nothing to wait for
    expect(sample(text, 'wab_tracker_oldest_broadcast_eta_seconds')).toBe(0);
    const transitions = (state: string) =>
      sample(text, 'wab_tracker_recipient_transitions_total', { state });
    // row 1 accepted → delivered, row 2 failed, row 3 accepted → failed (webhook)
    expect(transitions('accepted')).toBe(2);
    expect(transitions('failed')).toBe(2);
    expect(transitions('delivered')).toBe(1);
    expect(sample(text, 'wab_tracker_webhook_requests_total', { outcome: 'accepted' })).toBe(1);
    expect(sample(text, 'wab_tracker_webhook_requests_total', { outcome: 'bad_signature' })).toBe(
      1,
    );
    expect(sample(text, 'wab_tracker_webhook_requests_total', { outcome: 'invalid' })).toBe(1);
    expect(sample(text, 'wab_tracker_account_errors_total', { code: '190' })).toBe(1);
    expect(sample(text, 'wab_tracker_account_errors_total', { code: '131048' })).toBe(1);
    expect(sample(text, 'wab_tracker_account_errors_total', { code: '368' })).toBe(0);
    expect(
      sample(text, 'wab_tracker_write_batch_size_count', { source: 'send-results' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'wab_tracker_write_batch_size_sum', { source: 'send-results' }),
    ).toBeGreaterThanOrEqual(4);
    expect(sample(text, 'wab_tracker_write_duration_seconds_count', { source: 'webhooks' })).toBe(
      1,
    );
    // bounded labels: no broadcast id, tenant or phone number anywhere in the exposition
    expect(text).not.toContain(id);
    expect(text).not.toContain(tenant);
    expect(text).not.toContain('+49151');
  });
});

describe('PostgresBroadcastGauges on PGlite', () => {
  let db: PgliteDatabase;
  let store: PostgresBroadcastStore;
  const tenant = 't-gauges';

  beforeAll(async () => {
    db = await PgliteDatabase.open();
    await runMigrations(db, resolve(import.meta.dirname, '../migrations'));
    store = new PostgresBroadcastStore(db);
  });
  afterAll(async () => {
    await store.close();
  });

  const startSending = async (broadcastId: string, rows: number): Promise<void> => {
    const commands: TrackerCommand[] = [
      { kind: 'broadcast-started', tenantId: tenant, broadcastId, at: new Date() },
      {
        kind: 'recipients',
        tenantId: tenant,
        broadcastId,
        rows: recipientRows(1, rows).map(({ rowNumber, phone, e164 }) => ({
          rowNumber,
          phone,
          e164,
        })),
      },
      {
        kind: 'split-completed',
        tenantId: tenant,
        broadcastId,
        totalRows: rows,
        recipients: rows,
        skipped: 0,
        at: new Date(),
      },
    ];
    await store.apply(commands);
  };

  it('counts broadcasts by state, the stalled ones, and the ETA of the oldest sending one', async () => {
    const gauges = (stalledAfterSeconds: number) =>
      new PostgresBroadcastGauges(db, { stalledAfterSeconds, rateWindowSeconds: 60 }).snapshot();
    expect(await gauges(600)).toEqual({ byState: {}, stalled: 0, oldestEtaSeconds: 0 });

    await startSending('b-1-old', 10);
    await startSending('b-2-new', 4);
    // nothing terminal yet: no rate, so no finite ETA
    expect(await gauges(600)).toEqual({
      byState: { sending: 2 },
      stalled: 0,
      oldestEtaSeconds: Number.POSITIVE_INFINITY,
    });
    // with a zero threshold every incomplete broadcast counts as "no progress since"
    expect((await gauges(0)).stalled).toBe(2);

    await store.apply([
      {
        kind: 'facts',
        facts: [1, 2, 3, 4, 5].map((rowNumber) => ({
          tenantId: tenant,
          broadcastId: 'b-1-old',
          rowNumber,
          state: 'accepted' as const,
          source: 'send-result' as const,
          wamid: `wamid.old.${rowNumber}`,
        })),
      },
    ]);
    const snap = await gauges(600);
    expect(snap.byState).toEqual({ sending: 2 });
    // 5 pending left at ≥ 5 per second (5 outcomes within the last second or so)
    expect(snap.oldestEtaSeconds).toBeGreaterThan(0);
    expect(snap.oldestEtaSeconds).toBeLessThanOrEqual(1);
  });
});
