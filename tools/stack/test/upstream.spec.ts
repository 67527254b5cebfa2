// An upstream system starts a broadcast by publishing one `broadcast.requested` event with a plain
// kafkajs producer, following only the published contract (libs/contracts/asyncapi.yaml and the
// JSON Schema beside it): no code of ours on the producing side.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { parse as parseYaml } from 'yaml';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { repoRoot } from '@wab/infra';
import { ApiError, GatewayClient, startStack, waitUntil, type Stack } from '../src/index.ts';

describe('an upstream system publishing a broadcast on Kafka', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ simulatorArgs: ['--mps', '1000', '--latency', 'fixed:10'] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('is delivered, following only the AsyncAPI document', async () => {
    // What the upstream team reads: the AsyncAPI document. Find the channel whose address is
    // `uploaded`, the message named `broadcast.requested` in it, and its payload schema.
    type Ref = { $ref?: string };
    const asyncapi = parseYaml(
      readFileSync(path.join(repoRoot, 'libs/contracts/asyncapi.yaml'), 'utf8'),
    ) as {
      asyncapi: string;
      channels: Record<string, { address: string; messages: Record<string, Ref> }>;
      components: {
        messages: Record<string, { name: string; payload: Ref }>;
        schemas: Record<string, object>;
      };
    };
    expect(asyncapi.asyncapi).toMatch(/^3\./);
    const resolve = <T>(ref: Ref): T => {
      const [, kind, name] = /^#\/components\/(messages|schemas)\/(.+)$/.exec(ref.$ref ?? '') ?? [];
      return (asyncapi.components as unknown as Record<string, Record<string, T>>)[kind ?? '']?.[
        name ?? ''
      ] as T;
    };
    const channel = Object.values(asyncapi.channels).find((c) => c.address === 'uploaded');
    const message = Object.values(channel?.messages ?? {})
      .map((ref) => resolve<{ name: string; payload: Ref }>(ref))
      .find((m) => m.name === 'broadcast.requested');
    expect(message).toBeDefined();
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ ...asyncapi, $id: 'asyncapi.yaml' });
    const validate = ajv.compile({ $ref: `asyncapi.yaml${message?.payload.$ref ?? ''}` });

    const broadcastId = `crm-${randomUUID().slice(0, 8)}`;
    const recipients = Array.from({ length: 25 }, (_, i) => ({
      phone: `+91 98${String(77000000 + i)}`,
      variables: { first_name: `Upstream ${i + 1}`, order_id: `U-${1000 + i}` },
    }));
    recipients.push({ phone: 'not a phone', variables: { first_name: 'Nobody', order_id: 'U-0' } });
    const event = {
      type: 'broadcast.requested',
      version: 1,
      id: randomUUID(),
      occurredAt: new Date().toISOString(),
      tenantId: stack.tenantId,
      correlationId: broadcastId,
      payload: {
        broadcastId,
        phoneNumberId: '106540352242922',
        template: { name: 'order_update', language: 'en_US' },
        mapping: {
          body: [
            { position: 1, column: 'first_name' },
            { position: 2, column: 'order_id' },
          ],
        },
        defaultCountry: 'IN',
        recipients,
      },
    };
    // The upstream producer validates against the published schema before sending.
    expect(validate(event) ? [] : validate.errors).toEqual([]);
    // ...and that the check has teeth: a recipient without a phone is refused.
    expect(
      validate({ ...event, payload: { ...event.payload, recipients: [{ variables: {} }] } }),
    ).toBe(false);
    const kafka = new Kafka({
      clientId: 'crm',
      brokers: stack.infra.kafka.brokers,
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: `${stack.topicPrefix}uploaded`,
      messages: [
        {
          key: broadcastId,
          value: JSON.stringify(event),
          headers: { 'content-type': 'application/json' },
        },
      ],
    });
    await producer.disconnect();

    const client = new GatewayClient(stack.gatewayUrl, stack.apiKey);
    // The broadcast exists for the API once status-tracker has consumed the event: until then 404.
    await waitUntil('the upstream broadcast to be registered', async () => {
      try {
        return await client.status(broadcastId);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return undefined;
        throw error;
      }
    });
    const final = await client.follow(broadcastId, () => undefined, { timeoutMs: 120_000 });
    expect(final.state).toBe('completed');
    expect(final.counts.skipped).toBe(1);
    const ledger = (await (await fetch(`${stack.simulatorUrl}/_sim/ledger`)).json()) as {
      accepted: number;
      duplicates: number;
    };
    expect(ledger.accepted).toBe(25);
    expect(ledger.duplicates).toBe(0);
    const first = (await (
      await fetch(`${stack.simulatorUrl}/_sim/ledger/recipients/919877000000`)
    ).json()) as {
      count: number;
      messages: { template?: { body: string[] } }[];
    };
    expect(first.count).toBe(1);
    expect(first.messages[0]?.template?.body).toEqual(['Upstream 1', 'U-1000']);
  });
});
