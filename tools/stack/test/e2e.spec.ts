// End to end: a CSV through upload-gateway → csv-splitter → dispatcher → status-tracker, all as
// separate processes on the real broker, object store and database, against the simulator.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  fixtureBroadcast,
  GatewayClient,
  startStack,
  writeRecipientsCsv,
  type BroadcastStatus,
  type Stack,
} from '../src/index.ts';

interface LedgerSummary {
  accepted: number;
  uniqueRecipients: number;
  duplicates: number;
  errors: Record<string, number>;
}
interface LedgerMessage {
  to: string;
  waId: string;
  bizOpaqueCallbackData?: string;
  template?: { name: string; language: string; body: string[] | Record<string, string> };
}

async function ledgerMessages(stack: Stack): Promise<LedgerMessage[]> {
  const all: LedgerMessage[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = (await (
      await fetch(`${stack.simulatorUrl}/_sim/ledger/messages?offset=${offset}&limit=1000`)
    ).json()) as { messages: LedgerMessage[] };
    all.push(...page.messages);
    if (page.messages.length < 1000) return all;
  }
}

/** Minimal RFC 4180 parser for the report (quoted fields, doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

describe('a 10,000-row CSV broadcast, end to end', () => {
  let stack: Stack;
  let client: GatewayClient;
  const dir = mkdtempSync(path.join(tmpdir(), 'wab-e2e-'));
  const csv = path.join(dir, 'recipients.csv');
  let fixture: Awaited<ReturnType<typeof writeRecipientsCsv>>;

  beforeAll(async () => {
    fixture = await writeRecipientsCsv(csv, 10_000, 7, true);
    stack = await startStack({
      simulatorArgs: ['--mps', '1000', '--latency', 'uniform:5:60', '--seed', '11'],
      env: { dispatcher: { SENDER_DEFAULT_MPS: '1000' } },
    });
    client = new GatewayClient(stack.gatewayUrl, stack.apiKey);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('sends exactly one message per valid unique recipient, reports every skipped row, and counts match the ledger', async () => {
    expect(fixture.invalid + fixture.duplicates).toBeGreaterThan(200); // about 3% of 10,000
    const created = await client.createBroadcast(fixtureBroadcast({ name: 'e2e' }));
    await client.uploadFile(created.id, csv);
    await client.start(created.id);
    const final: BroadcastStatus = await client.follow(created.id, () => undefined, {
      timeoutMs: 240_000,
    });
    expect(final.state).toBe('completed');
    expect(final.complete).toBe(true);

    // The simulator's ledger: one accepted message per valid unique recipient, nobody twice.
    const ledger = (await (
      await fetch(`${stack.simulatorUrl}/_sim/ledger`)
    ).json()) as LedgerSummary;
    expect(ledger.duplicates).toBe(0);
    expect(ledger.accepted).toBe(fixture.valid);
    const messages = await ledgerMessages(stack);
    const byNumber = new Map<string, LedgerMessage>(messages.map((m) => [`+${m.to}`, m]));
    const wrong: string[] = [];
    for (const recipient of fixture.expected) {
      const message = byNumber.get(recipient.e164);
      const body = message?.template?.body;
      if (
        !message ||
        !Array.isArray(body) ||
        body[0] !== recipient.firstName ||
        body[1] !== recipient.orderId ||
        message.template?.name !== 'order_update'
      ) {
        wrong.push(`row ${recipient.rowNumber}`);
      }
    }
    expect(wrong).toEqual([]);

    // The status API agrees with the ledger.
    const delivered =
      final.counts.accepted + final.counts.sent + final.counts.delivered + final.counts.read;
    expect(delivered + final.counts.failed + final.counts.unknown).toBe(fixture.valid);
    expect(delivered).toBe(ledger.accepted);
    expect(final.counts.skipped).toBe(fixture.invalid + fixture.duplicates);
    expect(final.counts.pending).toBe(0);

    // The report lists every row: skipped ones with their reason.
    const report = parseCsv(await client.reportCsv(created.id));
    expect(report[0]).toEqual([
      'row_number',
      'phone',
      'normalised_phone',
      'state',
      'error_code',
      'error_reason',
    ]);
    const rows = report.slice(1).filter((r) => r.length > 1);
    expect(rows).toHaveLength(fixture.rows);
    const skipped = rows.filter((r) => r[3] === 'skipped');
    expect(skipped).toHaveLength(fixture.invalid + fixture.duplicates);
    expect(skipped.filter((r) => r[4] === 'invalid-phone')).toHaveLength(fixture.invalid);
    expect(skipped.filter((r) => r[4] === 'duplicate-phone')).toHaveLength(fixture.duplicates);
    expect(skipped.every((r) => (r[5] ?? '').length > 0)).toBe(true);
  });
});
