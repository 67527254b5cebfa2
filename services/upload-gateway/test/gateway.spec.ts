/**
 * upload-gateway as a process against the real Kafka broker, the S3 server (which checks SigV4
 * signatures) and the WhatsApp simulator; status-tracker is a fake of its internal API here (the
 * end-to-end suite runs the real one).
 */
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { decodeEvent, topicName } from '@wab/contracts';
import { ensureTopics } from '@wab/kafka-runtime';
import { waitFor, type RunningProcess } from '@wab/service-runtime/testing';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import {
  FakeStatusTracker,
  generatedCsv,
  infra,
  randomName,
  s3Client,
  SIMULATOR_TOKEN,
  startGateway,
  startSimulator,
  stopProcess,
  WABA_ID,
} from './support.js';

const MiB = 1024 * 1024;
const MAX_UPLOAD_BYTES = 12 * MiB;
const KEYS = { acme: 'wab_test-key-acme', globex: 'wab_test-key-globex' };
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

const PHONE_NUMBER_ID = '106540352242922';
const orderUpdate = {
  name: 'June shipping',
  template: { name: 'order_update', language: 'en_US' },
  phoneNumberId: PHONE_NUMBER_ID,
  mapping: {
    phoneColumn: 'phone',
    body: [
      { position: 1, column: 'first_name' },
      { position: 2, column: 'order_id' },
    ],
  },
  defaultCountry: 'DE',
};
const CSV = 'phone,first_name,order_id\n+4915123456789,Ada,A-1001\n0151 2345 6780,Grace,A-1002\n';

interface ErrorAnswer {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

describe('upload-gateway HTTP API (real Kafka, S3 and simulator)', () => {
  const prefix = `${randomName('test-gw')}.`;
  const tracker = new FakeStatusTracker();
  let simulator: RunningProcess | undefined;
  let gateway: RunningProcess | undefined;
  let base = '';
  let s3: S3Client;
  let consumer: Consumer;
  const consumed: { key: string | null; value: Buffer }[] = [];

  const api = (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const { key = KEYS.acme, headers, ...rest } = init;
    return fetch(`${base}${path}`, {
      ...rest,
      headers: {
        ...(key === null ? {} : { authorization: `Bearer ${key}` }),
        ...(headers as Record<string, string>),
      },
    });
  };
  const postJson = (path: string, body: unknown, key?: string | null) =>
    api(path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
      ...(key === undefined ? {} : { key }),
    });
  const create = async (body: unknown = orderUpdate, key?: string) => {
    const res = await postJson('/v1/broadcasts', body, key);
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(json)}`);
    return json as {
      id: string;
      upload: { url: string; method: string; headers: Record<string, string>; expiresAt: string };
      fileUrl: string;
    };
  };
  const uploadFile = (id: string, body: string | Buffer, key = KEYS.acme) =>
    api(`/v1/broadcasts/${id}/file`, {
      method: 'PUT',
      body,
      headers: { 'content-type': 'text/csv' },
      key,
    });
  const expectError = async (
    res: Response,
    status: number,
    code: string,
  ): Promise<ErrorAnswer['error']> => {
    const body = (await res.json()) as ErrorAnswer;
    expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
    expect(typeof body.error.message).toBe('string');
    return body.error;
  };

  beforeAll(async () => {
    s3 = s3Client();
    await ensureTopics(infra.KAFKA_BROKERS, { prefix, only: ['uploaded'] });
    const kafka = new Kafka({
      clientId: 'gateway-test',
      brokers: infra.KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    });
    consumer = kafka.consumer({ groupId: randomName('gateway-test'), maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: topicName('uploaded', prefix), fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        consumed.push({
          key: message.key?.toString() ?? null,
          value: message.value ?? Buffer.alloc(0),
        });
        return Promise.resolve();
      },
    });

    const [sim, trackerUrl] = await Promise.all([startSimulator(), tracker.start()]);
    simulator = sim.proc;
    const started = await startGateway({
      ...infra,
      KAFKA_TOPIC_PREFIX: prefix,
      API_KEYS: `acme:${sha(KEYS.acme)},globex:${sha(KEYS.globex)}`,
      STATUS_TRACKER_URL: trackerUrl,
      WHATSAPP_API_BASE_URL: sim.url,
      WHATSAPP_TOKEN: SIMULATOR_TOKEN,
      WHATSAPP_WABA_ID: WABA_ID,
      MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
      PRESIGN_EXPIRES_SECONDS: '300',
      // The fake status-tracker has no schedule routes: no runner polling it.
      SCHEDULE_POLL_MS: '0',
    });
    gateway = started.proc;
    base = started.url;
  }, 120_000);

  afterAll(async () => {
    await consumer?.disconnect().catch(() => undefined);
    await stopProcess(gateway);
    if (process.env.GATEWAY_TEST_LOG)
      (await import('node:fs')).writeFileSync(
        process.env.GATEWAY_TEST_LOG,
        gateway?.output() ?? '',
      );
    await stopProcess(simulator);
    await tracker.close();
    s3?.destroy();
  });

  describe('authentication', () => {
    it('401 without a key, with a wrong key, with Basic auth; JSON that says what to send', async () => {
      const none = await expectError(
        await api('/v1/templates', { key: null }),
        401,
        'missing-api-key',
      );
      expect(none.message).toContain('Authorization: Bearer <api key>');
      await expectError(await api('/v1/templates', { key: 'wab_wrong' }), 401, 'invalid-api-key');
      await expectError(
        await api('/v1/templates', { key: null, headers: { authorization: 'Basic YTpi' } }),
        401,
        'invalid-api-key',
      );
      const res = await api('/v1/broadcasts', { key: null, method: 'POST' });
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
      await expectError(res, 401, 'missing-api-key');
    });

    it('accepts x-api-key as well as Bearer', async () => {
      const res = await fetch(`${base}/v1/templates`, { headers: { 'x-api-key': KEYS.globex } });
      expect(res.status).toBe(200);
    });
  });

  describe('GET /v1/templates', () => {
    it("lists the sender's APPROVED templates with their parameters", async () => {
      const res = await api(`/v1/templates?phoneNumberId=${PHONE_NUMBER_ID}`);
      expect(res.status).toBe(200);
      const { data } = (await res.json()) as {
        data: {
          name: string;
          language: string;
          status: string;
          parameters: unknown;
          body: string;
        }[];
      };
      const names = data.map((t) => `${t.name}/${t.language}`);
      expect(names).toEqual(
        expect.arrayContaining([
          'order_update/en_US',
          'order_update/es_ES',
          'order_confirmation/en_US',
          'shipping_tracking/en_US',
        ]),
      );
      expect(names).not.toContain('flash_sale/en_US'); // PAUSED
      expect(names).not.toContain('loan_offer/en_US'); // REJECTED
      expect(data.every((t) => t.status === 'APPROVED')).toBe(true);
      expect(data.find((t) => t.name === 'order_update' && t.language === 'en_US')).toMatchObject({
        body: 'Hi {{1}}, your order {{2}} has shipped.',
        parameterFormat: 'positional',
        parameters: {
          body: [
            { position: 1, example: 'Jessica' },
            { position: 2, example: 'A-1001' },
          ],
          buttons: [],
        },
      });
      expect(data.find((t) => t.name === 'shipping_tracking')).toMatchObject({
        parameters: {
          header: { type: 'image' },
          body: [{ position: 1 }],
          buttons: [{ index: 0, subType: 'url', required: true }],
        },
      });
      expect(data.find((t) => t.name === 'order_confirmation')).toMatchObject({
        parameterFormat: 'named',
        parameters: {
          body: [{ name: 'customer_name' }, { name: 'order_number' }, { name: 'delivery_date' }],
        },
      });
    });
  });

  describe('POST /v1/broadcasts', () => {
    it('201 with a pre-signed URL that works with a plain fetch PUT; registered with status-tracker', async () => {
      const created = await create();
      expect(created).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
        state: 'created',
        upload: { method: 'PUT', headers: { 'content-type': 'text/csv' } },
        fileUrl: `/v1/broadcasts/${created.id}/file`,
      });
      expect(Date.parse(created.upload.expiresAt) - Date.now()).toBeGreaterThan(250_000);
      const put = await fetch(created.upload.url, {
        method: 'PUT',
        body: CSV,
        headers: created.upload.headers,
      });
      expect(put.status).toBe(200);
      const key = `uploads/acme/${created.id}.csv`;
      const object = await s3.send(new GetObjectCommand({ Bucket: infra.S3_BUCKET, Key: key }));
      expect(await object.Body?.transformToString()).toBe(CSV);

      const registered = tracker.broadcasts.get(created.id);
      expect(registered?.registration).toEqual({
        tenantId: 'acme',
        name: 'June shipping',
        phoneNumberId: PHONE_NUMBER_ID,
        template: { name: 'order_update', language: 'en_US', parameterFormat: 'positional' },
        mapping: orderUpdate.mapping,
        defaultCountry: 'DE',
        object: { bucket: infra.S3_BUCKET, key },
      });
      expect(
        tracker.requests.find((r) => r.method === 'PUT' && r.url.endsWith(created.id))?.tenantId,
      ).toBe('acme');
    });

    it('a tampered pre-signed URL is refused by the store (signature checked)', async () => {
      const created = await create();
      const tampered = created.upload.url.replace(`${created.id}.csv`, `${created.id}-other.csv`);
      const put = await fetch(tampered, {
        method: 'PUT',
        body: CSV,
        headers: created.upload.headers,
      });
      expect(put.status).toBe(403);
    });

    it('422 naming an unknown template, an unknown language, a template that is not APPROVED', async () => {
      const unknown = await expectError(
        await postJson('/v1/broadcasts', {
          ...orderUpdate,
          template: { name: 'promo', language: 'en_US' },
        }),
        422,
        'unknown-template',
      );
      expect(unknown.message).toBe('template "promo" does not exist');
      const language = await expectError(
        await postJson('/v1/broadcasts', {
          ...orderUpdate,
          template: { name: 'order_update', language: 'fr' },
        }),
        422,
        'unknown-language',
      );
      expect(language.message).toBe(
        'template "order_update" has no approved language "fr" (approved: en_US, es_ES)',
      );
      const paused = await expectError(
        await postJson('/v1/broadcasts', {
          ...orderUpdate,
          template: { name: 'flash_sale', language: 'en_US' },
        }),
        422,
        'template-not-approved',
      );
      expect(paused.message).toContain('PAUSED');
    });

    it('422 naming a parameter the mapping misses, or one the template does not have', async () => {
      const missing = await expectError(
        await postJson('/v1/broadcasts', {
          ...orderUpdate,
          mapping: { phoneColumn: 'phone', body: [{ position: 1, column: 'first_name' }] },
        }),
        422,
        'missing-parameter',
      );
      expect(missing.message).toContain(
        'mapping misses body parameter {{2}} of template "order_update" (en_US)',
      );
      expect(missing.details?.problems).toEqual([
        expect.objectContaining({ parameter: 'body {{2}}' }) as unknown,
      ]);
      const extra = await expectError(
        await postJson('/v1/broadcasts', {
          ...orderUpdate,
          mapping: {
            ...orderUpdate.mapping,
            buttons: [{ index: 0, subType: 'url', column: 'code' }],
          },
        }),
        422,
        'unexpected-parameter',
      );
      expect(extra.message).toContain(
        'maps button 0, which template "order_update" (en_US) does not have',
      );
    });

    it('400 for malformed JSON, a body that breaks the schema or has unknown fields; 413 over the JSON limit', async () => {
      const res = await api('/v1/broadcasts', {
        method: 'POST',
        body: '{"name": ',
        headers: { 'content-type': 'application/json' },
      });
      await expectError(res, 400, 'invalid-json');
      const schema = await expectError(
        await postJson('/v1/broadcasts', { ...orderUpdate, phoneNumberId: 42, colour: 'red' }),
        400,
        'invalid-request',
      );
      expect(schema.message).toContain('phoneNumberId');
      expect(schema.message).toContain('colour');
      await expectError(
        await api('/v1/broadcasts', {
          method: 'POST',
          body: 'name=x',
          headers: { 'content-type': 'text/plain' },
        }),
        400,
        'invalid-request',
      );
      const big = { ...orderUpdate, name: 'x'.repeat(300 * 1024) };
      await expectError(await postJson('/v1/broadcasts', big), 413, 'body-too-large');
    });
  });

  describe('PUT /v1/broadcasts/{id}/file (streamed)', () => {
    it('streams a multi-part file to the store (11 MiB, chunked, no Content-Length)', async () => {
      const { id } = await create();
      const { body, sha256 } = generatedCsv(11 * MiB);
      const res = await fetch(`${base}/v1/broadcasts/${id}/file`, {
        method: 'PUT',
        body: Readable.toWeb(body) as ReadableStream,
        headers: { authorization: `Bearer ${KEYS.acme}`, 'content-type': 'text/csv' },
        duplex: 'half',
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        id,
        sizeBytes: 11 * MiB,
        startUrl: `/v1/broadcasts/${id}/start`,
      });
      const object = await s3.send(
        new GetObjectCommand({ Bucket: infra.S3_BUCKET, Key: `uploads/acme/${id}.csv` }),
      );
      const stored = createHash('sha256');
      for await (const piece of object.Body as Readable) stored.update(piece as Buffer);
      expect(stored.digest('hex')).toBe(sha256());
    });

    it('never parses the upload, whatever its content type', async () => {
      const { id } = await create();
      const res = await api(`/v1/broadcasts/${id}/file`, {
        method: 'PUT',
        body: '{"not": "parsed"}',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ sizeBytes: 17 });
    });

    it('413 by Content-Length before reading anything', async () => {
      const { id } = await create();
      const res = await sendRaw(
        `/v1/broadcasts/${id}/file`,
        { 'content-length': String(MAX_UPLOAD_BYTES + 1) },
        Buffer.alloc(64 * 1024),
      );
      expect(res.status).toBe(413);
      expect(res.headers.connection).toBe('close');
      expect(JSON.parse(res.body)).toEqual({
        error: {
          code: 'file-too-large',
          message: `the file is ${MAX_UPLOAD_BYTES + 1} bytes, over the limit of ${MAX_UPLOAD_BYTES} bytes`,
          details: { limitBytes: MAX_UPLOAD_BYTES, sizeBytes: MAX_UPLOAD_BYTES + 1 },
        },
      });
      await expectNoObject(`uploads/acme/${id}.csv`);
    });

    it('413 while streaming a body without Content-Length; the multipart upload is aborted, nothing is kept', async () => {
      const { id } = await create();
      const key = `uploads/acme/${id}.csv`;
      const res = await sendRaw(
        `/v1/broadcasts/${id}/file`,
        { 'transfer-encoding': 'chunked' },
        Buffer.alloc(MiB, 0x61),
        16,
      );
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({
        error: { code: 'file-too-large', details: { limitBytes: MAX_UPLOAD_BYTES } },
      });
      await expectNoObject(key);
      const uploads = await s3.send(
        new ListMultipartUploadsCommand({ Bucket: infra.S3_BUCKET, Prefix: key }),
      );
      expect(uploads.Uploads ?? []).toEqual([]);
    });

    it('404 for an unknown broadcast or another tenant’s', async () => {
      const { id } = await create();
      await expectError(await uploadFile(id, CSV, KEYS.globex), 404, 'broadcast-not-found');
      await expectError(await uploadFile('no-such-broadcast', CSV), 404, 'broadcast-not-found');
    });
  });

  describe('POST /v1/broadcasts/{id}/start', () => {
    it('409 without a file; then 202 and a valid broadcast.uploaded on Kafka; 409 once under way', async () => {
      const { id } = await create();
      const noFile = await expectError(
        await api(`/v1/broadcasts/${id}/start`, { method: 'POST' }),
        409,
        'file-missing',
      );
      expect(noFile.message).toContain(`/v1/broadcasts/${id}/file`);

      expect((await uploadFile(id, CSV)).status).toBe(200);
      const res = await api(`/v1/broadcasts/${id}/start`, { method: 'POST' });
      expect(res.status).toBe(202);
      const started = (await res.json()) as { eventId: string; statusUrl: string };
      expect(started).toMatchObject({
        id,
        state: 'created',
        file: { sizeBytes: CSV.length },
        statusUrl: `/v1/broadcasts/${id}`,
      });

      const message = await waitFor(
        'broadcast.uploaded on Kafka',
        () => consumed.find((m) => m.key === id),
        { timeoutMs: 20_000 },
      );
      const decoded = decodeEvent('uploaded', message.value);
      if (!decoded.ok) throw new Error(`invalid event: ${decoded.errors.join('; ')}`);
      expect(decoded.event).toMatchObject({
        type: 'broadcast.uploaded',
        id: started.eventId,
        tenantId: 'acme',
        correlationId: id,
        payload: {
          broadcastId: id,
          object: { bucket: infra.S3_BUCKET, key: `uploads/acme/${id}.csv`, sizeBytes: CSV.length },
          phoneNumberId: PHONE_NUMBER_ID,
          template: { name: 'order_update', language: 'en_US', parameterFormat: 'positional' },
          mapping: orderUpdate.mapping,
          defaultCountry: 'DE',
        },
      });

      tracker.broadcasts.get(id)!.state = 'splitting';
      const again = await expectError(
        await api(`/v1/broadcasts/${id}/start`, { method: 'POST' }),
        409,
        'broadcast-already-started',
      );
      expect(again.details).toMatchObject({ state: 'splitting' });
      await expectError(await uploadFile(id, CSV), 409, 'broadcast-already-started');
    });

    it('404 for another tenant’s broadcast (nothing published)', async () => {
      const { id } = await create();
      expect((await uploadFile(id, CSV)).status).toBe(200);
      await expectError(
        await api(`/v1/broadcasts/${id}/start`, { method: 'POST', key: KEYS.globex }),
        404,
        'broadcast-not-found',
      );
    });
  });

  describe('reads proxied from status-tracker', () => {
    it('status, list and recipients with the caller’s tenant; another tenant gets 404', async () => {
      const { id } = await create();
      const res = await api(`/v1/broadcasts/${id}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        id,
        tenantId: 'acme',
        state: 'created',
        counts: { pending: 0 },
        links: { reportUrl: `/v1/broadcasts/${id}/report.csv` },
      });
      await expectError(
        await api(`/v1/broadcasts/${id}`, { key: KEYS.globex }),
        404,
        'broadcast-not-found',
      );

      const list = (await (await api('/v1/broadcasts?limit=5&after=abc')).json()) as {
        items: { id: string }[];
        limit: string;
        after: string;
      };
      expect(list.items.map((b) => b.id)).toContain(id);
      expect(list).toMatchObject({ limit: '5', after: 'abc' });
      const other = (await (await api('/v1/broadcasts', { key: KEYS.globex })).json()) as {
        items: { id: string }[];
      };
      expect(other.items.map((b) => b.id)).not.toContain(id);
      await expectError(await api('/v1/broadcasts?limit=0'), 400, 'invalid-request');

      const recipients = await api(
        `/v1/broadcasts/${id}/recipients?state=failed&limit=10&after=r9`,
      );
      expect(recipients.status).toBe(200);
      expect(await recipients.json()).toMatchObject({
        query: { state: 'failed', limit: '10', after: 'r9' },
      });
      await expectError(
        await api(`/v1/broadcasts/${id}/recipients`, { key: KEYS.globex }),
        404,
        'broadcast-not-found',
      );
      expect(
        tracker.requests
          .filter((r) => r.url.includes(id))
          .every((r) => r.tenantId === 'acme' || r.tenantId === 'globex'),
      ).toBe(true);
    });

    it('report.csv is streamed through as it is produced, as text/csv with a file name', async () => {
      const { id } = await create();
      await expectError(
        await api(`/v1/broadcasts/${id}/report.csv`, { key: KEYS.globex }),
        404,
        'broadcast-not-found',
      );
      const res = await api(`/v1/broadcasts/${id}/report.csv`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.headers.get('content-disposition')).toBe(
        `attachment; filename="broadcast-${id}-report.csv"`,
      );
      const reader = res.body!.getReader();
      // The first part arrives while status-tracker is still holding back the rest: nothing is buffered.
      const first = await reader.read();
      expect(Buffer.from(first.value).toString()).toContain(
        'row,phone,e164,state,error_code,error_reason',
      );
      tracker.releaseReport();
      let rest = '';
      for (let part = await reader.read(); !part.done; part = await reader.read())
        rest += Buffer.from(part.value).toString();
      expect(rest).toContain('2,0151 999,,skipped,invalid-phone,not a phone number');
    });
  });

  describe('HTTP hygiene', () => {
    it('is ready once its Kafka producer is connected', async () => {
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
    });

    it('security headers, request ids, JSON 404 for unknown routes', async () => {
      const res = await api('/v1/nothing-here', { headers: { 'x-request-id': 'abc-123' } });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('x-request-id')).toBe('abc-123');
      await expectError(res, 404, 'not-found');
    });

    it('serves the OpenAPI document and Swagger UI at /docs', async () => {
      const ui = await fetch(`${base}/docs`);
      expect(ui.status).toBe(200);
      expect(await ui.text()).toContain('swagger-ui');
      const doc = (await (await fetch(`${base}/docs/openapi.json`)).json()) as {
        openapi: string;
        paths: Record<string, Record<string, unknown>>;
        components: { securitySchemes: Record<string, unknown> };
      };
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/v1/templates',
          '/v1/broadcasts',
          '/v1/broadcasts/{id}',
          '/v1/broadcasts/{id}/file',
          '/v1/broadcasts/{id}/start',
          '/v1/broadcasts/{id}/recipients',
          '/v1/broadcasts/{id}/report.csv',
        ]),
      );
      expect(Object.keys(doc.components.securitySchemes)).toEqual(
        expect.arrayContaining(['bearer', 'api-key']),
      );
      expect(JSON.stringify(doc.paths['/v1/broadcasts']!.post)).toContain('phoneColumn');
    });
  });

  describe('POST /v1/broadcasts/{id}/start with startAt', () => {
    it('422 invalid-start-time for a time without offset, in the past or over 30 days ahead; 400 for other fields', async () => {
      const { id } = await create();
      const start = (body: unknown) => postJson(`/v1/broadcasts/${id}/start`, body);
      const noOffset = await expectError(
        await start({ startAt: '2030-01-01T10:00:00' }),
        422,
        'invalid-start-time',
      );
      expect(noOffset.message).toContain('RFC 3339');
      const past = await expectError(
        await start({ startAt: new Date(Date.now() - 60_000).toISOString() }),
        422,
        'invalid-start-time',
      );
      expect(past.message).toContain('in the past');
      const far = await expectError(
        await start({ startAt: new Date(Date.now() + 31 * 86_400_000).toISOString() }),
        422,
        'invalid-start-time',
      );
      expect(far.message).toContain('more than 30 days ahead');
      await expectError(
        await start({ startAt: new Date(Date.now() + 60_000).toISOString(), when: 'soon' }),
        400,
        'invalid-request',
      );
      // Nothing was published for any of them.
      expect(consumed.filter((m) => m.key?.toString() === id)).toEqual([]);
    });
  });

  it('keeps API keys and the S3 secret out of its log (after every request above)', () => {
    const output = gateway!.output();
    expect(output).toContain('"msg":"request"');
    for (const secret of [KEYS.acme, KEYS.globex, infra.S3_SECRET_ACCESS_KEY])
      expect(output).not.toContain(secret);
  });

  /** A raw HTTP/1.1 request, for bodies fetch cannot express (a lying Content-Length, early answers). */
  function sendRaw(
    path: string,
    headers: Record<string, string>,
    chunk: Buffer,
    times = 1,
  ): Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(`${base}${path}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${KEYS.acme}`, 'content-type': 'text/csv', ...headers },
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (piece: string) => (body += piece));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      });
      // The server may close while we are still writing (that is the point): ignore write errors.
      req.on('error', () => undefined);
      let sent = 0;
      const writeMore = () => {
        while (sent < times) {
          sent++;
          if (!req.write(chunk)) {
            req.once('drain', writeMore);
            return;
          }
        }
        req.end();
      };
      writeMore();
    });
  }

  async function expectNoObject(key: string): Promise<void> {
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: infra.S3_BUCKET, Key: key })),
    ).rejects.toMatchObject({ name: 'NotFound' });
  }
});
