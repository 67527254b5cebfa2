// Resend waves end to end: a broadcast where the simulator refuses a known set of recipients with a
// retryable error (131000, until the dispatcher's attempts run out) and another set with a permanent
// one (131026); "resend to failed" then messages exactly the retryable ones once more, in a wave of
// their own whose report keeps the original's row numbers, and never anyone twice.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ApiError,
  GatewayClient,
  startStack,
  waitUntil,
  writeRecipientsCsv,
  type BroadcastStatus,
  type ExpectedRecipient,
  type Stack,
} from '../src/index.ts';

// A tenant of this run only: broadcasts and waves live in the shared database.
const TENANT = `resend-${randomUUID().slice(0, 8)}`;
const keyA = `wab_${randomBytes(18).toString('base64url')}`;
const keyB = `wab_${randomBytes(18).toString('base64url')}`;
const entry = (tenant: string, apiKey: string) =>
  `${tenant}:${createHash('sha256').update(apiKey).digest('hex')}`;
const MAX_ATTEMPTS = 2;

interface Ledger {
  accepted: number;
  duplicates: number;
}
interface Accepted {
  id: string;
  parentBroadcastId: string;
  wave: number;
  selected: number;
  statusUrl: string;
}

/** The report's data rows as [row_number, phone, normalised_phone, state, error_code, ...]. */
function reportRows(csv: string): string[][] {
  return csv
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(','));
}

describe('resend waves', () => {
  let stack: Stack;
  let client: GatewayClient;
  let other: GatewayClient;
  const dir = mkdtempSync(path.join(tmpdir(), 'wab-resend-'));

  const sim = async <T>(route: string, init?: RequestInit): Promise<T> => {
    const response = await fetch(`${stack.simulatorUrl}${route}`, init);
    if (!response.ok) throw new Error(`${route}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const ledger = () => sim<Ledger>('/_sim/ledger');
  /** Accepted messages per recipient (wa_id digits). */
  const counts = async (): Promise<Map<string, number>> => {
    const page = await sim<{ recipients: { waId: string; count: number }[] }>(
      '/_sim/ledger/recipients?limit=100000',
    );
    return new Map(page.recipients.map((r) => [r.waId, r.count]));
  };
  const resend = (id: string, body?: { errorCodes?: number[] }, as = client): Promise<Accepted> =>
    as.resend(id, body);
  const refused = async (promise: Promise<unknown>): Promise<{ status: number; code: string }> => {
    try {
      await promise;
    } catch (error) {
      if (error instanceof ApiError) {
        const body = JSON.parse(error.body) as { error?: { code?: string } };
        return { status: error.status, code: body.error?.code ?? '' };
      }
      throw error;
    }
    throw new Error('expected the request to be refused');
  };
  const digits = (r: ExpectedRecipient) => r.e164.replace(/\D/g, '');

  beforeAll(async () => {
    stack = await startStack({
      tenantId: TENANT,
      simulatorArgs: ['--latency', 'uniform:5:30'],
      env: {
        dispatcher: { DISPATCH_MAX_ATTEMPTS: String(MAX_ATTEMPTS) },
        'upload-gateway': { API_KEYS: `${entry(TENANT, keyA)},${entry(`${TENANT}-other`, keyB)}` },
      },
    });
    client = new GatewayClient(stack.gatewayUrl, keyA);
    other = new GatewayClient(stack.gatewayUrl, keyB);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('resends exactly the retryable failures once, keeps row numbers, refuses while running and for another tenant', async () => {
    const csv = path.join(dir, 'r.csv');
    const fixture = await writeRecipientsCsv(csv, 60, 53, true);
    const recipients = fixture.expected;
    expect(recipients.length).toBeGreaterThan(50);
    // Fails until the dispatcher gives up (MAX_ATTEMPTS calls), then succeeds: healed by the wave.
    const healing = recipients.slice(3, 9);
    // Fails every time: failed again in the wave, picked again by the next resend.
    const stubborn = recipients.slice(20, 22);
    // Permanent (131026 is resent only when named): never in a wave by default.
    const permanent = recipients.slice(30, 34);
    await sim<unknown>('/_sim/faults', {
      method: 'PATCH',
      body: JSON.stringify({
        recipientFaults: Object.fromEntries<{ code: number; times?: number }>([
          ...healing.map((r) => [digits(r), { code: 131000, times: MAX_ATTEMPTS }] as const),
          ...stubborn.map((r) => [digits(r), { code: 131000 }] as const),
          ...permanent.map((r) => [digits(r), { code: 131026 }] as const),
        ]),
      }),
    });

    const created = await client.createBroadcast({
      name: 'resend',
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
    // Nothing to resend before it ever ran.
    expect((await refused(resend(id))).status).toBe(409);
    await client.uploadFile(id, csv);
    await client.start(id);
    const first = await client.follow(id, () => undefined, { timeoutMs: 120_000 });
    expect(first.state).toBe('completed');
    expect(first.counts.failed).toBe(healing.length + stubborn.length + permanent.length);
    expect(first.failedByReason['131000']?.count).toBe(healing.length + stubborn.length);
    expect(first.failedByReason['131026']?.count).toBe(permanent.length);
    const before = await counts();
    expect((await ledger()).accepted).toBe(recipients.length - first.counts.failed);

    // Another tenant does not see it.
    expect(await refused(resend(id, {}, other))).toEqual({
      status: 404,
      code: 'broadcast-not-found',
    });

    // Slow Meta down so that the wave is still running when we ask again.
    await sim<unknown>('/_sim/latency', {
      method: 'PUT',
      body: JSON.stringify({ spec: 'fixed:1500' }),
    });
    const wave = await resend(id);
    expect(wave).toMatchObject({
      parentBroadcastId: id,
      wave: 2,
      selected: healing.length + stubborn.length,
      statusUrl: `/v1/broadcasts/${wave.id}`,
    });
    expect(wave.id).not.toBe(id);
    await waitUntil(
      'the wave to start',
      async () => ((await client.status(wave.id)).state !== 'created' ? true : undefined),
      30_000,
    );
    const running = await refused(resend(id));
    expect(running).toEqual({ status: 409, code: 'broadcast-running' });
    // Through the wave's id too: the family has one wave at a time.
    expect((await refused(resend(wave.id))).status).toBe(409);

    const done: BroadcastStatus = await client.follow(wave.id, () => undefined, {
      timeoutMs: 120_000,
    });
    expect(done.state).toBe('completed');
    expect(done.counts.failed).toBe(stubborn.length);
    expect(done.recipients ?? done.totalRows).toBe(healing.length + stubborn.length);
    await sim<unknown>('/_sim/latency', {
      method: 'PUT',
      body: JSON.stringify({ spec: 'uniform:5:30' }),
    });

    // The ledger: the healed recipients got exactly one more accepted message, nobody else any.
    const after = await counts();
    const changed = [...after].filter(([waId, n]) => n !== (before.get(waId) ?? 0));
    expect(changed.map(([waId]) => waId).sort()).toEqual(healing.map(digits).sort());
    expect(changed.every(([waId, n]) => n === 1 && !before.has(waId))).toBe(true);
    expect((await ledger()).duplicates).toBe(0);

    // The wave's report lists the original's row numbers of exactly its rows.
    const rows = reportRows(await client.reportCsv(wave.id));
    expect(rows.map((r) => Number(r[0]))).toEqual(
      [...healing, ...stubborn].map((r) => r.rowNumber).sort((a, b) => a - b),
    );
    const byRow = new Map(rows.map((r) => [Number(r[0]), r]));
    for (const r of healing) {
      expect(['accepted', 'sent', 'delivered', 'read']).toContain(byRow.get(r.rowNumber)?.[3]);
      expect(byRow.get(r.rowNumber)?.[2]).toBe(r.e164);
    }
    for (const r of stubborn)
      expect(byRow.get(r.rowNumber)?.slice(3, 5)).toEqual(['failed', '131000']);

    // The original lists its waves.
    const parent = await client.status(id);
    expect(parent.waves?.map((w) => [w.id, w.number, w.selected])).toEqual([
      [wave.id, 2, healing.length + stubborn.length],
    ]);

    // A second resend right away picks only what failed again; a code nobody failed with: 422.
    expect(await refused(resend(id, { errorCodes: [131049] }))).toEqual({
      status: 422,
      code: 'nothing-to-resend',
    });
    await sim<unknown>('/_sim/faults', {
      method: 'PATCH',
      body: JSON.stringify({ recipientFaults: {} }),
    });
    const third = await resend(wave.id);
    expect(third).toMatchObject({ parentBroadcastId: id, wave: 3, selected: stubborn.length });
    const thirdDone = await client.follow(third.id, () => undefined, { timeoutMs: 120_000 });
    expect(thirdDone.state).toBe('completed');
    expect(thirdDone.counts.failed).toBe(0);
    expect(reportRows(await client.reportCsv(third.id)).map((r) => Number(r[0]))).toEqual(
      stubborn.map((r) => r.rowNumber).sort((a, b) => a - b),
    );
    // Everyone but the permanent failures now has exactly one message; nothing is left to resend.
    const final = await counts();
    for (const r of recipients) {
      expect([digits(r), final.get(digits(r)) ?? 0]).toEqual([
        digits(r),
        permanent.includes(r) ? 0 : 1,
      ]);
    }
    expect((await ledger()).duplicates).toBe(0);
    expect(await refused(resend(id))).toEqual({ status: 422, code: 'nothing-to-resend' });
    // The permanent failures are resent only when their code is named.
    const named = await resend(id, { errorCodes: [131026] });
    expect(named).toMatchObject({ wave: 4, selected: permanent.length });
    await client.follow(named.id, () => undefined, { timeoutMs: 120_000 });
    expect((await ledger()).duplicates).toBe(0);
  });
});
