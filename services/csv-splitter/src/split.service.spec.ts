import { createEnvelope, type ContractEvent, type CsvMapping, type EventOf } from '@wab/contracts';
import { createLogger } from '@wab/service-runtime';
import { Readable } from 'node:stream';
import { InMemoryEventBus } from './adapters/in-memory-event-bus.adapter.js';
import { ObjectNotFoundError, ObjectStorage } from './ports/object-storage.port.js';
import { SplitService } from './split.service.js';
import { SplitSettings } from './tokens.js';

class MemoryStorage extends ObjectStorage {
  constructor(private readonly objects: Map<string, Buffer>) {
    super();
  }
  open(_bucket: string, key: string): Promise<Readable> {
    const data = this.objects.get(key);
    if (!data) return Promise.reject(new ObjectNotFoundError(`${key} does not exist`));
    // Small pieces: records and multi-byte characters get cut across chunk boundaries.
    const pieces: Buffer[] = [];
    for (let i = 0; i < data.length; i += 7) pieces.push(data.subarray(i, i + 7));
    return Promise.resolve(Readable.from(pieces));
  }
}

const mapping: CsvMapping = {
  phoneColumn: 'phone',
  body: [
    { position: 1, column: 'name' },
    { position: 2, column: 'order' },
  ],
};

function uploaded(key: string, extra: Partial<EventOf<'broadcast.uploaded'>['payload']> = {}) {
  return createEnvelope(
    'broadcast.uploaded',
    {
      broadcastId: 'b-1',
      object: { bucket: 'broadcasts', key },
      phoneNumberId: '1065',
      template: { name: 'order_update', language: 'en_US' },
      mapping,
      defaultCountry: 'DE',
      ...extra,
    },
    { tenantId: 'acme', correlationId: 'c-1' },
  );
}

async function split(csv: string | Buffer, chunkSize = 2, extra = {}) {
  const bus = new InMemoryEventBus();
  const storage = new MemoryStorage(
    new Map([['f.csv', typeof csv === 'string' ? Buffer.from(csv) : csv]]),
  );
  const service = new SplitService(
    storage,
    bus,
    new SplitSettings(chunkSize, 1024, true),
    createLogger('test', 'silent'),
  );
  const summary = await service.splitUploaded(uploaded('f.csv', extra), undefined);
  const events = bus.events('rows');
  const rows = events.flatMap((e: ContractEvent) =>
    e.type === 'broadcast.rows' ? e.payload.rows : [],
  );
  const skips = events.flatMap((e: ContractEvent) =>
    e.type === 'broadcast.row-skipped' ? [e.payload] : [],
  );
  return { summary, events, rows, skips, types: events.map((e) => e.type) };
}

describe('SplitService', () => {
  it('splits only the selected rows of a resend wave, with the original row numbers', async () => {
    const bus = new InMemoryEventBus();
    const lines = ['phone,name,order'];
    for (let i = 1; i <= 30; i++)
      lines.push(`+4915123456${String(i).padStart(3, '0')},N${i},A-${i}`);
    lines.push('+4915123456001,Dup,A-dup'); // row 31: duplicate of row 1, judged as in the first split
    const storage = new MemoryStorage(new Map([['w.csv', Buffer.from(lines.join('\n') + '\n')]]));
    const selected = [2, 17, 29, 31];
    const pages: number[] = [];
    const service = new SplitService(
      storage,
      bus,
      new SplitSettings(2, 1024, true),
      createLogger('test', 'silent'),
      {
        page: (tenantId: string, waveId: string, after: number, limit: number) => {
          expect([tenantId, waveId]).toEqual(['acme', 'b-1']);
          pages.push(after);
          return Promise.resolve(selected.filter((n) => n > after).slice(0, limit));
        },
      },
    );
    const summary = await service.splitUploaded(
      uploaded('w.csv', {
        wave: { number: 2, parentBroadcastId: 'b-0', selection: 'status-tracker' },
      }),
      undefined,
    );
    const events = bus.events('rows');
    const rows = events.flatMap((e: ContractEvent) =>
      e.type === 'broadcast.rows' ? e.payload.rows : [],
    );
    const skips = events.flatMap((e: ContractEvent) =>
      e.type === 'broadcast.row-skipped' ? [e.payload] : [],
    );
    expect(rows.map((r) => [r.rowNumber, r.parameters.body[0]?.text])).toEqual([
      [2, 'N2'],
      [17, 'N17'],
      [29, 'N29'],
    ]);
    expect(skips.map((x) => [x.rowNumber, x.reason])).toEqual([[31, 'duplicate-phone']]);
    expect(summary).toMatchObject({
      outcome: 'completed',
      totalRows: 4,
      recipients: 3,
      skipped: 1,
    });
    expect(events[0]).toMatchObject({ payload: { parentBroadcastId: 'b-0' } });
    expect(pages).toEqual([0]);
  });

  it('splits a BOM, semicolon, CRLF file with quoted delimiters and newlines', async () => {
    const csv =
      '\ufeffphone;name;order;note\r\n' +
      '+49 151 23456789;"Doe; Jane";A-1;"two\r\nlines"\r\n' +
      '0151 23456780;Bob;A-2;x\r\n' +
      '\r\n' +
      '004915123456789;Dup;A-3;x\r\n' +
      '12;Bad;A-4;x\r\n' +
      ';NoPhone;A-5;x\r\n' +
      '0151 23456781;"Multi\nline";A-6;x\r\n' +
      '0151 23456782;;A-7\r\n' +
      '0151 23456783;"Jürgen";"A-8"\r\n';
    const { summary, rows, skips, types } = await split(csv);
    expect(types[0]).toBe('broadcast.split-started');
    expect(types.at(-1)).toBe('broadcast.split-completed');
    expect(rows.map((r) => [r.rowNumber, r.e164, r.parameters.body.map((b) => b.text)])).toEqual([
      [1, '+4915123456789', ['Doe; Jane', 'A-1']],
      [2, '+4915123456780', ['Bob', 'A-2']],
      [8, '+4915123456783', ['Jürgen', 'A-8']],
    ]);
    expect(skips.map((s) => [s.rowNumber, s.reason, s.duplicateOfRow ?? s.column])).toEqual([
      [3, 'duplicate-phone', 1],
      [4, 'invalid-phone', 'phone'],
      [5, 'missing-phone', 'phone'],
      [6, 'invalid-parameter', 'name'],
      [7, 'missing-parameter', 'name'],
    ]);
    expect(summary).toEqual({
      outcome: 'completed',
      totalRows: 8,
      recipients: 3,
      skipped: 5,
      chunks: 2,
    });
  });

  it('detects comma and tab delimiters, or uses the given one', async () => {
    expect(
      (await split('phone,name,order\n+4915123456789,"A, B",1\n')).rows[0]?.parameters.body[0]
        ?.text,
    ).toBe('A, B');
    expect(
      (await split('phone\tname\torder\n+4915123456789\tA;B\t1\n')).rows[0]?.parameters.body[0]
        ?.text,
    ).toBe('A;B');
    const forced = await split('phone;name,x;order\n+4915123456789;A,B;1\n', 2, {
      csv: { delimiter: ';' },
    });
    expect(forced.summary.outcome).toBe('failed');
  });

  it('fails a header without the mapped columns, naming them', async () => {
    const { summary, events } = await split('mobile;name\n+4915123456789;Ada\n');
    expect(summary).toMatchObject({ outcome: 'failed', reason: 'missing-column' });
    const failed = events.at(-1);
    expect(failed).toMatchObject({
      type: 'broadcast.split-failed',
      payload: { reason: 'missing-column', column: 'phone' },
    });
    expect(failed?.type === 'broadcast.split-failed' && failed.payload.message).toContain(
      '"order" (body parameter {{2}})',
    );
  });

  it('answers unusable input specifically', async () => {
    expect((await split('')).summary.reason).toBe('empty-file');
    expect((await split(Buffer.from([0xff, 0xfe, 0x70, 0, 0x68, 0]))).summary.reason).toBe(
      'not-csv',
    );
    expect((await split(Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0]))).summary.reason).toBe('not-csv');
    expect((await split('phone;name;order\n')).summary.reason).toBe('no-valid-recipients');
    const bus = new InMemoryEventBus();
    const service = new SplitService(
      new MemoryStorage(new Map()),
      bus,
      new SplitSettings(2, 1024, true),
      createLogger('t', 'silent'),
    );
    expect((await service.splitUploaded(uploaded('missing.csv'))).reason).toBe('object-not-found');
  });

  it('turns unreadable records into malformed rows and keeps the valid ones', async () => {
    const csv =
      'phone;name;order\n' +
      '+4915123456789;Ada;1\n' +
      '+4915123456780;"Bob"x;2\n' + // text after a closing quote: kept (relax_quotes)
      '+4915123456781;5" screen;3\n' + // stray quote inside an unquoted field: kept
      '+4915123456782;"never closed;4\n' +
      '+4915123456783;Lost;5\n';
    const { rows, skips, summary } = await split(csv);
    expect(rows.map((r) => r.rowNumber)).toEqual([1, 2, 3]);
    expect(rows[2]?.parameters.body[0]?.text).toBe('5" screen');
    expect(skips.map((s) => [s.rowNumber, s.reason])).toEqual([[4, 'malformed-row']]);
    expect(skips[0]?.message).toContain('never closed');
    expect(summary).toMatchObject({ totalRows: 4, recipients: 3, skipped: 1 });
  });

  it('splits inline recipients with the same rules', async () => {
    const bus = new InMemoryEventBus();
    const service = new SplitService(
      new MemoryStorage(new Map()),
      bus,
      new SplitSettings(1000, 1024, true),
      createLogger('t', 'silent'),
    );
    const event = createEnvelope(
      'broadcast.requested',
      {
        broadcastId: 'crm-1',
        phoneNumberId: '1065',
        template: { name: 'order_update', language: 'en_US' },
        mapping: { body: [{ position: 1, column: 'first_name' }] },
        defaultCountry: 'US',
        recipients: [
          { phone: '+1 415 555 0123', variables: { first_name: 'Ada' } },
          { phone: '(415) 555-0123', variables: { first_name: 'Ada again' } },
          { phone: '(415) 555-0199' },
        ],
      },
      { tenantId: 'acme', correlationId: 'crm-1' },
    );
    expect(await service.splitRequested(event)).toEqual({
      outcome: 'completed',
      totalRows: 3,
      recipients: 1,
      skipped: 2,
      chunks: 1,
    });
    expect(bus.events('rows').map((e) => e.type)).toEqual([
      'broadcast.split-started',
      'broadcast.row-skipped',
      'broadcast.row-skipped',
      'broadcast.rows',
      'broadcast.split-completed',
    ]);
  });
});
