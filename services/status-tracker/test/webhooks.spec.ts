import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { formatCallbackData } from '@wab/contracts';
import { freePort, startNode, type RunningProcess } from '@wab/service-runtime/testing';
import {
  APP_SECRET,
  createTestTopics,
  PHONE_NUMBER_ID,
  randomPrefix,
  recipientRows,
  sign,
  startTracker,
  statusWebhook,
  TEMPLATE,
  testPublisher,
  VERIFY_TOKEN,
  waitFor,
  type RecipientsPage,
  type RunningTracker,
} from './support.js';

/**
 * Meta's webhook endpoint of the running service (embedded PGlite this time): the handshake, the
 * signature check, and statuses that arrive duplicated, reordered and before the dispatcher's own
 * result. The last test lets the WhatsApp simulator deliver its signed status webhooks for real.
 */
describe('status-tracker webhooks', () => {
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

  const post = (body: string, signature: string | undefined) =>
    fetch(`${tracker.url}/webhooks/whatsapp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature !== undefined ? { 'x-hub-signature-256': signature } : {}),
      },
      body,
    });

  async function seedBroadcast(rows: number): Promise<string> {
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
      rows: recipientRows(1, rows),
    });
    await kafka.publish('rows', 'broadcast.split-completed', tenant, {
      broadcastId: id,
      totalRows: rows,
      recipients: rows,
      skipped: 0,
      chunks: 1,
    });
    await waitFor('broadcast seeded', async () =>
      (await tracker.get(`/internal/broadcasts/${id}`, tenant)).body.counts?.pending === rows
        ? true
        : undefined,
    );
    return id;
  }

  const accepted = (id: string, rowNumber: number, wamid: string) =>
    kafka.publish('sendResults', 'message.send-result', tenant, {
      broadcastId: id,
      recipientId: `${id}:${rowNumber}`,
      rowNumber,
      phoneNumberId: PHONE_NUMBER_ID,
      outcome: { status: 'accepted', wamid },
      attempts: 1,
      latencyMs: 100,
    });

  const states = async (id: string): Promise<Record<number, string>> => {
    const page = await tracker.get<RecipientsPage>(
      `/internal/broadcasts/${id}/recipients?limit=1000`,
      tenant,
    );
    return Object.fromEntries(
      (page.body.items as { rowNumber: number; state: string }[]).map((r) => [
        r.rowNumber,
        r.state,
      ]),
    );
  };

  it('answers the subscription handshake only with the verify token', async () => {
    const query = (mode: string, token: string) =>
      fetch(
        `${tracker.url}/webhooks/whatsapp?hub.mode=${mode}&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`,
      );
    const ok = await query('subscribe', VERIFY_TOKEN);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    expect((await query('subscribe', 'wrong-token')).status).toBe(403);
    expect((await query('unsubscribe', VERIFY_TOKEN)).status).toBe(403);
    expect((await fetch(`${tracker.url}/webhooks/whatsapp`)).status).toBe(403);
  });

  it('refuses a missing or wrong signature with 401 and stores nothing', async () => {
    const id = await seedBroadcast(2);
    const body = statusWebhook([
      { wamid: 'wamid.forged.1', status: 'read', callback: formatCallbackData(id, 1) },
      { wamid: 'wamid.forged.2', status: 'failed', callback: formatCallbackData(id, 2) },
    ]);
    expect((await post(body, undefined)).status).toBe(401);
    expect((await post(body, sign(body, 'another-app-secret'))).status).toBe(401);
    expect((await post(body, sign(`${body} `))).status).toBe(401);
    expect((await post(body, 'sha256=00')).status).toBe(401);
    // the same body correctly signed is accepted: the refusals above were about the signature only
    const control = statusWebhook([
      { wamid: 'wamid.real', status: 'sent', callback: formatCallbackData(id, 2) },
    ]);
    expect((await post(control, sign(control))).status).toBe(200);
    expect(await states(id)).toEqual({ 1: 'pending', 2: 'sent' });
  });

  it('never moves a state backwards, whatever the order and the duplicates', async () => {
    const id = await seedBroadcast(6);
    const cb = (row: number) => formatCallbackData(id, row);
    const w = (row: number) => `wamid.${id}.${row}`;
    await accepted(id, 1, w(1));
    await accepted(id, 2, w(2));
    await waitFor('results recorded', async () =>
      (await states(id))[2] === 'accepted' ? true : undefined,
    );

    const posts = [
      // read before delivered before sent, in one POST
      statusWebhook([
        { wamid: w(1), status: 'read', callback: cb(1) },
        { wamid: w(1), status: 'delivered', callback: cb(1) },
        { wamid: w(1), status: 'sent', callback: cb(1) },
      ]),
      // delivered, then a failure reported after delivery: recorded, no regression
      statusWebhook([{ wamid: w(2), status: 'delivered', callback: cb(2) }]),
      statusWebhook([
        {
          wamid: w(2),
          status: 'failed',
          callback: cb(2),
          errors: [{ code: 131047, title: 'Re-engagement message' }],
        },
      ]),
      // webhooks before the dispatcher's result (rows 3, 4): the result must not pull them back
      statusWebhook([
        { wamid: w(3), status: 'sent', callback: cb(3) },
        { wamid: w(4), status: 'delivered', callback: cb(4) },
      ]),
      // failed after sent is terminal; a late sent does not resurrect it
      statusWebhook([
        { wamid: w(5), status: 'sent', callback: cb(5) },
        {
          wamid: w(5),
          status: 'failed',
          callback: cb(5),
          errors: [
            { code: 131026, title: 'Message undeliverable', details: 'Message Undeliverable.' },
          ],
        },
      ]),
      statusWebhook([{ wamid: w(5), status: 'sent', callback: cb(5) }]),
      // no callback data (another integration's payload shape): correlated by wamid
      statusWebhook([{ wamid: w(2), status: 'read' }]),
      // statuses that are not ours, and a status value we do not track
      statusWebhook([
        { wamid: 'wamid.someone-else', status: 'delivered', callback: 'campaign42:row981' },
      ]),
    ];
    for (const body of posts) expect((await post(body, sign(body))).status).toBe(200);
    // every POST again, concurrently and in reverse: duplicates are harmless
    const again = await Promise.all([...posts].reverse().map((body) => post(body, sign(body))));
    expect(again.map((res) => res.status)).toEqual(posts.map(() => 200));
    await accepted(id, 3, w(3));
    await accepted(id, 4, w(4));
    await accepted(id, 6, w(6));
    await waitFor('row 6 accepted', async () =>
      (await states(id))[6] === 'accepted' ? true : undefined,
    );

    expect(await states(id)).toEqual({
      1: 'read',
      2: 'read',
      3: 'sent',
      4: 'delivered',
      5: 'failed',
      6: 'accepted',
    });
    const recipients = (
      await tracker.get<RecipientsPage>(`/internal/broadcasts/${id}/recipients`, tenant)
    ).body.items as {
      rowNumber: number;
      errorCode?: string;
      wamid?: string;
    }[];
    expect(recipients[1]).toMatchObject({ errorCode: '131047', wamid: w(2) });
    expect(recipients[4]).toMatchObject({ errorCode: '131026', wamid: w(5) });
    const progress = (await tracker.get(`/internal/broadcasts/${id}`, tenant)).body;
    expect(progress).toMatchObject({
      state: 'completed',
      complete: true,
      counts: { pending: 0, accepted: 1, sent: 1, delivered: 1, read: 2, failed: 1 },
      failedByReason: { '131026': { count: 1, title: 'Message undeliverable' } },
    });
  });

  it('reconciles an unknown outcome from the webhook, and ignores other webhook kinds', async () => {
    const id = await seedBroadcast(1);
    await kafka.publish('sendResults', 'message.send-result', tenant, {
      broadcastId: id,
      recipientId: `${id}:1`,
      rowNumber: 1,
      phoneNumberId: PHONE_NUMBER_ID,
      outcome: { status: 'unknown', reason: 'timeout after request was written' },
      attempts: 1,
      latencyMs: 30_000,
    });
    await waitFor('unknown recorded', async () =>
      (await states(id))[1] === 'unknown' ? true : undefined,
    );
    const inbound = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                messages: [
                  {
                    from: '16505551234',
                    id: 'wamid.in',
                    timestamp: '1',
                    type: 'text',
                    text: { body: 'STOP' },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    expect((await post(inbound, sign(inbound))).status).toBe(200);
    const delivered = statusWebhook([
      { wamid: `wamid.${id}.late`, status: 'delivered', callback: formatCallbackData(id, 1) },
    ]);
    expect((await post(delivered, sign(delivered))).status).toBe(200);
    const [recipient] = (
      await tracker.get<RecipientsPage>(`/internal/broadcasts/${id}/recipients`, tenant)
    ).body.items;
    expect(recipient).toMatchObject({ state: 'delivered', wamid: `wamid.${id}.late` });
    expect(recipient).not.toHaveProperty('errorReason');
  });

  describe('with the WhatsApp simulator sending the webhooks', () => {
    let simulator: RunningProcess;
    let simulatorUrl: string;
    const accessToken = 'sim-test-token-0123456789';

    beforeAll(async () => {
      const port = await freePort();
      simulatorUrl = `http://127.0.0.1:${port}`;
      simulator = startNode(
        resolve(import.meta.dirname, '../../../tools/wa-simulator/dist/cli.js'),
        {},
        [
          '--port',
          String(port),
          '--access-token',
          accessToken,
          '--app-secret',
          APP_SECRET,
          '--webhook-url',
          `${tracker.url}/webhooks/whatsapp`,
          '--seed',
          '7',
        ],
      );
      await waitFor('simulator up', async () =>
        (await fetch(`${simulatorUrl}/_sim/ledger`)).ok ? true : undefined,
      );
      const mix = await fetch(`${simulatorUrl}/_sim/statuses`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          duplicateShare: 0.3,
          reorderShare: 0.3,
          failShare: 0.15,
          readShare: 0.5,
        }),
      });
      expect(mix.ok).toBe(true);
    }, 60_000);

    afterAll(() => {
      simulator?.child.kill('SIGTERM');
    });

    it('ends every message in the state its last meaningful webhook says, with no webhook refused', async () => {
      const rows = 40;
      const id = await seedBroadcast(rows);
      for (let row = 1; row <= rows; row += 1) {
        const res = await fetch(`${simulatorUrl}/v23.0/${PHONE_NUMBER_ID}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            messaging_product: 'whatsapp',
            to: `49151${String(3000000 + row)}`,
            type: 'template',
            template: {
              name: 'order_update',
              language: { code: 'en_US' },
              components: [
                {
                  type: 'body',
                  parameters: [
                    { type: 'text', text: `Name ${row}` },
                    { type: 'text', text: `A-${row}` },
                  ],
                },
              ],
            },
            biz_opaque_callback_data: formatCallbackData(id, row),
          }),
        });
        expect(res.status).toBe(200);
        const { messages } = (await res.json()) as { messages: { id: string }[] };
        // the dispatcher's result races the simulator's webhooks, as in production
        void accepted(id, row, messages[0]!.id);
      }
      const ledger = await waitFor(
        'webhooks delivered and recorded',
        async () => {
          const current = (await (await fetch(`${simulatorUrl}/_sim/ledger`)).json()) as {
            accepted: number;
            asyncFailures: Record<string, number>;
            webhooks: { queued: number; inFlight: number; dropped: number; failedAttempts: number };
          };
          const progress = (await tracker.get(`/internal/broadcasts/${id}`, tenant)).body;
          const failed = Object.values(current.asyncFailures).reduce((sum, n) => sum + n, 0);
          const settled =
            current.webhooks.queued === 0 &&
            current.webhooks.inFlight === 0 &&
            progress.counts.pending === 0 &&
            progress.counts.accepted === 0 &&
            progress.counts.sent === 0 &&
            progress.counts.failed === failed;
          return settled ? { ...current, failed, progress } : undefined;
        },
        { timeoutMs: 45_000, intervalMs: 250 },
      );
      expect(ledger.accepted).toBe(rows);
      expect(ledger.webhooks.dropped).toBe(0);
      expect(ledger.webhooks.failedAttempts).toBe(0);
      expect(ledger.progress).toMatchObject({ state: 'completed', complete: true });
      expect(ledger.progress.counts.delivered + ledger.progress.counts.read + ledger.failed).toBe(
        rows,
      );
    });
  });
});
