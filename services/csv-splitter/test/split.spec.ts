import { createEnvelope, type CsvMapping, type EventOf } from '@wab/contracts';
import { waitFor, type RunningProcess } from '@wab/service-runtime/testing';
import { randomUUID } from 'node:crypto';
import { Collector, freshTopics, infra, publishUploaded, putObject, startSplitter, stopSplitter } from './pipeline-helpers.js';

/**
 * The split and compose stages against the real broker and S3 server: a CSV in the bucket and a
 * broadcast.uploaded on `uploaded` → exactly one send request per valid unique recipient, one
 * skipped event per bad row with its reason, and totals that add up.
 */

const mapping: CsvMapping = {
  phoneColumn: 'Phone',
  body: [
    { position: 1, column: 'first_name' },
    { position: 2, column: 'order_id' },
  ],
};

type Expected = { kind: 'ok'; e164: string; name: string; order: string } | { kind: 'skip'; reason: string; duplicateOfRow?: number };

/** A realistic export: BOM, `;`, CRLF, quoted `;` and newlines, numbers in many formats, some bad rows. */
function generateCsv(rows: number): { csv: string; expected: Map<number, Expected> } {
  const lines = ['\ufeffPhone;first_name;order_id;note'];
  const expected = new Map<number, Expected>();
  const firstRowOf = new Map<string, number>();
  for (let row = 1; row <= rows; row++) {
    const subscriber = String(20_000_000 + row * 13); // 0151 + 8 digits: a valid German mobile number
    let e164 = `+49151${subscriber}`;
    const formats = [`+49 151 ${subscriber}`, `0151 ${subscriber.slice(0, 4)} ${subscriber.slice(4)}`, `0049-151-${subscriber}`, `(0151) ${subscriber}`];
    let phone = formats[row % formats.length] ?? e164;
    let name = row % 11 === 0 ? `"Doe; Jane ${row}"` : `Name${row}`;
    const order = `A-${row}`;
    const note = row % 10 === 0 ? '"line one\r\nline two; still the note"' : 'plain';
    let exp: Expected = { kind: 'ok', e164, name: name.replace(/"/g, ''), order };
    if (row % 50 === 0) {
      phone = '12345';
      exp = { kind: 'skip', reason: 'invalid-phone' };
    } else if (row % 70 === 0) {
      // The number of the previous row (or earlier), written differently.
      const earlier = `+49151${String(20_000_000 + (row - 1) * 13)}`;
      e164 = earlier;
      phone = `0${earlier.slice(3)}`;
      exp = { kind: 'skip', reason: 'duplicate-phone' };
    } else if (row % 90 === 0) {
      name = '';
      exp = { kind: 'skip', reason: 'missing-parameter' };
    } else if (row % 97 === 0) {
      name = '"two\nlines"';
      exp = { kind: 'skip', reason: 'invalid-parameter' };
    } else if (row % 125 === 0) {
      phone = '';
      exp = { kind: 'skip', reason: 'missing-phone' };
    }
    if (exp.kind === 'ok' || exp.reason === 'duplicate-phone') {
      const first = firstRowOf.get(e164);
      if (first !== undefined) exp = { kind: 'skip', reason: 'duplicate-phone', duplicateOfRow: first };
      else if (exp.kind === 'ok') firstRowOf.set(e164, row);
    }
    lines.push([phone, name, order, note].join(';'));
    expected.set(row, exp);
  }
  return { csv: `${lines.join('\r\n')}\r\n`, expected };
}

function uploaded(broadcastId: string, key: string, extra: Partial<EventOf<'broadcast.uploaded'>['payload']> = {}) {
  return createEnvelope(
    'broadcast.uploaded',
    {
      broadcastId,
      object: { bucket: infra.s3.bucket, key },
      phoneNumberId: '106540352242922',
      template: { name: 'order_update', language: 'en_US' },
      mapping,
      defaultCountry: 'DE',
      ...extra,
    },
    { tenantId: 'acme', correlationId: broadcastId },
  );
}

describe('csv-splitter against Kafka and S3', () => {
  let prefix: string;
  let splitter: RunningProcess;
  const collector = new Collector();

  beforeAll(async () => {
    prefix = await freshTopics();
    splitter = (await startSplitter(prefix, { SPLIT_CHUNK_SIZE: '500' })).proc;
    await collector.start(prefix);
  });

  afterAll(async () => {
    await collector.stop();
    if (splitter) await stopSplitter(splitter);
  });

  it('turns a CSV into one send request per valid unique recipient and a skip per bad row', async () => {
    const broadcastId = `b-${randomUUID()}`;
    const key = `acme/${broadcastId}.csv`;
    const { csv, expected } = generateCsv(3000);
    await putObject(key, csv);
    await publishUploaded(prefix, [uploaded(broadcastId, key)]);

    const valid = [...expected].filter(([, e]) => e.kind === 'ok');
    const skipped = [...expected].filter(([, e]) => e.kind === 'skip');
    const got = await waitFor(
      'split-completed and all send requests',
      () => {
        const now = collector.forBroadcast(broadcastId);
        return now.end && now.sendRequests.length >= valid.length ? now : undefined;
      },
      { timeoutMs: 90_000 },
    );

    // Order on `rows`: split-started first, split-completed last, with the right totals.
    expect(got.rows[0]?.type).toBe('broadcast.split-started');
    expect(got.rows.at(-1)).toMatchObject({
      type: 'broadcast.split-completed',
      payload: { totalRows: 3000, recipients: valid.length, skipped: skipped.length, chunks: Math.ceil(valid.length / 500) },
    });
    const chunks = got.rows.flatMap((e) => (e.type === 'broadcast.rows' ? [e.payload.chunkIndex] : []));
    expect(chunks).toEqual([...chunks.keys()]);

    // Every bad row is reported once with its reason.
    const skips = got.rows.flatMap((e) => (e.type === 'broadcast.row-skipped' ? [e.payload] : []));
    expect(skips.map((s) => s.rowNumber).sort((a, b) => a - b)).toEqual(skipped.map(([row]) => row));
    for (const skip of skips) {
      const exp = expected.get(skip.rowNumber);
      expect({ row: skip.rowNumber, reason: skip.reason }).toEqual({ row: skip.rowNumber, reason: exp?.kind === 'skip' ? exp.reason : 'none' });
      if (exp?.kind === 'skip' && exp.duplicateOfRow) expect(skip.duplicateOfRow).toBe(exp.duplicateOfRow);
    }

    // Exactly one send request per valid unique recipient, with its parameters.
    const byRecipient = new Map(got.sendRequests.map((e) => [e.payload.recipientId, e.payload]));
    expect(byRecipient.size).toBe(got.sendRequests.length);
    expect(byRecipient.size).toBe(valid.length);
    for (const [row, exp] of valid) {
      if (exp.kind !== 'ok') continue;
      const request = byRecipient.get(`${broadcastId}:${row}`);
      expect(request).toMatchObject({
        to: exp.e164.slice(1),
        rowNumber: row,
        attempt: 1,
        bizOpaqueCallbackData: `wab1:${broadcastId}:${row}`,
        template: {
          name: 'order_update',
          language: { code: 'en_US' },
          components: [{ type: 'body', parameters: [{ type: 'text', text: exp.name }, { type: 'text', text: exp.order }] }],
        },
      });
    }
    expect(new Set(got.sendRequests.map((e) => e.payload.to)).size).toBe(valid.length);
  });

  it('fails a CSV whose header lacks a mapped column, naming it', async () => {
    const broadcastId = `b-${randomUUID()}`;
    const key = `acme/${broadcastId}.csv`;
    await putObject(key, 'Phone,first_name\n+4915123456789,Ada\n');
    await publishUploaded(prefix, [uploaded(broadcastId, key)]);
    const got = await waitFor('split-failed', () => collector.forBroadcast(broadcastId).end);
    expect(got).toMatchObject({ type: 'broadcast.split-failed', payload: { reason: 'missing-column', column: 'order_id' } });
    expect(got.type === 'broadcast.split-failed' && got.payload.message).toContain('"order_id" (body parameter {{2}})');
    expect(collector.forBroadcast(broadcastId).sendRequests).toEqual([]);
  });

  it('fails a missing object and a binary file specifically', async () => {
    const missing = `b-${randomUUID()}`;
    const binary = `b-${randomUUID()}`;
    await putObject(`acme/${binary}.csv`, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 1, 2, 3, 0, 0]));
    await publishUploaded(prefix, [uploaded(missing, `acme/${missing}.csv`), uploaded(binary, `acme/${binary}.csv`)]);
    expect(await waitFor('missing object', () => collector.forBroadcast(missing).end)).toMatchObject({ payload: { reason: 'object-not-found' } });
    expect(await waitFor('binary file', () => collector.forBroadcast(binary).end)).toMatchObject({ payload: { reason: 'not-csv' } });
  });

  it('splits an inline broadcast.requested the same way', async () => {
    const broadcastId = `crm-${randomUUID()}`;
    const event = createEnvelope(
      'broadcast.requested',
      {
        broadcastId,
        phoneNumberId: '106540352242922',
        template: { name: 'order_update', language: 'en_US' },
        mapping: { body: [{ position: 1, column: 'first_name' }, { position: 2, column: 'order_id' }] },
        defaultCountry: 'US',
        recipients: [
          { phone: '+1 415 555 0123', variables: { first_name: 'Ada', order_id: 'A-1001' } },
          { phone: '(415) 555-0199', variables: { first_name: 'Grace', order_id: 'A-1002' } },
          { phone: '415-555-0123', variables: { first_name: 'Ada', order_id: 'A-1003' } },
        ],
      },
      { tenantId: 'acme', correlationId: broadcastId },
    );
    await publishUploaded(prefix, [event]);
    const got = await waitFor('inline split', () => {
      const now = collector.forBroadcast(broadcastId);
      return now.end && now.sendRequests.length >= 2 ? now : undefined;
    });
    expect(got.end).toMatchObject({ type: 'broadcast.split-completed', payload: { totalRows: 3, recipients: 2, skipped: 1 } });
    expect(got.sendRequests.map((e) => e.payload.to).sort()).toEqual(['14155550123', '14155550199']);
  });
});
