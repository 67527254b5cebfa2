import { ReadableStream } from 'node:stream/web';
import { parseMap, startTime } from './cli.ts';
import type { BroadcastStatus } from './client.ts';
import {
  dryRunReport,
  formatDuration,
  progressLine,
  ProgressRenderer,
  summarise,
} from './progress.ts';
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

describe('startTime (--at)', () => {
  const now = new Date('2026-11-27T10:00:00.000Z');
  it('passes an RFC 3339 time with offset through unchanged', () => {
    expect(startTime('2026-11-27T12:30:00Z', now)).toBe('2026-11-27T12:30:00Z');
    expect(startTime(' 2026-11-27T13:30:00.250+01:00 ', now)).toBe('2026-11-27T13:30:00.250+01:00');
  });
  it('turns +90s, +10m and +2h into a UTC time from now', () => {
    expect(startTime('+90s', now)).toBe('2026-11-27T10:01:30.000Z');
    expect(startTime('+10m', now)).toBe('2026-11-27T10:10:00.000Z');
    expect(startTime('+2h', now)).toBe('2026-11-27T12:00:00.000Z');
  });
  it('is undefined without --at (start now)', () => {
    expect(startTime(undefined, now)).toBeUndefined();
  });
  it.each([
    'tomorrow',
    '2026-11-27T10:00:00', // no offset: some server's zone
    '2026-11-27 10:00:00Z',
    '2026-13-45T10:00:00Z',
    '+10',
    '+10d',
    '10m',
    '-5m',
    '',
  ])('refuses %j with a message naming both forms', (at) => {
    expect(() => startTime(at, now)).toThrow(
      /--at .*RFC 3339 time with offset.*\+90s, \+10m, \+2h/,
    );
  });
});

describe('progress', () => {
  it('counts recipients skipped after the split (opted out) as done, not the rows the split refused', () => {
    // 10 rows: 2 refused by the split, 8 recipients of which 1 opted out and 7 sent
    const done = summarise(
      status({
        state: 'completed',
        totalRows: 10,
        recipients: 8,
        counts: {
          pending: 0,
          accepted: 0,
          sent: 7,
          delivered: 0,
          read: 0,
          failed: 0,
          skipped: 3,
          unknown: 0,
        },
      }),
    );
    expect(done).toMatchObject({ done: 8, total: 8, share: 1 });
  });

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

describe('dryRunReport', () => {
  it('lists the recipients on the suppression list with the list reason', () => {
    const text = dryRunReport({
      id: 'b1',
      outcome: 'ok',
      totalRows: 3,
      recipients: 2,
      skipped: 1,
      skippedByReason: { 'opted-out': 1 },
      duplicates: 0,
      invalidRows: [],
      invalidRowsTruncated: false,
      suppressed: 1,
      suppressedRows: [
        { rowNumber: 2, e164: '+4915100000001', reason: 'opted-out', suppression: 'stop-reply' },
      ],
      suppressedRowsTruncated: false,
      samples: [],
      estimate: { messagesPerSecond: 80, seconds: 1 },
    });
    expect(text).toContain('opted-out');
    expect(text).toContain(
      'opted out (on the suppression list):\n    row 2: +4915100000001 (stop-reply)',
    );
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
