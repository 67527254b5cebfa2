// End-to-end traces: every service exports spans over OTLP/HTTP (the standard OTEL_* variables) to a
// receiver in this test, and one recipient's journey (upload → split → send → result → webhook)
// must be one trace with every span's parent present in it.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

interface ReceivedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpKeyValue {
  key: string;
  value: OtlpValue;
}
interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        attributes?: OtlpKeyValue[];
      }[];
    }[];
  }[];
}

/** OTLP/JSON ids are hex (the JS exporter); other encoders send base64. */
function hexId(id: string | undefined): string | undefined {
  if (!id) return undefined;
  return /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
}

function attributeMap(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) {
    out[key] =
      value.stringValue ??
      (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
      value.boolValue ??
      value.doubleValue;
  }
  return out;
}

/** A tiny OTLP/HTTP (JSON) trace receiver: POST /v1/traces. */
function startReceiver(spans: ReceivedSpan[]): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraces;
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = String(attributeMap(resourceSpans.resource?.attributes)['service.name']);
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            const parentSpanId = hexId(span.parentSpanId);
            spans.push({
              service,
              name: span.name,
              traceId: hexId(span.traceId)!,
              spanId: hexId(span.spanId)!,
              ...(parentSpanId ? { parentSpanId } : {}),
              attributes: attributeMap(span.attributes),
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('one trace per recipient, across every service', () => {
  const spans: ReceivedSpan[] = [];
  let receiver: Server;
  let stack: Stack;
  let client: GatewayClient;
  const dir = mkdtempSync(path.join(tmpdir(), 'wab-tracing-'));
  const csv = path.join(dir, 'recipients.csv');

  beforeAll(async () => {
    await writeRecipientsCsv(csv, 20, 3);
    receiver = await startReceiver(spans);
    const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    stack = await startStack({
      simulatorArgs: ['--latency', 'uniform:5:30', '--seed', '5'],
      env: {
        'status-tracker': otel,
        'csv-splitter': otel,
        dispatcher: otel,
        'upload-gateway': otel,
      },
    });
    client = new GatewayClient(stack.gatewayUrl, stack.apiKey);
  });

  afterAll(async () => {
    await stack?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('links upload, split, compose, Cloud API call, send result and webhook in one trace', async () => {
    const created = await client.createBroadcast(fixtureBroadcast({ name: 'tracing' }));
    await client.uploadFile(created.id, csv);
    await client.start(created.id);
    const final = await client.follow(created.id, () => undefined, { timeoutMs: 120_000 });
    expect(final.state).toBe('completed');

    // The gateway's server span of the start request is the root of the broadcast's trace.
    const startSpan = await waitUntil('the start request span', () =>
      Promise.resolve(
        spans.find(
          (s) => s.service === 'upload-gateway' && s.name === 'POST /v1/broadcasts/:id/start',
        ),
      ),
    );
    expect(startSpan.attributes['http.route']).toBe('/v1/broadcasts/:id/start');
    expect(startSpan.attributes['http.response.status_code']).toBe(202);
    const traceId = startSpan.traceId;

    // Some recipient's status webhook, recorded under its send result's stored trace context, with
    // its whole ancestry (send result ← dispatcher ← compose ← split ← start request) received.
    const chain = await waitUntil(
      'a webhook span whose ancestors reach the start request',
      () => {
        const inTrace = spans.filter((s) => s.traceId === traceId);
        const byId = new Map(inTrace.map((s) => [s.spanId, s]));
        for (const webhook of inTrace) {
          if (webhook.service !== 'status-tracker' || !webhook.name.startsWith('whatsapp status '))
            continue;
          const ancestry: ReceivedSpan[] = [webhook];
          let current: ReceivedSpan | undefined = webhook;
          while (current?.parentSpanId) {
            current = byId.get(current.parentSpanId);
            if (current) ancestry.push(current);
          }
          if (ancestry.at(-1)?.spanId === startSpan.spanId) return Promise.resolve(ancestry);
        }
        return Promise.resolve(undefined);
      },
      60_000,
    );
    const describe = (s: ReceivedSpan) => `${s.service}: ${s.name.replace(stack.topicPrefix, '')}`;
    expect(chain.map(describe)).toEqual([
      expect.stringMatching(/^status-tracker: whatsapp status (sent|delivered|read)$/),
      'status-tracker: send-result apply',
      'dispatcher: send-requests process',
      'csv-splitter: rows process',
      'csv-splitter: uploaded process',
      'upload-gateway: POST /v1/broadcasts/:id/start',
    ]);
    const webhook = chain[0]!;
    expect(webhook.attributes['wab.broadcast_id']).toBe(created.id);
    const rowNumber = webhook.attributes['wab.row_number'];
    expect(typeof rowNumber).toBe('number');

    // The dispatcher's Cloud API call for that recipient is a CLIENT span under its send request.
    const dispatcherSpan = chain[2]!;
    const call = await waitUntil('the Cloud API call span', () =>
      Promise.resolve(
        spans.find((s) => s.parentSpanId === dispatcherSpan.spanId && s.service === 'dispatcher'),
      ),
    );
    expect(call.name).toBe('whatsapp send template');
    expect(call.attributes['wab.outcome']).toBe('accepted');
    expect(call.traceId).toBe(traceId);

    // The whole broadcast is this one trace: every recipient's Cloud API call is in it, and every
    // span's parent is in it too (nothing dangles, nothing started a trace of its own).
    const ledger = (await (await fetch(`${stack.simulatorUrl}/_sim/ledger`)).json()) as {
      accepted: number;
    };
    expect(ledger.accepted).toBeGreaterThan(10);
    await waitUntil('every accepted message’s call in the trace', () => {
      const calls = spans.filter(
        (s) =>
          s.traceId === traceId &&
          s.name === 'whatsapp send template' &&
          s.attributes['wab.outcome'] === 'accepted',
      );
      return Promise.resolve(calls.length >= ledger.accepted ? calls : undefined);
    });
    const inTrace = spans.filter((s) => s.traceId === traceId);
    const ids = new Set(inTrace.map((s) => s.spanId));
    const dangling = inTrace.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId));
    expect(dangling.map(describe)).toEqual([]);
    expect(inTrace.filter((s) => !s.parentSpanId).map(describe)).toEqual([
      'upload-gateway: POST /v1/broadcasts/:id/start',
    ]);
  });
});
