// Opt-outs end to end (issue 8): a recipient replies STOP and another stops marketing messages in
// WhatsApp (the simulator delivers Meta's signed webhooks to status-tracker); both land on the
// tenant's suppression list, the dry run of the next broadcast counts them, the broadcast skips them
// as `opted-out` (report and ledger agree), and the API edits the list.
import { randomInt } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GatewayClient, startStack, waitUntil, type Stack } from '../src/index.ts';

const PHONE_NUMBER_ID = '106540352242922';
// Numbers and tenant unique to this run: suppressions live in the shared database, and an opt-out
// is recorded for every tenant that sends from the number, so fixed ones would leak into later runs
// and other specs.
const RUN = String(randomInt(100_000, 1_000_000));
const TENANT = `optout-${RUN}`;
const PHONES = Array.from({ length: 6 }, (_, i) => `+49151${RUN}${String(10 + i)}`);
const STOP_REPLY = PHONES[1]!;
const PREFERENCES_STOP = PHONES[4]!;

interface Suppression {
  phone: string;
  reason: string;
  detail?: string;
  phoneNumberId?: string;
}

describe('opt-outs and the suppression list', () => {
  let stack: Stack;
  let client: GatewayClient;
  const dir = mkdtempSync(path.join(tmpdir(), 'wab-opt-out-'));
  const csv = path.join(dir, 'recipients.csv');

  const api = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${stack.gatewayUrl}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${stack.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, text, headers: response.headers };
  };
  const suppressions = async (): Promise<Suppression[]> => {
    const { status, text } = await api('GET', '/v1/suppressions?limit=1000');
    expect(status).toBe(200);
    return (JSON.parse(text) as { items: Suppression[] }).items;
  };
  const sentTo = async (phone: string): Promise<number> => {
    const response = await fetch(
      `${stack.simulatorUrl}/_sim/ledger/recipients/${encodeURIComponent(phone.slice(1))}`,
    );
    return ((await response.json()) as { count: number }).count;
  };
  const inject = async (event: Record<string, unknown>) => {
    const response = await fetch(`${stack.simulatorUrl}/_sim/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phoneNumberId: PHONE_NUMBER_ID, ...event }),
    });
    expect(response.status).toBe(200);
  };
  const broadcast = async (name: string) => {
    const created = await client.createBroadcast({
      name,
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
    });
    await client.uploadFile(created.id, csv);
    return created.id;
  };

  beforeAll(async () => {
    writeFileSync(
      csv,
      'phone,first_name,order_id\n' +
        PHONES.map((phone, i) => `${phone},Name ${i + 1},A-${i + 1}`).join('\n') +
        '\n',
    );
    stack = await startStack({
      tenantId: TENANT,
      simulatorArgs: ['--mps', '200', '--latency', 'uniform:5:30', '--seed', '8'],
      env: { dispatcher: { SENDER_DEFAULT_MPS: '200' } },
    });
    client = new GatewayClient(stack.gatewayUrl, stack.apiKey);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('records STOP replies and user_preferences opt-outs, skips them in the next broadcast, and edits the list', async () => {
    // 1. A first broadcast reaches everyone (and tells status-tracker which tenant sends from the number).
    const first = await broadcast('before opt-outs');
    await client.start(first);
    const firstFinal = await client.follow(first, () => undefined, { timeoutMs: 120_000 });
    expect(firstFinal.state).toBe('completed');
    expect(firstFinal.counts.skipped).toBe(0);
    expect(await sentTo(STOP_REPLY)).toBe(1);

    // 2. One recipient replies "Stop", another stops marketing messages; an ordinary reply is no opt-out.
    await inject({ kind: 'text', from: STOP_REPLY.slice(1), text: ' Stop ' });
    await inject({ kind: 'user_preferences', from: PREFERENCES_STOP.slice(1), value: 'stop' });
    await inject({ kind: 'text', from: PHONES[0]!.slice(1), text: 'Thanks, see you soon' });
    const listed = await waitUntil(
      'both opt-outs on the suppression list',
      async () => {
        const items = await suppressions();
        return items.length >= 2 ? items : undefined;
      },
      30_000,
    );
    expect(listed.map((s) => [s.phone, s.reason])).toEqual([
      [STOP_REPLY, 'stop-reply'],
      [PREFERENCES_STOP, 'user-preferences'],
    ]);
    expect(listed[0]).toMatchObject({ phoneNumberId: PHONE_NUMBER_ID });

    // 3. The dry run of the next broadcast counts and lists them.
    const second = await broadcast('after opt-outs');
    const dryRun = await api('POST', `/v1/broadcasts/${second}/dry-run`);
    expect(dryRun.status).toBe(200);
    expect(JSON.parse(dryRun.text)).toMatchObject({
      totalRows: 6,
      recipients: 4,
      skipped: 2,
      suppressed: 2,
      skippedByReason: { 'opted-out': 2 },
      suppressedRows: [
        { rowNumber: 2, e164: STOP_REPLY, reason: 'opted-out', suppression: 'stop-reply' },
        {
          rowNumber: 5,
          e164: PREFERENCES_STOP,
          reason: 'opted-out',
          suppression: 'user-preferences',
        },
      ],
    });

    // 4. The broadcast skips them: nothing sent to them, the report says why.
    await client.start(second);
    const final = await client.follow(second, () => undefined, { timeoutMs: 120_000 });
    expect(final.state).toBe('completed');
    expect(final.counts.skipped).toBe(2);
    expect(final.skippedByReason).toEqual({ 'opted-out': 2 });
    expect(final.counts.pending).toBe(0);
    expect(await sentTo(STOP_REPLY)).toBe(1);
    expect(await sentTo(PREFERENCES_STOP)).toBe(1);
    expect(await sentTo(PHONES[0]!)).toBe(2);
    const report = (await client.reportCsv(second)).trim().split(/\r?\n/);
    const skippedLines = report.filter((line) => line.includes(',skipped,'));
    expect(skippedLines).toHaveLength(2);
    expect(skippedLines[0]).toMatch(
      new RegExp(`^2,\\${STOP_REPLY},\\${STOP_REPLY},skipped,opted-out,`),
    );
    expect(skippedLines[1]).toMatch(
      new RegExp(`^5,\\${PREFERENCES_STOP},\\${PREFERENCES_STOP},skipped,opted-out,`),
    );

    // 5. The API edits the list: remove, add (normalised), export.
    const encoded = encodeURIComponent(STOP_REPLY);
    expect((await api('DELETE', `/v1/suppressions/${encoded}`)).status).toBe(204);
    expect((await api('DELETE', `/v1/suppressions/${encoded}`)).status).toBe(404);
    expect((await suppressions()).map((s) => s.phone)).toEqual([PREFERENCES_STOP]);
    const invalid = await api('PUT', '/v1/suppressions/not-a-number');
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain('invalid-phone');
    const added = await api('PUT', `/v1/suppressions/${encodeURIComponent('0049 151 23456799')}`, {
      detail: 'asked by phone',
    });
    expect(added.status).toBe(201);
    expect(JSON.parse(added.text)).toMatchObject({
      phone: '+4915123456799',
      reason: 'api',
      detail: 'asked by phone',
    });
    expect((await api('PUT', '/v1/suppressions/%2B4915123456799')).status).toBe(200);
    const exported = await api('GET', '/v1/suppressions.csv');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('text/csv');
    const lines = exported.text.trim().split(/\r?\n/);
    expect(lines[0]).toBe('phone,reason,detail,phone_number_id,message_id,opted_out_at,created_at');
    expect(lines.slice(1).map((line) => line.split(',').slice(0, 2).join(','))).toEqual(
      [`${PREFERENCES_STOP},user-preferences`, '+4915123456799,api'].sort(),
    );
    expect((await api('GET', '/v1/suppressions?format=csv')).text).toBe(exported.text);
  });
});
