/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call --
   these tests read untyped JSON payloads (Graph responses, webhook bodies) and assert on them. */
import { request } from 'undici';
import { ManualClock } from '../src/clock.js';
import { startSimulator, type Simulator } from '../src/simulator.js';
import { get, orderUpdate, PHONE, send, template, type Reply } from './helpers.js';
import { componentValidator, expectValid, responseValidator } from './openapi.js';

const okSchema = componentValidator('MessageResponsePayload');
const errorSchema = componentValidator('GraphAPIError');
const templatesSchema = responseValidator('/{Version}/{WABA-ID}/message_templates', 'get', '200');

function expectError(reply: Reply, http: number, code: number): void {
  expect({ status: reply.status, code: reply.body.error?.code }).toEqual({ status: http, code });
  expectValid(errorSchema, reply.body);
  expect(reply.body.error.message).toEqual(expect.any(String));
  expect(reply.body.error.type).toBe('OAuthException');
  expect(reply.body.error.error_data.details).toEqual(expect.any(String));
  expect(reply.body.error.fbtrace_id).toEqual(expect.any(String));
}

describe('POST /{version}/{phone-number-id}/messages', () => {
  let sim: Simulator;
  let clock: ManualClock;

  beforeAll(async () => {
    clock = new ManualClock();
    sim = await startSimulator({ clock, limits: { mps: 80, pairBurst: 45 } });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  test('accepts a template send with Meta’s success body, valid against MessageResponsePayload', async () => {
    const reply = await send(sim, orderUpdate('+1 650-555-1234', 'Jessica', 'A-1001', { biz_opaque_callback_data: 'b1:r1' }));
    expect(reply.status).toBe(200);
    expectValid(okSchema, reply.body);
    expect(reply.body).toEqual({
      messaging_product: 'whatsapp',
      contacts: [{ input: '+1 650-555-1234', wa_id: '16505551234' }],
      messages: [{ id: expect.stringMatching(/^wamid\.[A-Za-z0-9+/=]+$/), message_status: 'accepted' }],
    });
    expect(reply.headers['facebook-api-version']).toBe('v23.0');
    const [message] = sim.ledger.messagesFor('16505551234');
    expect(message?.template?.renderedBody).toBe('Hi Jessica, your order A-1001 has shipped.');
    expect(message?.bizOpaqueCallbackData).toBe('b1:r1');
  });

  test('named parameters, header parameter and URL button with dynamic suffix', async () => {
    const named = await send(
      sim,
      template('order_confirmation', [
        {
          type: 'body',
          parameters: [
            { type: 'text', parameter_name: 'order_number', text: 'SKB-9' },
            { type: 'text', parameter_name: 'customer_name', text: 'Jo' },
            { type: 'date_time', parameter_name: 'delivery_date', date_time: { fallback_value: 'May 3' } },
          ],
        },
      ]),
    );
    expect(named.status).toBe(200);
    const promo = await send(sim, {
      ...template('seasonal_promo', [
        { type: 'header', parameters: [{ type: 'text', text: 'Winter' }] },
        { type: 'body', parameters: ['Mark', 'FALL25', '25%'].map((text) => ({ type: 'text', text })) },
        { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'STOP_PROMO' }] },
      ]),
      to: '15550001111',
    });
    expect(promo.status).toBe(200);
    const tracking = await send(sim, {
      ...template('shipping_tracking', [
        { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/p.jpg' } }] },
        { type: 'body', parameters: [{ type: 'text', text: 'Mark' }] },
        { type: 'button', sub_type: 'url', index: 0, parameters: [{ type: 'text', text: 'ZX-42' }] },
      ]),
      to: '15550002222',
    });
    expect(tracking.status).toBe(200);
    expect(sim.ledger.messagesFor('16505551234')[0]?.template?.renderedBody).toBe(
      'Thank you, Jo! Your order SKB-9 is confirmed and will arrive on May 3.',
    );
    expect(sim.ledger.messagesFor('15550001111')[0]?.template).toMatchObject({ renderedHeader: 'Our Winter sale is on!' });
    expect(sim.ledger.messagesFor('15550002222')[0]?.template).toMatchObject({
      header: ['https://example.com/p.jpg'],
      urls: ['https://shop.example.com/track/ZX-42'],
    });
  });

  test('190 (HTTP 401): missing, unknown and expired tokens', async () => {
    expectError(await send(sim, orderUpdate('16505551234'), { token: null }), 401, 190);
    expectError(await send(sim, orderUpdate('16505551234'), { token: 'nope' }), 401, 190);
    sim.setFaults({ tokenExpired: true });
    const expired = await send(sim, orderUpdate('16505551234'));
    expectError(expired, 401, 190);
    expect(expired.body.error.error_subcode).toBe(463);
    expect(expired.body.error.message).toMatch(/Session has expired/);
  });

  test('100 (HTTP 400): malformed JSON, unknown field, several recipients, wrong product, bad number', async () => {
    expectError(await send(sim, null, { raw: '{"to":' }), 400, 100);
    expectError(await send(sim, orderUpdate('16505551234', 'a', 'b', { foo: 1 })), 400, 100);
    expectError(await send(sim, { ...orderUpdate('x'), to: ['16505551234', '16505551235'] }), 400, 100);
    expectError(await send(sim, { ...orderUpdate('16505551234'), messaging_product: 'sms' }), 400, 100);
    expectError(await send(sim, orderUpdate('not-a-number')), 400, 100);
    const unknownParamKey = template('order_update', [{ type: 'body', parameters: [{ type: 'text', text: 'a', colour: 'red' }, { type: 'text', text: 'b' }] }]);
    expectError(await send(sim, unknownParamKey), 400, 100);
    expect(sim.ledger.summary().errors).toEqual({ '100': 6 });
  });

  test('131008 missing value, 131051 unsupported type', async () => {
    expectError(await send(sim, template('order_update', [{ type: 'body', parameters: [{ type: 'text', text: '' }, { type: 'text', text: 'b' }] }])), 400, 131008);
    expectError(await send(sim, { messaging_product: 'whatsapp', to: '16505551234', type: 'image', image: { link: 'x' } }), 400, 131051);
  });

  test('132001: unknown template, unknown language, REJECTED template', async () => {
    expectError(await send(sim, template('no_such_template')), 400, 132001);
    expectError(await send(sim, template('order_update', [], 'fr_FR')), 400, 132001);
    expectError(await send(sim, template('loan_offer', [{ type: 'body', parameters: [{ type: 'text', text: '$1' }] }])), 400, 132001);
  });

  test('132015 paused (registry and runtime fault), 132016 disabled', async () => {
    expectError(await send(sim, template('flash_sale', [{ type: 'body', parameters: [{ type: 'text', text: '50%' }] }])), 400, 132015);
    sim.templates.overrides.set('order_update', 'PAUSED');
    expectError(await send(sim, orderUpdate('16505551234')), 400, 132015);
    sim.templates.overrides.set('order_update', 'DISABLED');
    expectError(await send(sim, orderUpdate('16505551234')), 400, 132016);
  });

  test('132000: parameter count and positional/named mismatches', async () => {
    const count = await send(sim, template('order_update', [{ type: 'body', parameters: [{ type: 'text', text: 'only one' }] }]));
    expectError(count, 400, 132000);
    expect(count.body.error.error_data.details).toBe('body: number of localizable_params (1) does not match the expected number of params (2)');
    expectError(await send(sim, template('order_update')), 400, 132000);
    const namedToPositional = [{ type: 'text', parameter_name: 'a', text: 'x' }, { type: 'text', parameter_name: 'b', text: 'y' }];
    expectError(await send(sim, template('order_update', [{ type: 'body', parameters: namedToPositional }])), 400, 132000);
    const positionalToNamed = ['a', 'b', 'c'].map((text) => ({ type: 'text', text }));
    expectError(await send(sim, template('order_confirmation', [{ type: 'body', parameters: positionalToNamed }])), 400, 132000);
    expectError(await send(sim, template('hello_world', [{ type: 'header', parameters: [{ type: 'text', text: 'x' }] }])), 400, 132000);
    // URL button with a dynamic suffix left out.
    const noButton = [
      { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/p.jpg' } }] },
      { type: 'body', parameters: [{ type: 'text', text: 'Mark' }] },
    ];
    expectError(await send(sim, template('shipping_tracking', noButton)), 400, 132000);
  });

  test('132012: parameter format mismatch', async () => {
    const wrongHeader = [
      { type: 'header', parameters: [{ type: 'video', video: { link: 'https://example.com/v.mp4' } }] },
      { type: 'body', parameters: [{ type: 'text', text: 'Mark' }] },
      { type: 'button', sub_type: 'url', index: 0, parameters: [{ type: 'text', text: 'x' }] },
    ];
    expectError(await send(sim, template('shipping_tracking', wrongHeader)), 400, 132012);
    expectError(await send(sim, template('order_update', [{ type: 'body', parameters: [{ type: 'image', image: { link: 'x' } }, { type: 'text', text: 'y' }] }])), 400, 132012);
  });

  test('130429: a burst of 130 at a frozen clock gets exactly 50 refusals (80 mps bucket), then refills', async () => {
    const replies = await Promise.all(Array.from({ length: 130 }, (_, i) => send(sim, orderUpdate(`1555000${String(i).padStart(4, '0')}`))));
    const refused = replies.filter((r) => r.body.error?.code === 130429);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(80);
    expect(refused).toHaveLength(50);
    expectError(refused[0]!, 400, 130429);
    clock.advance(250); // 20 tokens
    const next = await Promise.all(Array.from({ length: 25 }, (_, i) => send(sim, orderUpdate(`1666000${String(i).padStart(4, '0')}`))));
    expect(next.filter((r) => r.status === 200)).toHaveLength(20);
    // Another phone number has its own bucket.
    expect((await send(sim, orderUpdate('16505559999'), { phone: '999000999' })).status).toBe(200);
    expect(sim.ledger.summary().errors['130429']).toBe(55);
  });

  test('130429 storm fault refuses sends regardless of the bucket', async () => {
    sim.setFaults({ throttleStorm: { durationMs: 1000, rate: 1 } });
    expectError(await send(sim, orderUpdate('16505551234')), 400, 130429);
    clock.advance(1001);
    expect((await send(sim, orderUpdate('16505551234'))).status).toBe(200);
  });

  test('131056: the pair limit refuses a burst to one recipient beyond its allowance', async () => {
    sim.setLimits({ pairBurst: 3, pairIntervalMs: 6000 });
    const replies: Reply[] = [];
    for (let i = 0; i < 5; i++) replies.push(await send(sim, orderUpdate('16505551234')));
    expect(replies.map((r) => r.body.error?.code ?? 200)).toEqual([200, 200, 200, 131056, 131056]);
    expectError(replies[3]!, 400, 131056);
    expect((await send(sim, orderUpdate('16505550000'))).status).toBe(200);
    clock.advance(6000);
    expect((await send(sim, orderUpdate('16505551234'))).status).toBe(200);
  });

  test('131057 maintenance window, 5xx faults 131000/131016, app-level code 4 (HTTP 429)', async () => {
    sim.setFaults({ maintenance: { durationMs: 60_000 } });
    expectError(await send(sim, orderUpdate('16505551234')), 500, 131057);
    clock.advance(60_000);
    sim.setFaults({ serverErrorRate: 1, serverErrorCodes: [131000] });
    expectError(await send(sim, orderUpdate('16505551234')), 500, 131000);
    sim.setFaults({ serverErrorCodes: [131016] });
    expectError(await send(sim, orderUpdate('16505551234')), 503, 131016);
    sim.setFaults({ serverErrorRate: 0, appRateLimitRate: 1 });
    expectError(await send(sim, orderUpdate('16505551234')), 429, 4);
  });

  test('timeouts: the request is held and never answered; an accepted one is in the ledger', async () => {
    sim.setFaults({ timeoutRate: 1, timeoutAcceptedShare: 1 });
    const abort = AbortSignal.timeout(300);
    await expect(
      request(`${sim.url}/v23.0/1/messages`, {
        method: 'POST',
        headers: { authorization: 'Bearer dev-token' },
        body: JSON.stringify(orderUpdate('16505551234')),
        signal: abort,
      }),
    ).rejects.toThrow();
    expect(sim.ledger.summary()).toMatchObject({ timeouts: 1, accepted: 1 });
    sim.setFaults({ timeoutAcceptedShare: 0 });
    await expect(
      request(`${sim.url}/v23.0/1/messages`, { method: 'POST', headers: { authorization: 'Bearer dev-token' }, body: JSON.stringify(orderUpdate('16505550001')), signal: AbortSignal.timeout(200) }),
    ).rejects.toThrow();
    expect(sim.ledger.summary()).toMatchObject({ timeouts: 2, accepted: 1 });
  });

  test('recipientFaults: named recipients get their error or timeout, counted down by times', async () => {
    const patched = await request(`${sim.url}/_sim/faults`, {
      method: 'PATCH',
      body: JSON.stringify({
        recipientFaults: {
          '+1 650 555 0001': { code: 131000, times: 2 },
          '16505550002': { code: 131026 },
          '16505550003': { timeout: 'dropped', times: 1 },
          '16505550004': { timeout: 'accepted', times: 1 },
        },
      }),
    });
    expect(patched.statusCode).toBe(200);
    expect(((await patched.body.json()) as { recipientFaults: object }).recipientFaults).toHaveProperty('16505550001', { code: 131000, times: 2 });
    expectError(await send(sim, orderUpdate('16505550001')), 500, 131000);
    expectError(await send(sim, orderUpdate('+16505550001')), 500, 131000);
    expect((await send(sim, orderUpdate('16505550001'))).status).toBe(200);
    for (let i = 0; i < 3; i++) expectError(await send(sim, orderUpdate('16505550002')), 400, 131026);
    expect((await send(sim, orderUpdate('16505559999'))).status).toBe(200);
    const held = (to: string) =>
      request(`${sim.url}/v23.0/${PHONE}/messages`, { method: 'POST', headers: { authorization: 'Bearer dev-token' }, body: JSON.stringify(orderUpdate(to)), signal: AbortSignal.timeout(200) });
    await expect(held('16505550003')).rejects.toThrow();
    await expect(held('16505550004')).rejects.toThrow();
    expect(sim.ledger.countFor('16505550003')).toBe(0);
    expect(sim.ledger.countFor('16505550004')).toBe(1);
    expect((await send(sim, orderUpdate('16505550003'))).status).toBe(200);
    expect(sim.ledger.summary()).toMatchObject({ accepted: 4, timeouts: 2 });
    // Used-up rules are gone; the permanent one stays; reset restores the startup set (none).
    expect(Object.keys(sim.faults.recipientFaults)).toEqual(['16505550002']);
    const bad = await request(`${sim.url}/_sim/faults`, { method: 'PATCH', body: JSON.stringify({ recipientFaults: { '1650555': { code: 131000, timeout: 'dropped' } } }) });
    expect(bad.statusCode).toBe(400);
    await bad.body.dump();
    sim.reset();
    expect(sim.faults.recipientFaults).toEqual({});
  });

  test('ledger: counts per recipient and the duplicate count', async () => {
    for (const to of ['15550000001', '15550000002', '+1 555 000 0001', '15550000003', '15550000001', '15550000002']) {
      expect((await send(sim, orderUpdate(to))).status).toBe(200);
    }
    expect(sim.ledger.summary()).toMatchObject({ accepted: 6, uniqueRecipients: 3, duplicates: 2, duplicateMessages: 3 });
    const control = await get(sim, '/_sim/ledger', null);
    expect(control.body).toMatchObject({ accepted: 6, duplicates: 2 });
    const one = await get(sim, '/_sim/ledger/recipients/15550000001', null);
    expect(one.body.count).toBe(3);
    expect(one.body.messages[0].template.body).toEqual(['Ann', 'A-1']);
    const dups = await get(sim, '/_sim/ledger/duplicates', null);
    expect(dups.body.duplicates).toEqual([
      { waId: '15550000001', count: 3 },
      { waId: '15550000002', count: 2 },
    ]);
    const rate = await get(sim, '/_sim/ledger/rate', null);
    expect(rate.body.perSecond).toEqual([{ second: Math.floor(clock.now() / 1000), accepted: 6 }]);
  });
});

describe('GET /{version}/{waba-id}/message_templates', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());

  test('pages through the registry with cursors; pages valid against Meta’s response schema', async () => {
    const names: string[] = [];
    let path: string | undefined = '/v23.0/102290129340398/message_templates?limit=4';
    let pages = 0;
    while (path) {
      const reply = await get(sim, path);
      expect(reply.status).toBe(200);
      expectValid(templatesSchema, reply.body);
      names.push(...(reply.body.data as Array<{ name: string; language: string }>).map((t) => `${t.name}/${t.language}`));
      pages++;
      const next = reply.body.paging?.next as string | undefined;
      path = next ? next.slice(sim.url.length) : undefined;
    }
    expect(pages).toBe(3);
    expect(names).toEqual(sim.templates.all().map((t) => `${t.name}/${t.language}`));
    expect(new Set(names).size).toBe(9);

    const second = await get(sim, '/v23.0/102290129340398/message_templates?limit=4&after=' + (await get(sim, '/v23.0/1/message_templates?limit=4')).body.paging.cursors.after);
    const back = await get(sim, '/v23.0/102290129340398/message_templates?limit=4&before=' + second.body.paging.cursors.before);
    expect(back.body.data.map((t: { id: string }) => t.id)).toEqual(sim.templates.all().slice(0, 4).map((t) => t.id));
    expect(second.body.paging.previous).toEqual(expect.stringContaining('before='));
  });

  test('filters by name and status, and checks the token', async () => {
    const byName = await get(sim, '/v23.0/1/message_templates?name=order_update');
    expect(byName.body.data.map((t: { language: string }) => t.language)).toEqual(['en_US', 'es_ES']);
    const paused = await get(sim, '/v23.0/1/message_templates?status=PAUSED');
    expect(paused.body.data.map((t: { name: string }) => t.name)).toEqual(['flash_sale']);
    expectError(await get(sim, '/v23.0/1/message_templates', 'bad'), 401, 190);
  });

  test('GET /{phone-number-id}?fields=throughput', async () => {
    const reply = await get(sim, '/v23.0/106540352242922?fields=throughput');
    expect(reply.body).toEqual({ id: '106540352242922', throughput: { level: 'STANDARD' } });
  });
});
