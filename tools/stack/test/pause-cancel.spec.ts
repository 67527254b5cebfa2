// Pause stops new sends within about a second and lets in-flight calls finish; resume continues
// without messaging anyone twice; cancel accounts for every remaining recipient without sending.
import { mkdtempSync } from 'node:fs';
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

interface Ledger {
  accepted: number;
  duplicates: number;
}

describe('pause, resume and cancel', () => {
  let stack: Stack;
  let client: GatewayClient;
  const dir = mkdtempSync(path.join(tmpdir(), 'wab-pause-'));
  const ledger = async () =>
    (await (await fetch(`${stack.simulatorUrl}/_sim/ledger`)).json()) as Ledger;

  beforeAll(async () => {
    // A slow sender (40/s) so that a broadcast is still sending when we act on it.
    stack = await startStack({
      simulatorArgs: ['--mps', '40', '--latency', 'uniform:20:80'],
      env: { dispatcher: { SENDER_DEFAULT_MPS: '40' } },
    });
    client = new GatewayClient(stack.gatewayUrl, stack.apiKey);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function startBroadcast(
    rows: number,
    seed: number,
  ): Promise<{ id: string; valid: number }> {
    const csv = path.join(dir, `r-${seed}.csv`);
    const fixture = await writeRecipientsCsv(csv, rows, seed);
    const created = await client.createBroadcast(fixtureBroadcast());
    await client.uploadFile(created.id, csv);
    await client.start(created.id);
    return { id: created.id, valid: fixture.valid };
  }

  it('pause holds the broadcast, resume finishes it, nobody twice', async () => {
    const before = (await ledger()).accepted;
    const { id, valid } = await startBroadcast(300, 31);
    await waitUntil(
      'some sends',
      async () => ((await ledger()).accepted - before >= 40 ? true : undefined),
      60_000,
    );
    await client.control(id, 'pause', 'checking the list');
    // In-flight calls finish within a second; after that the ledger must not move.
    await waitUntil(
      'status paused',
      async () => ((await client.status(id)).state === ('paused' as never) ? true : undefined),
      10_000,
    );
    // Poll the ledger: it must stop moving (in-flight calls done) and then stay still.
    let last = -1;
    let stillSince = Date.now();
    const settled = await waitUntil(
      'sends to stop',
      async () => {
        const now = (await ledger()).accepted;
        if (now !== last) {
          last = now;
          stillSince = Date.now();
          return undefined;
        }
        return Date.now() - stillSince >= 1500 ? now : undefined;
      },
      15_000,
      100,
    );
    // ...and stays still while paused (checked over a further stretch of polls).
    const watchUntil = Date.now() + 2000;
    await waitUntil(
      'a quiet stretch while paused',
      async () => {
        expect((await ledger()).accepted).toBe(settled);
        return Date.now() >= watchUntil ? true : undefined;
      },
      10_000,
      200,
    );
    expect(settled - before).toBeLessThan(valid);
    await client.control(id, 'resume', 'list is fine');
    const final = await client.follow(id, () => undefined, { timeoutMs: 120_000 });
    expect(final.state).toBe('completed');
    const after = await ledger();
    expect(after.accepted - before).toBe(valid);
    expect(after.duplicates).toBe(0);
  });

  it('cancel accounts for every remaining recipient without sending to them', async () => {
    const before = (await ledger()).accepted;
    const { id, valid } = await startBroadcast(300, 37);
    await waitUntil(
      'some sends',
      async () => ((await ledger()).accepted - before >= 20 ? true : undefined),
      60_000,
    );
    await client.control(id, 'cancel', 'wrong template');
    // The recipients not sent end `cancelled` (terminal), so the broadcast completes, as cancelled.
    // Calls already in flight when the cancel landed still finish, and their results move those
    // recipients from `cancelled` up to `accepted` (proof of sending wins): wait until the tracker
    // has recorded every message the simulator accepted.
    const { final, sent } = await waitUntil(
      'every recipient accounted for, in-flight sends recorded',
      async () => {
        const status = await client.status(id);
        const accepted = (await ledger()).accepted - before;
        const recorded =
          status.counts.accepted +
          status.counts.sent +
          status.counts.delivered +
          status.counts.read;
        return status.counts.pending === 0 && status.complete && recorded === accepted
          ? { final: status, sent: accepted }
          : undefined;
      },
      120_000,
      500,
    );
    expect(final.state).toBe('cancelled');
    expect(sent).toBeLessThan(valid);
    // Never sent: `cancelled`, not `failed` (our code 900100 is no failure of Meta's).
    expect(final.counts.cancelled).toBe(valid - sent - final.counts.unknown);
    expect(final.counts.cancelled).toBeGreaterThan(0);
    expect(final.failedByReason['900100']).toBeUndefined();
    const report = (await client.reportCsv(id)).trim().split(/\r?\n/).slice(1);
    expect(report.filter((line) => line.split(',')[3] === 'cancelled')).toHaveLength(
      final.counts.cancelled ?? -1,
    );
    expect((await ledger()).duplicates).toBe(0);
  });
});
