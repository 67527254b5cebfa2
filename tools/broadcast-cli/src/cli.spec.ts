import { ReadableStream } from 'node:stream/web';
import { parseMap } from './cli.ts';
import type { BroadcastStatus } from './client.ts';
import { formatDuration, progressLine, ProgressRenderer } from './progress.ts';
import { recipientCsvLine } from './report.ts';
import { readServerSentEvents } from './sse.ts';

const status = (over: Partial<BroadcastStatus> = {}): BroadcastStatus => ({
  id: 'b1',
  state: 'sending',
  complete: false,
  recipients: 200,
  counts: {
    pending: 100,
    accepted: 50,
    sent: 0,
    delivered: 30,
    read: 10,
    failed: 10,
    skipped: 3,
    unknown: 0,
  },
  skippedByReason: {},
  failedByReason: {},
  ratePerSecond: 40.4,
  etaSeconds: 75,
  ...over,
});

describe('parseMap', () => {
  it('maps digits to positions and words to names', () => {
    expect(parseMap(['first_name=1', 'order_id = 2', 'city=town'])).toEqual([
      { position: 1, column: 'first_name' },
      { position: 2, column: 'order_id' },
      { name: 'town', column: 'city' },
    ]);
  });
  it('refuses an entry without "="', () => {
    expect(() => parseMap(['first_name'])).toThrow(/COLUMN=PARAM/);
  });
});

describe('progress', () => {
  it('draws the share of recipients with an outcome, rate, failures and ETA', () => {
    const line = progressLine(status(), 12, 10);
    expect(line).toContain('[#####.....]');
    expect(line).toContain(' 50.0%');
    expect(line).toContain('100/200');
    expect(line).toContain('40 msg/s');
    expect(line).toContain('10 failed');
    expect(line).toContain('ETA 1m15s');
  });
  it('formats durations', () => {
    expect(formatDuration(5.2)).toBe('6s');
    expect(formatDuration(3700)).toBe('1h01m');
  });
  it('redraws one line on a TTY, prints lines at most every interval otherwise', () => {
    const tty: string[] = [];
    const renderer = new ProgressRenderer((t) => tty.push(t), true);
    renderer.update(status());
    renderer.done(status({ state: 'completed' }));
    expect(tty[0]).toMatch(/^\r/);
    expect(tty.at(-1)).toBe('\n');

    const plain: string[] = [];
    const lines = new ProgressRenderer((t) => plain.push(t), false, 60_000);
    lines.update(status());
    lines.update(status());
    lines.done(status({ state: 'completed' }));
    expect(plain).toHaveLength(2);
    expect(plain.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
  });
});

describe('readServerSentEvents', () => {
  it('parses events split across chunks, multi-line data, comments and CRLF', async () => {
    const chunks = [
      'retry: 2000\n\n: keep-alive\n\nid: 1\nevent: prog',
      'ress\ndata: {"a":\r\ndata: 1}\r\n\r\nevent: end\ndata: x\n\n',
    ];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
        controller.close();
      },
    });
    const events = [];
    for await (const e of readServerSentEvents(body)) events.push(e);
    expect(events).toEqual([
      { event: 'progress', data: '{"a":\n1}', id: '1' },
      { event: 'end', data: 'x', id: '1' },
    ]);
  });
});

describe('recipientCsvLine', () => {
  it('quotes fields as RFC 4180', () => {
    expect(
      recipientCsvLine({
        rowNumber: 3,
        phone: '+91 98',
        state: 'failed',
        errorCode: 131026,
        errorReason: 'Message undeliverable, "x"',
      }),
    ).toBe('3,+91 98,,failed,131026,"Message undeliverable, ""x"""\r\n');
  });
});
