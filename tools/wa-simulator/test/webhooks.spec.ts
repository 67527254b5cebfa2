/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return --
   these tests read untyped JSON payloads (Graph responses, webhook bodies) and assert on them. */

import { startSimulator, type Simulator } from '../src/simulator.js';
import { orderUpdate, send, template, waitFor } from './helpers.js';
import { componentValidator, expectSameShape, expectValid, webhookExample } from './openapi.js';
import { WebhookReceiver } from './receiver.js';

const SECRET = 'test-app-secret';
const webhookSchema = componentValidator('WebhookPayload');
const fast = { sentDelayMs: 10, deliveredDelayMs: 10, readDelayMs: 10 };

describe('status webhooks', () => {
  let receiver: WebhookReceiver;
  let sim: Simulator;

  beforeEach(async () => {
    receiver = new WebhookReceiver(SECRET);
    await receiver.start();
    sim = await startSimulator({
      webhook: { url: receiver.url, appSecret: SECRET, retryBaseMs: 20, retryMaxMs: 200, batchWindowMs: 20 },
      statuses: { ...fast, readShare: 1 },
    });
  });
  afterEach(async () => {
    await sim.close();
    await receiver.close();
  });

  test('sent → delivered → read, signed, batched, biz_opaque_callback_data echoed, valid against WebhookPayload', async () => {
    const recipients = Array.from({ length: 20 }, (_, i) => `1555123${String(i).padStart(4, '0')}`);
    const ids = await Promise.all(
      recipients.map(async (to, i) => {
        const reply = await send(sim, orderUpdate(to, 'Ann', `A-${i}`, { biz_opaque_callback_data: `b42:${i}` }));
        return reply.body.messages[0].id as string;
      }),
    );
    await waitFor('60 statuses', () => (receiver.statuses().length >= 60 ? true : undefined), { timeoutMs: 10_000, intervalMs: 20 });
    expect(receiver.refused).toHaveLength(0);
    for (const r of receiver.accepted) {
      expect(r.valid).toBe(true);
      expectValid(webhookSchema, r.payload);
      expect(r.payload.entry[0].changes[0].value.metadata.phone_number_id).toBe('106540352242922');
    }
    // Several statuses per POST, as Meta does.
    expect(receiver.accepted.length).toBeLessThan(60);
    for (const [i, id] of ids.entries()) {
      const mine = receiver.statuses().filter((s) => s.id === id);
      // Each status exactly once; POSTs run concurrently, so arrival order is not guaranteed (as with Meta).
      expect(mine.map((s) => s.status as string).sort()).toEqual(['delivered', 'read', 'sent']);
      expect(mine.every((s) => s.biz_opaque_callback_data === `b42:${i}` && s.recipient_id === recipients[i])).toBe(true);
      expect(mine[0]!.pricing).toEqual({ billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' });
    }
  });

  test('a receiver with the wrong secret refuses the signature', async () => {
    await sim.close();
    sim = await startSimulator({ webhook: { url: receiver.url, appSecret: 'other-secret', maxAttempts: 1 }, statuses: fast });
    await send(sim, orderUpdate('15551230000'));
    await waitFor('a refused delivery', () => (receiver.refused.length > 0 ? true : undefined), { timeoutMs: 5000, intervalMs: 20 });
    expect(receiver.accepted).toHaveLength(0);
  });

  test('retries with backoff until the receiver answers 200', async () => {
    receiver.answer = (attempt) => (attempt <= 3 ? 500 : 200);
    sim.setStatuses({ readShare: 0 });
    sim.setLimits({});
    const reply = await send(sim, orderUpdate('15551230001'));
    await waitFor('statuses after retries', () => (receiver.statuses().length >= 2 ? true : undefined), { timeoutMs: 10_000, intervalMs: 20 });
    expect(receiver.attempts).toBeGreaterThanOrEqual(4);
    expect(sim.webhooks.getStats().failedAttempts).toBe(3);
    const statuses = receiver.statuses().filter((s) => s.id === reply.body.messages[0].id);
    expect(new Set(statuses.map((s) => s.status))).toEqual(new Set(['sent', 'delivered']));
  });

  test('gives up after maxAttempts and counts the drop', async () => {
    receiver.answer = () => 503;
    sim.webhooks.updateOptions({ maxAttempts: 3 });
    sim.setStatuses({ readShare: 0, deliveredDelayMs: 1000 });
    await send(sim, orderUpdate('15551230002'));
    await waitFor('a dropped payload', () => (sim.webhooks.getStats().dropped >= 1 ? true : undefined), { timeoutMs: 5000, intervalMs: 20 });
    expect(sim.webhooks.getStats().failedAttempts).toBeGreaterThanOrEqual(3);
  });

  test('failed statuses carry errors[] with the configured codes', async () => {
    sim.setStatuses({ failShare: 1, failCodes: [131026] });
    const reply = await send(sim, orderUpdate('15551230003'));
    await waitFor('failed status', () => (receiver.statuses().length >= 1 ? true : undefined), { timeoutMs: 5000, intervalMs: 20 });
    const [status] = receiver.statuses();
    expect(status).toMatchObject({ id: reply.body.messages[0].id, status: 'failed', errors: [{ code: 131026, title: 'Message undeliverable' }] });
    expectValid(webhookSchema, receiver.accepted[0]!.payload);
    expect(sim.ledger.summary().asyncFailures).toEqual({ '131026': 1 });
  });

  test('duplicates and skipped delivered', async () => {
    sim.setStatuses({ duplicateShare: 1, skipDeliveredShare: 1 });
    const reply = await send(sim, orderUpdate('15551230004'));
    await waitFor('4 statuses', () => (receiver.statuses().length >= 4 ? true : undefined), { timeoutMs: 5000, intervalMs: 20 });
    const mine = receiver.statuses().filter((s) => s.id === reply.body.messages[0].id).map((s) => s.status as string);
    expect(mine.sort()).toEqual(['read', 'read', 'sent', 'sent']);
  });

  test('inbound injection: STOP text, quick-reply button, user_preferences opt-out then a marketing send fails 131050', async () => {
    const first = await send(sim, orderUpdate('16505551234'));
    const stop = sim.inject({ kind: 'text', from: '16505551234', text: 'STOP' });
    sim.inject({ kind: 'button', from: '16505551234', payload: 'Unsubscribe' });
    sim.inject({ kind: 'user_preferences', from: '16505551234', value: 'stop' });
    await waitFor('3 inbound payloads', () => (receiver.accepted.filter((r) => !r.payload.entry[0].changes[0].value.statuses).length >= 3 ? true : undefined), {
      timeoutMs: 5000,
      intervalMs: 20,
    });
    const inbound = receiver.accepted.filter((r) => !r.payload.entry[0].changes[0].value.statuses).map((r) => r.payload.entry[0].changes[0]);
    const text = inbound.find((c) => c.value.messages?.[0]?.type === 'text');
    const button = inbound.find((c) => c.value.messages?.[0]?.type === 'button');
    const prefs = inbound.find((c) => c.field === 'user_preferences');
    expect(text.value.messages[0]).toMatchObject({ from: '16505551234', id: stop.id, type: 'text', text: { body: 'STOP' } });
    expect(button.value.messages[0]).toMatchObject({ type: 'button', button: { payload: 'Unsubscribe' }, context: { id: first.body.messages[0].id } });
    expect(prefs.value.user_preferences[0]).toMatchObject({ wa_id: '16505551234', category: 'marketing_messages', value: 'stop' });
    const raw = (kind: string) => receiver.accepted.find((r) => r.payload.entry[0].changes[0].value.messages?.[0]?.type === kind)!.payload;
    expectSameShape(raw('text'), webhookExample('Text Message'));
    expectSameShape(raw('button'), webhookExample('Button Message'));

    const promo = template('seasonal_promo', [
      { type: 'header', parameters: [{ type: 'text', text: 'Winter' }] },
      { type: 'body', parameters: ['Mark', 'FALL25', '25%'].map((t) => ({ type: 'text', text: t })) },
    ]);
    const reply = await send(sim, promo);
    expect(reply.status).toBe(200); // accepted synchronously, fails by webhook
    await waitFor('131050 failure', () => receiver.statuses().find((s) => s.id === reply.body.messages[0].id && s.status === 'failed'), {
      timeoutMs: 5000,
      intervalMs: 20,
    });
    expect(sim.ledger.summary().asyncFailures['131050']).toBe(1);
  });
});
