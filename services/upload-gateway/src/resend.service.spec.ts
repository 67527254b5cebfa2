import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateEvent } from '@wab/contracts';
import { createLogger } from '@wab/service-runtime';
import { HttpResendWaves } from './adapters/http-resend-waves.adapter.js';
import { InMemoryEventBus } from './adapters/in-memory.adapters.js';
import { GatewayError } from './domain/errors.js';
import { ResendService } from './resend.service.js';

/**
 * ResendService over HttpResendWaves against a stand-in of status-tracker's
 * `POST /internal/broadcasts/{id}/waves` (answers as the real one does, per tenant and id).
 */
const uploaded = {
  broadcastId: 'w-1',
  object: { bucket: 'broadcasts', key: 'acme/b1.csv' },
  phoneNumberId: '106540352242922',
  template: { name: 'order_update', language: 'en_US' },
  mapping: { phoneColumn: 'phone', body: [] },
  wave: { number: 2, parentBroadcastId: 'b1', selection: 'status-tracker' as const },
};

/** INTERNAL_API_TOKEN: the stand-in answers 401 without it, as status-tracker does. */
const TOKEN = 'test-internal-api-token-0123456789abcdef';

describe('ResendService', () => {
  let server: Server;
  let base: string;
  const seen: { tenant: string | undefined; id: string; body: unknown }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        const id = decodeURIComponent(req.url!.split('/')[3]!);
        const tenant = req.headers['x-tenant-id'] as string | undefined;
        if (req.headers.authorization !== `Bearer ${TOKEN}`) {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ statusCode: 401, message: 'no token' }));
          return;
        }
        seen.push({ tenant, id, body: JSON.parse(text || '{}') });
        const answer = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        if (tenant !== 'acme') return answer(404, { statusCode: 404, message: 'not found' });
        switch (id) {
          case 'b1':
            return answer(201, {
              id: 'w-1',
              parentBroadcastId: 'b1',
              wave: 2,
              selected: 3,
              created: true,
              uploaded,
            });
          case 'running':
            return answer(409, {
              statusCode: 409,
              code: 'broadcast-running',
              message: 'broadcast running is still sending: resend once it is over',
              state: 'sending',
            });
          case 'done':
            return answer(422, { statusCode: 422, code: 'nothing-to-resend', message: 'nothing' });
          case 'bad':
            return answer(400, { statusCode: 400, message: 'error code 131008 is never resent' });
          default:
            return answer(404, { statusCode: 404, message: 'not found' });
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const setup = () => {
    const events = new InMemoryEventBus();
    const service = new ResendService(
      new HttpResendWaves({ baseUrl: base, timeoutMs: 5000, token: TOKEN }),
      events,
      createLogger('test', 'silent'),
    );
    return { events, service };
  };
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  };

  it('202: publishes the wave as a valid broadcast.uploaded and answers its id and count', async () => {
    const { events, service } = setup();
    const accepted = await service.resend('acme', 'b1', { errorCodes: [131000] }, 'r1');
    expect(accepted).toEqual({
      id: 'w-1',
      parentBroadcastId: 'b1',
      wave: 2,
      selected: 3,
      statusUrl: '/v1/broadcasts/w-1',
    });
    expect(seen.at(-1)).toEqual({ tenant: 'acme', id: 'b1', body: { errorCodes: [131000] } });
    expect(events.published).toHaveLength(1);
    const { topic, event } = events.published[0]!;
    expect(topic).toBe('uploaded');
    expect(validateEvent(event)).toEqual([]);
    expect(event).toMatchObject({
      type: 'broadcast.uploaded',
      tenantId: 'acme',
      correlationId: 'w-1',
      payload: { broadcastId: 'w-1', wave: { number: 2, parentBroadcastId: 'b1' } },
    });
  });

  it('409 while running, 422 when nothing is eligible, 400 for a never-resent code; nothing published', async () => {
    const { events, service } = setup();
    const running = await failure(service.resend('acme', 'running', undefined, 'r2'));
    expect([running.kind, running.code, running.details]).toEqual([
      'conflict',
      'broadcast-running',
      { state: 'sending' },
    ]);
    const nothing = await failure(service.resend('acme', 'done', {}, 'r3'));
    expect([nothing.kind, nothing.code]).toEqual(['unprocessable', 'nothing-to-resend']);
    const bad = await failure(service.resend('acme', 'bad', { errorCodes: [131008] }, 'r4'));
    expect([bad.kind, bad.message]).toEqual([
      'invalid-request',
      'error code 131008 is never resent',
    ]);
    const malformed = await failure(service.resend('acme', 'b1', { states: 'failed' }, 'r5'));
    expect(malformed.kind).toBe('invalid-request');
    const extra = await failure(service.resend('acme', 'b1', { everyone: true }, 'r6'));
    expect(extra.kind).toBe('invalid-request');
    expect(events.published).toEqual([]);
  });

  it("404 for another tenant's broadcast, exactly like a missing one", async () => {
    const { events, service } = setup();
    const other = await failure(service.resend('globex', 'b1', undefined, 'r7'));
    const missing = await failure(service.resend('acme', 'nope', undefined, 'r8'));
    expect([other.kind, other.code]).toEqual([missing.kind, missing.code]);
    expect(other.kind).toBe('not-found');
    expect(seen.at(-2)?.tenant).toBe('globex');
    expect(events.published).toEqual([]);
  });
});
