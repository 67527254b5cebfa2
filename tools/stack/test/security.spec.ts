// Security properties of the public surface, on a running stack with the real status-tracker:
// tenant isolation on every broadcast endpoint (two tenants' keys on one gateway), webhook
// signatures over the raw body, the internal API token of status-tracker, pre-signed URL expiry,
// request size limits and security headers.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  fixtureBroadcast,
  GatewayClient,
  startStack,
  waitUntil,
  writeRecipientsCsv,
  type Stack,
} from '../src/index.ts';

const MB = 1024 * 1024;
const PRESIGN_SECONDS = 2;
const MAX_UPLOAD_BYTES = 20 * MB;

const key = () => `wab_${randomBytes(24).toString('base64url')}`;
const entry = (tenant: string, apiKey: string) =>
  `${tenant}:${createHash('sha256').update(apiKey).digest('hex')}`;

/** PUTs `total` bytes of CSV-ish text produced by a generator (never a file), chunked; resolves with the status. */
function streamUpload(url: string, apiKey: string, total: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'PUT',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/csv' },
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const line = Buffer.from('+919876543210,Asha,A-1\n'.repeat(2800)); // ~64 KiB
    let written = 0;
    const pump = (): void => {
      while (!answered && written < total) {
        written += line.length;
        if (!req.write(line)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    req.write('phone,first_name,order_id\n');
    pump();
  });
}

describe('security on a running stack', () => {
  let stack: Stack;
  const keyA = key();
  const keyB = key();
  let a: GatewayClient;
  let b: GatewayClient;
  let broadcastA: string;
  const dir = mkdtempSync(path.join(tmpdir(), 'wab-security-'));
  const csv = path.join(dir, 'recipients.csv');
  const create = (client: GatewayClient) =>
    client.createBroadcast(fixtureBroadcast({ name: 'security' }));

  beforeAll(async () => {
    await writeRecipientsCsv(csv, 50, 9);
    stack = await startStack({
      simulatorArgs: ['--mps', '1000', '--latency', 'uniform:5:20', '--seed', '8'],
      env: {
        dispatcher: { SENDER_DEFAULT_MPS: '1000' },
        'upload-gateway': {
          API_KEYS: `${entry('acme', keyA)},${entry('globex', keyB)}`,
          PRESIGN_EXPIRES_SECONDS: String(PRESIGN_SECONDS),
          MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
        },
      },
    });
    a = new GatewayClient(stack.gatewayUrl, keyA);
    b = new GatewayClient(stack.gatewayUrl, keyB);
    broadcastA = (await create(a)).id;
    await a.uploadFile(broadcastA, csv);
    await a.start(broadcastA);
    const final = await a.follow(broadcastA, () => undefined, { timeoutMs: 120_000 });
    expect(final.state).toBe('completed');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("answers 404 to another tenant's broadcast id on every broadcast endpoint, and 200 to its owner", async () => {
    const endpoints: { method: string; path: string; body?: string; contentType?: string }[] = [
      { method: 'GET', path: '' },
      { method: 'GET', path: '/recipients' },
      { method: 'GET', path: '/report.csv' },
      { method: 'GET', path: '/events' },
      {
        method: 'PUT',
        path: '/file',
        body: 'phone,first_name,order_id\n+919876543210,Asha,A-1\n',
        contentType: 'text/csv',
      },
      { method: 'POST', path: '/start' },
      { method: 'POST', path: '/dry-run', body: '{}', contentType: 'application/json' },
      { method: 'POST', path: '/pause', body: '{"reason":"x"}', contentType: 'application/json' },
      { method: 'POST', path: '/resume', body: '{"reason":"x"}', contentType: 'application/json' },
      { method: 'POST', path: '/cancel', body: '{"reason":"x"}', contentType: 'application/json' },
    ];
    const answers: Record<string, number> = {};
    for (const endpoint of endpoints) {
      const response = await fetch(
        `${stack.gatewayUrl}/v1/broadcasts/${broadcastA}${endpoint.path}`,
        {
          method: endpoint.method,
          headers: {
            authorization: `Bearer ${keyB}`,
            ...(endpoint.contentType ? { 'content-type': endpoint.contentType } : {}),
          },
          ...(endpoint.body ? { body: endpoint.body } : {}),
        },
      );
      await response.body?.cancel();
      answers[`${endpoint.method} ${endpoint.path || '/'}`] = response.status;
    }
    expect(answers).toEqual(Object.fromEntries(Object.keys(answers).map((name) => [name, 404])));

    // Key B is valid (the 404s are not 401s in disguise): it creates its own broadcast.
    expect((await create(b)).id).not.toBe(broadcastA);
    // The list of the other tenant does not contain it either; the owner still sees it.
    const listB = await (
      await fetch(`${stack.gatewayUrl}/v1/broadcasts`, {
        headers: { authorization: `Bearer ${keyB}` },
      })
    ).json();
    expect(JSON.stringify(listB)).not.toContain(broadcastA);
    expect((await a.status(broadcastA)).state).toBe('completed');
    expect(await a.reportCsv(broadcastA)).toContain('phone');
  });

  it("refuses status-tracker's internal API without the internal token: no header, a tenant's API key, another token", async () => {
    const phone = `+4917${String(Date.now()).slice(-8)}`;
    const routes = [
      { method: 'GET', path: `/internal/broadcasts/${broadcastA}`, ok: 200 },
      { method: 'GET', path: `/internal/broadcasts/${broadcastA}/report.csv`, ok: 200 },
      { method: 'GET', path: `/internal/suppressions/${phone}`, ok: 404 },
      { method: 'DELETE', path: `/internal/suppressions/${phone}`, ok: 404 },
      { method: 'DELETE', path: `/internal/broadcasts/${broadcastA}/schedule`, ok: 409 },
    ];
    const call = (route: { method: string; path: string }, authorization?: string) =>
      fetch(`${stack.trackerUrl}${route.path}`, {
        method: route.method,
        headers: { 'x-tenant-id': 'acme', ...(authorization ? { authorization } : {}) },
      });
    const refused = [
      undefined,
      `Bearer ${keyA}`,
      `Bearer ${randomBytes(32).toString('base64url')}`,
      `Basic ${stack.internalApiToken}`,
    ];
    const seen: string[] = [];
    for (const route of routes) {
      for (const authorization of refused) {
        const res = await call(route, authorization);
        await res.body?.cancel();
        seen.push(
          `${route.method} ${route.path} ${authorization?.split(' ')[0] ?? '-'}: ${res.status}`,
        );
      }
      const res = await call(route, `Bearer ${stack.internalApiToken}`);
      await res.body?.cancel();
      seen.push(`${route.method} ${route.path} token: ${res.status}`);
    }
    expect(seen).toEqual(
      routes.flatMap((route) => [
        ...refused.map(
          (authorization) =>
            `${route.method} ${route.path} ${authorization?.split(' ')[0] ?? '-'}: 401`,
        ),
        `${route.method} ${route.path} token: ${route.ok}`,
      ]),
    );
    // The gateway (which holds the token) still serves the tenant.
    expect((await a.status(broadcastA)).state).toBe('completed');
  });

  it('refuses a webhook whose body was re-serialised (same JSON, other whitespace) under the original signature', async () => {
    const raw = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
    const signature = `sha256=${createHmac('sha256', stack.appSecret).update(raw).digest('hex')}`;
    const post = (body: string) =>
      fetch(`${stack.trackerUrl}/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
        body,
      });
    expect((await post(raw)).status).toBe(200);
    const reserialised = JSON.stringify(JSON.parse(raw), null, 2);
    expect(JSON.parse(reserialised)).toEqual(JSON.parse(raw));
    expect((await post(reserialised)).status).toBe(401);
  });

  it('pre-signed upload URLs expire (PRESIGN_EXPIRES_SECONDS): a PUT after expiry is 403', async () => {
    const created = await create(a);
    const issuedAt = Date.now();
    expect(created.upload.method).toBe('PUT');
    // Wait past expiry (plus a second of signature-date granularity) by polling the clock with a deadline.
    await waitUntil(
      'the pre-signed URL to expire',
      () =>
        Promise.resolve(Date.now() > issuedAt + (PRESIGN_SECONDS + 1.5) * 1000 ? true : undefined),
      10_000,
      100,
    );
    const response = await fetch(created.upload.url, {
      method: 'PUT',
      headers: { ...created.upload.headers },
      body: 'phone,first_name,order_id\n+919876543210,Asha,A-1\n',
    });
    await response.body?.cancel();
    expect(response.status).toBe(403);
  });

  it('refuses a JSON body over MAX_JSON_BYTES with 413', async () => {
    const response = await fetch(`${stack.gatewayUrl}/v1/broadcasts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keyA}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(300 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBeDefined();
  });

  it('refuses a 200 MB upload streamed from a generator over MAX_UPLOAD_BYTES with 413', async () => {
    const created = await create(a);
    const status = await streamUpload(
      `${stack.gatewayUrl}/v1/broadcasts/${created.id}/file`,
      keyA,
      200 * MB,
    );
    expect(status).toBe(413);
  });

  it('sends security headers (helmet) and no x-powered-by', async () => {
    for (const url of [
      `${stack.gatewayUrl}/v1/templates`,
      `${stack.gatewayUrl}/v1/broadcasts/nope`,
      `${stack.gatewayUrl}/healthz`,
    ]) {
      const response = await fetch(url, { headers: { authorization: `Bearer ${keyA}` } });
      await response.body?.cancel();
      expect({
        url,
        nosniff: response.headers.get('x-content-type-options'),
        frame: response.headers.get('x-frame-options'),
        csp: response.headers.get('content-security-policy')?.includes("default-src 'self'"),
        hsts: response.headers.has('strict-transport-security'),
        poweredBy: response.headers.get('x-powered-by'),
      }).toEqual({
        url,
        nosniff: 'nosniff',
        frame: 'SAMEORIGIN',
        csp: true,
        hsts: true,
        poweredBy: null,
      });
    }
  });
});
