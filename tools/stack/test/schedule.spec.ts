// A scheduled start: the broadcast shows `scheduled` and nothing is sent before its time, then it is
// started (by the gateway's schedule runner, claimed in status-tracker) and completes; a scheduled
// broadcast cancelled before its time never starts.
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

describe('scheduled start', () => {
  let stack: Stack;
  let client: GatewayClient;
  const dir = mkdtempSync(path.join(tmpdir(), 'wab-schedule-'));
  const accepted = async () =>
    ((await (await fetch(`${stack.simulatorUrl}/_sim/ledger`)).json()) as { accepted: number })
      .accepted;

  beforeAll(async () => {
    stack = await startStack({ env: { 'upload-gateway': { SCHEDULE_POLL_MS: '250' } } });
    client = new GatewayClient(stack.gatewayUrl, stack.apiKey);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function draft(rows: number, seed: number): Promise<{ id: string; valid: number }> {
    const csv = path.join(dir, `r-${seed}.csv`);
    const fixture = await writeRecipientsCsv(csv, rows, seed);
    const created = await client.createBroadcast(fixtureBroadcast());
    await client.uploadFile(created.id, csv);
    return { id: created.id, valid: fixture.valid };
  }

  it('starts at the time, not before', async () => {
    const { id, valid } = await draft(40, 51);
    const before = await accepted();
    const startAt = new Date(Date.now() + 4000);
    const answer = (await client.start(id, startAt.toISOString())) as { state: string };
    expect(answer.state).toBe('scheduled');
    // Until the time: scheduled, with its startAt, and nothing sent.
    let polls = 0;
    await waitUntil(
      'the start time',
      async () => {
        const status = await client.status(id);
        if (Date.now() < startAt.getTime() - 300) {
          polls += 1;
          expect(status.state).toBe('scheduled');
          expect(status.startAt).toBe(startAt.toISOString());
          expect(await accepted()).toBe(before);
          return undefined;
        }
        return true;
      },
      20_000,
      250,
    );
    expect(polls).toBeGreaterThan(3);
    const final = await client.follow(id, () => undefined, { timeoutMs: 60_000 });
    expect(final.state).toBe('completed');
    expect(Date.parse(final.startedAt!)).toBeGreaterThanOrEqual(startAt.getTime());
    expect(Date.parse(final.startedAt!)).toBeLessThan(startAt.getTime() + 5000);
    expect((await accepted()) - before).toBe(valid);
  });

  it('a scheduled broadcast cancelled before its time never starts', async () => {
    const { id } = await draft(20, 53);
    const before = await accepted();
    const startAt = new Date(Date.now() + 2500);
    await client.start(id, startAt.toISOString());
    expect((await client.status(id)).state).toBe('scheduled');
    await client.control(id, 'cancel', 'not today');
    expect((await client.status(id)).state).toBe('cancelled');
    // Well past the time (several polls of every runner): still cancelled, never started.
    await waitUntil(
      'well past the start time',
      () => Promise.resolve(Date.now() > startAt.getTime() + 3000 ? true : undefined),
      15_000,
      250,
    );
    const status = await client.status(id);
    expect(status.state).toBe('cancelled');
    expect(status.startedAt).toBeUndefined();
    expect(status.totalRows).toBeUndefined();
    expect(await accepted()).toBe(before);
  });
});
