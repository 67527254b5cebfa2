// UNKNOWN_POLICY=resend end to end: calls to the Cloud API that time out leave their outcome
// unknown. Where Meta took the message anyway, its status webhooks settle it and it is never sent
// again; where Meta did not, no webhook comes, and after UNKNOWN_RECONCILE_SECONDS status-tracker
// resends those rows itself, once, in a wave of the broadcast. Everyone ends with exactly one message.
//
// status-tracker runs on an embedded database (PGlite) of its own: the policy sweeps every tenant's
// unknowns, and the shared PostgreSQL holds other runs' (chaos tests make plenty).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  GatewayClient,
  startStack,
  waitUntil,
  writeRecipientsCsv,
  type ExpectedRecipient,
  type Stack,
} from '../src/index.ts';

const WINDOW_SECONDS = 3;

interface Ledger {
  accepted: number;
  duplicates: number;
  timeouts: number;
}

function reportRows(csv: string): string[][] {
  return csv
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(','));
}

describe('UNKNOWN_POLICY=resend', () => {
  let stack: Stack;
  let client: GatewayClient;
  const dir = mkdtempSync(path.join(tmpdir(), 'wab-unknown-'));
  const sim = async <T>(route: string, init?: RequestInit): Promise<T> => {
    const response = await fetch(`${stack.simulatorUrl}${route}`, init);
    if (!response.ok) throw new Error(`${route}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const digits = (r: ExpectedRecipient) => r.e164.replace(/\D/g, '');

  beforeAll(async () => {
    stack = await startStack({
      database: 'embedded',
      simulatorArgs: ['--latency', 'uniform:5:30'],
      env: {
        'status-tracker': {
          UNKNOWN_POLICY: 'resend',
          UNKNOWN_RECONCILE_SECONDS: String(WINDOW_SECONDS),
        },
        dispatcher: { CLOUD_API_TIMEOUT_MS: '800' },
      },
    });
    client = new GatewayClient(stack.gatewayUrl, stack.apiKey);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('resends the timeouts Meta never took, once, and not the ones it took', async () => {
    const csv = path.join(dir, 'r.csv');
    const fixture = await writeRecipientsCsv(csv, 40, 67, true);
    const recipients = fixture.expected;
    const dropped = recipients.slice(2, 6);
    const taken = recipients.slice(10, 13);
    await sim<unknown>('/_sim/faults', {
      method: 'PATCH',
      body: JSON.stringify({
        recipientFaults: Object.fromEntries<{ timeout: string; times: number }>([
          ...dropped.map((r) => [digits(r), { timeout: 'dropped', times: 1 }] as const),
          ...taken.map((r) => [digits(r), { timeout: 'accepted', times: 1 }] as const),
        ]),
      }),
    });

    const created = await client.createBroadcast({
      template: { name: 'order_update', language: 'en_US' },
      phoneNumberId: '106540352242922',
      mapping: {
        phoneColumn: 'phone',
        body: [
          { position: 1, column: 'first_name' },
          { position: 2, column: 'order_id' },
        ],
      },
      defaultCountry: 'IN',
    });
    const id = created.id;
    await client.uploadFile(id, csv);
    await client.start(id);
    const first = await client.follow(id, () => undefined, { timeoutMs: 120_000 });
    expect(first.state).toBe('completed');
    expect((await sim<Ledger>('/_sim/ledger')).timeouts).toBe(dropped.length + taken.length);

    // The policy's wave: exactly the rows whose timeout Meta did not take.
    const wave = await waitUntil(
      'the unknown-policy wave to complete',
      async () => {
        const waves = (await client.status(id)).waves ?? [];
        const found = waves.find((w) => w.origin === 'unknown-policy');
        if (!found) return undefined;
        const status = await client.status(found.id);
        return status.complete ? { ...found, status } : undefined;
      },
      90_000,
      250,
    );
    expect(wave.selected).toBe(dropped.length);
    expect(wave.status.counts.unknown).toBe(0);
    expect(reportRows(await client.reportCsv(wave.id)).map((r) => Number(r[0]))).toEqual(
      dropped.map((r) => r.rowNumber).sort((a, b) => a - b),
    );

    // The original's report: the taken ones settled by their webhooks, the dropped ones unknown.
    const original = new Map(reportRows(await client.reportCsv(id)).map((r) => [Number(r[0]), r]));
    for (const r of taken) {
      expect(['sent', 'delivered', 'read']).toContain(original.get(r.rowNumber)?.[3]);
    }
    for (const r of dropped) expect(original.get(r.rowNumber)?.[3]).toBe('unknown');

    // Exactly one accepted message per recipient, and no further wave over a few more sweeps.
    const counts = async () =>
      new Map(
        (
          await sim<{ recipients: { waId: string; count: number }[] }>(
            '/_sim/ledger/recipients?limit=100000',
          )
        ).recipients.map((x) => [x.waId, x.count]),
      );
    const quietUntil = Date.now() + WINDOW_SECONDS * 1000 * 2;
    await waitUntil(
      'a quiet stretch with no further wave',
      async () => {
        expect((await client.status(id)).waves).toHaveLength(1);
        return Date.now() >= quietUntil ? true : undefined;
      },
      30_000,
      500,
    );
    const final = await counts();
    expect(recipients.filter((r) => final.get(digits(r)) !== 1).map((r) => r.rowNumber)).toEqual(
      [],
    );
    const ledger = await sim<Ledger>('/_sim/ledger');
    expect(ledger.duplicates).toBe(0);
    expect(ledger.accepted).toBe(recipients.length);
  });
});
