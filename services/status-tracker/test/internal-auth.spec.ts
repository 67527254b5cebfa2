import { randomUUID } from 'node:crypto';
import {
  AUTH,
  createTestTopics,
  INTERNAL_TOKEN,
  PHONE_NUMBER_ID,
  randomPrefix,
  sign,
  startTracker,
  statusWebhook,
  TEMPLATE,
  type RunningTracker,
} from './support.js';

/**
 * The internal API (`/internal/*`) requires `authorization: Bearer <INTERNAL_API_TOKEN>`: one
 * request of every route family is refused without it, with another token, or with another scheme,
 * and nothing it asked for happens; with the token every family answers. Meta's webhooks, the
 * probes and /metrics need no token. The token never appears in the tracker's output.
 */
describe('status-tracker internal API authentication', () => {
  const prefix = randomPrefix();
  const tenant = `auth-${randomUUID().slice(0, 8)}`;
  const id = randomUUID();
  const phone = `+4915${String(Date.now()).slice(-9)}`;
  let tracker: RunningTracker;

  beforeAll(async () => {
    await createTestTopics(prefix);
    tracker = await startTracker({ prefix, database: 'pglite' });
  }, 120_000);

  afterAll(async () => {
    if (tracker) expect(await tracker.stop()).toEqual({ code: 0, signal: null });
  });

  const draft = {
    tenantId: tenant,
    phoneNumberId: PHONE_NUMBER_ID,
    template: TEMPLATE,
    mapping: { phoneColumn: 'phone', body: [] },
    object: { bucket: 'broadcasts', key: `${tenant}/${id}.csv` },
  };
  const later = () => new Date(Date.now() + 3_600_000).toISOString();
  const claimToken = `claim-${randomUUID()}`;

  /** One request of each route family, with the status it gets when authorised (in this order). */
  const routes = (): { method: string; path: string; body?: unknown; status: number }[] => [
    { method: 'PUT', path: `/internal/broadcasts/${id}`, body: draft, status: 201 },
    { method: 'GET', path: '/internal/broadcasts', status: 200 },
    { method: 'GET', path: `/internal/broadcasts/${id}`, status: 200 },
    { method: 'GET', path: `/internal/broadcasts/${id}/recipients`, status: 200 },
    { method: 'GET', path: `/internal/broadcasts/${id}/report.csv`, status: 200 },
    { method: 'GET', path: `/internal/broadcasts/${id}/wave-rows`, status: 200 },
    { method: 'POST', path: `/internal/broadcasts/${id}/waves`, body: {}, status: 409 },
    {
      method: 'PUT',
      path: `/internal/broadcasts/${id}/schedule`,
      body: { startAt: later() },
      status: 200,
    },
    { method: 'DELETE', path: `/internal/broadcasts/${id}/schedule`, status: 200 },
    { method: 'POST', path: '/internal/schedules/claim', body: { claimToken }, status: 200 },
    {
      method: 'POST',
      path: '/internal/schedules/finish',
      body: { tenantId: tenant, broadcastId: id, claimToken, status: 'started' },
      status: 200,
    },
    { method: 'PUT', path: `/internal/suppressions/${phone}`, status: 201 },
    { method: 'GET', path: '/internal/suppressions', status: 200 },
    { method: 'GET', path: `/internal/suppressions/${phone}`, status: 200 },
    {
      method: 'POST',
      path: '/internal/suppressions/check',
      body: { phones: [phone] },
      status: 200,
    },
    { method: 'DELETE', path: `/internal/suppressions/${phone}`, status: 204 },
  ];

  const send = (
    route: { method: string; path: string; body?: unknown },
    headers: Record<string, string>,
  ) =>
    fetch(`${tracker.url}${route.path}`, {
      method: route.method,
      headers: {
        'x-tenant-id': tenant,
        ...(route.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(route.body !== undefined ? { body: JSON.stringify(route.body) } : {}),
    });

  const wrong: [string, Record<string, string>][] = [
    ['no authorization header', {}],
    [
      'another token of the same length',
      { authorization: `Bearer ${'x'.repeat(INTERNAL_TOKEN.length)}` },
    ],
    ['a prefix of the token', { authorization: `Bearer ${INTERNAL_TOKEN.slice(0, -1)}` }],
    ['the token with another scheme', { authorization: `Basic ${INTERNAL_TOKEN}` }],
    ['the bare token', { authorization: INTERNAL_TOKEN }],
  ];

  it.each(wrong)(
    'refuses every route family with 401 given %s, doing nothing',
    async (_, headers) => {
      for (const route of routes()) {
        const res = await send(route, headers);
        expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({
          route: `${route.method} ${route.path}`,
          status: 401,
        });
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
        expect(await res.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      }
      // Nothing was created: neither the draft nor the suppression.
      expect((await send({ method: 'GET', path: `/internal/broadcasts/${id}` }, AUTH)).status).toBe(
        404,
      );
      expect(
        (await send({ method: 'GET', path: `/internal/suppressions/${phone}` }, AUTH)).status,
      ).toBe(404);
    },
  );

  it('serves every route family with the token (scheme case-insensitive)', async () => {
    for (const [index, route] of routes().entries()) {
      const headers = index % 2 === 0 ? AUTH : { authorization: `bearer ${INTERNAL_TOKEN}` };
      const res = await send(route, headers);
      const text = await res.text();
      expect({ route: `${route.method} ${route.path}`, status: res.status, text }).toMatchObject({
        route: `${route.method} ${route.path}`,
        status: route.status,
      });
    }
  });

  it('leaves the webhooks, probes and metrics open', async () => {
    const body = statusWebhook([{ wamid: `wamid.${randomUUID()}`, status: 'delivered' }]);
    const webhook = await fetch(`${tracker.url}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) },
      body,
    });
    expect(webhook.status).toBe(200);
    expect(await webhook.json()).toEqual({ received: 1 });
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      expect({ path, status: (await fetch(`${tracker.url}${path}`)).status }).toEqual({
        path,
        status: 200,
      });
    }
  });

  it('never writes the token to its output', () => {
    expect(tracker.proc.output()).toContain('"msg":"consuming"');
    expect(tracker.proc.output()).not.toContain(INTERNAL_TOKEN);
  });
});
