import { createEnvelope, type CsvMapping, type EventOf, type EventsByTopic } from '@wab/contracts';
import { waitFor, type RunningProcess } from '@wab/service-runtime/testing';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Collector, freshTopics, infra, publishUploaded, putObject, startSplitter, stopSplitter } from './pipeline-helpers.js';

/**
 * The bad-input corpus (test/fixtures/csv at the repository root) through the real split path: each
 * file put in the S3 server, a broadcast.uploaded on the real broker, one csv-splitter process with its
 * default settings. Every case is answered with a specific reason and message (split-failed for the
 * whole file, row-skipped per row), and every valid row of the same file reaches send-requests.
 */

const FIXTURES = resolve(import.meta.dirname, '../../../test/fixtures/csv');
const fixture = (name: string): Buffer => readFileSync(resolve(FIXTURES, name));

const mapping: CsvMapping = { phoneColumn: 'phone', body: [{ position: 1, column: 'name' }] };

type RowsEvent = EventsByTopic['rows'];
type Skip = EventOf<'broadcast.row-skipped'>['payload'];
type Failed = EventOf<'broadcast.split-failed'>['payload'];
type Completed = EventOf<'broadcast.split-completed'>['payload'];

interface SplitResult {
  rows: RowsEvent[];
  skips: Skip[];
  failed?: Failed;
  completed?: Completed;
  /** rowNumber → { e164, first body parameter } of every send request. */
  sent: Map<number, { to: string; text: string | undefined }>;
}

describe('csv-splitter: the bad-input corpus against Kafka and S3', () => {
  let prefix: string;
  let splitter: RunningProcess;
  const collector = new Collector();

  beforeAll(async () => {
    prefix = await freshTopics();
    splitter = (await startSplitter(prefix)).proc;
    await collector.start(prefix);
  });

  afterAll(async () => {
    await collector.stop();
    if (splitter) await stopSplitter(splitter);
  });

  /** Uploads `body`, announces it, waits for split-completed/failed and the send requests of every valid row. */
  async function split(body: Buffer | string, extra: Partial<EventOf<'broadcast.uploaded'>['payload']> = {}): Promise<SplitResult> {
    const broadcastId = `b-${randomUUID()}`;
    const key = `acme/${broadcastId}.csv`;
    await putObject(key, body);
    await publishUploaded(prefix, [
      createEnvelope(
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
      ),
    ]);
    return waitFor(
      `the split of ${broadcastId}`,
      () => {
        const now = collector.forBroadcast(broadcastId);
        if (!now.end) return undefined;
        const completed = now.end.type === 'broadcast.split-completed' ? now.end.payload : undefined;
        if (completed && now.sendRequests.length < completed.recipients) return undefined;
        return {
          rows: now.rows,
          skips: now.rows.flatMap((e) => (e.type === 'broadcast.row-skipped' ? [e.payload] : [])),
          ...(now.end.type === 'broadcast.split-failed' ? { failed: now.end.payload } : {}),
          ...(completed ? { completed } : {}),
          sent: new Map(
            now.sendRequests.map((e) => [
              e.payload.rowNumber,
              {
                to: e.payload.to,
                text: e.payload.template.components?.[0]?.parameters?.[0]?.type === 'text' ? e.payload.template.components[0].parameters[0].text : undefined,
              },
            ]),
          ),
        } satisfies SplitResult;
      },
      { timeoutMs: 60_000 },
    );
  }

  /** Payload fields without the broadcast id (fresh per test). */
  const withoutId = <T extends { broadcastId: string }>(payload: T | undefined): Omit<T, 'broadcastId'> | undefined => {
    if (!payload) return undefined;
    const copy: Partial<T> = { ...payload };
    delete copy.broadcastId;
    return copy as Omit<T, 'broadcastId'>;
  };

  const texts = (result: SplitResult) => new Map([...result.sent].map(([row, s]) => [row, s.text]));

  it('empty file: split-failed empty-file, "The file is empty"', async () => {
    const result = await split(fixture('empty.csv'));
    expect(withoutId(result.failed)).toEqual({ reason: 'empty-file', message: 'The file is empty' });
    expect(result.sent.size).toBe(0);
  });

  it('header only: split-failed no-valid-recipients, "The file has a header but no data rows"', async () => {
    const result = await split(fixture('header-only.csv'));
    expect(result.failed).toMatchObject({ reason: 'no-valid-recipients', message: 'The file has a header but no data rows' });
    expect(result.skips).toEqual([]);
  });

  it('UTF-8 BOM: the BOM is not part of the first column name, every row is sent', async () => {
    const result = await split(fixture('utf8-bom.csv'));
    expect(result.completed).toMatchObject({ totalRows: 3, recipients: 3, skipped: 0 });
    expect(texts(result)).toEqual(new Map([[1, 'Anna'], [2, 'Ben'], [3, 'Cleo']]));
  });

  it('`;` delimiter: detected, commas inside names kept, every row is sent', async () => {
    const result = await split(fixture('semicolon.csv'));
    expect(result.completed).toMatchObject({ totalRows: 3, recipients: 3, skipped: 0 });
    expect(texts(result)).toEqual(new Map([[1, 'Doe, Jane'], [2, 'Müller, Max'], [3, 'Smith; John']]));
  });

  it('unbalanced quote: the rows before it are sent, the row is malformed-row with its line, the rest is named as unread', async () => {
    const result = await split(fixture('unbalanced-quote.csv'));
    // Row 2's stray quote inside an unquoted field is text (relax_quotes); row 3 opens a quote never closed.
    expect(texts(result)).toEqual(new Map([[1, 'Anna'], [2, 'Ben 5" screen']]));
    expect(result.skips.map(withoutId)).toEqual([
      {
        rowNumber: 3,
        reason: 'malformed-row',
        message: 'A quoted field starting on line 4 is never closed; this row and the rest of the file after line 4 could not be read',
      },
    ]);
    expect(result.completed).toMatchObject({ totalRows: 3, recipients: 2, skipped: 1 });
  });

  it('ragged rows: missing cells → missing-parameter with the column, extra cells ignored, blank rows dropped', async () => {
    const result = await split(fixture('ragged-rows.csv'));
    expect(texts(result)).toEqual(new Map([[1, 'Anna'], [3, 'Cleo'], [4, 'Dora'], [5, 'Emil']]));
    expect(result.skips.map(withoutId)).toEqual([
      {
        rowNumber: 2,
        phone: '+4915123450002',
        e164: '+4915123450002',
        reason: 'missing-parameter',
        column: 'name',
        message: 'Column "name" is empty (body parameter {{1}})',
      },
    ]);
    expect(result.completed).toMatchObject({ totalRows: 5, recipients: 4, skipped: 1 });
  });

  it('a field of 1 MB: that row is parameter-too-long, the rows after it are all sent', async () => {
    const huge = 'x'.repeat(1024 * 1024);
    const csv = `phone,name\n+4915123450001,Anna\n+4915123450002,${huge}\n+4915123450003,"${huge}"\n+4915123450004,Dora\n+4915123450005,Emil\n`;
    const result = await split(csv);
    expect(texts(result)).toEqual(new Map([[1, 'Anna'], [4, 'Dora'], [5, 'Emil']]));
    expect(result.skips.map(({ rowNumber, reason, column, message }) => ({ rowNumber, reason, column, message }))).toEqual(
      [2, 3].map((rowNumber) => ({
        rowNumber,
        reason: 'parameter-too-long',
        column: 'name',
        message: 'Column "name" has 1048576 characters; body parameter {{1}} allows at most 1024',
      })),
    );
  });

  it('a record over CSV_MAX_RECORD_BYTES: malformed-row naming the limit, the rows before it sent', async () => {
    const csv = `phone,name\n+4915123450001,Anna\n+4915123450002,"${'y'.repeat(3 * 1024 * 1024)}"\n+4915123450003,Cleo\n`;
    const result = await split(csv);
    expect(texts(result)).toEqual(new Map([[1, 'Anna']]));
    expect(result.skips).toMatchObject([{ rowNumber: 2, reason: 'malformed-row' }]);
    expect(result.skips[0]?.message).toBe(
      'The record starting on line 3 is longer than 2097152 bytes (CSV_MAX_RECORD_BYTES; a quoted field that is never closed?); ' +
        'this row and the rest of the file after line 3 could not be read',
    );
  });

  it('binary garbage: split-failed not-csv', async () => {
    const result = await split(fixture('binary-garbage.csv'));
    expect(result.failed).toMatchObject({
      reason: 'not-csv',
      message: 'The file contains NUL bytes: it is binary or UTF-16, not CSV UTF-8 text',
    });
  });

  it('UTF-16 file: split-failed not-csv, "save it as CSV UTF-8"', async () => {
    const result = await split(fixture('utf16le.csv'));
    expect(result.failed).toMatchObject({ reason: 'not-csv', message: 'The file is UTF-16 text; save it as CSV UTF-8' });
  });

  it('phone numbers mangled by spreadsheets are normalised; the one too short is invalid-phone', async () => {
    const result = await split(fixture('mangled-phones.csv'));
    expect(new Map([...result.sent].map(([row, s]) => [row, s.to]))).toEqual(
      new Map([
        [1, '919876543000'], // 9.19876543E+11
        [2, '4915123450001'], // leading zero lost (DE default)
        [3, '4915123450002'], // spaces
        [4, '4915123450003'], // dashes
        [5, '4915123450004'], // parentheses
        [6, '4915123450005'], // 00 prefix
        [7, '4915123450006'], // + lost
        [8, '4915123450007'], // +49 (0)151 ...
      ]),
    );
    expect(result.skips.map(withoutId)).toEqual([
      {
        rowNumber: 9,
        phone: '12345',
        reason: 'invalid-phone',
        column: 'phone',
        message: 'Not a valid phone number (numbers without a country code are read as DE)',
      },
    ]);
  });

  it('non-Latin names and emoji reach the send requests byte for byte', async () => {
    const result = await split(fixture('non-latin.csv'));
    expect(result.completed).toMatchObject({ totalRows: 6, recipients: 6, skipped: 0 });
    expect(texts(result)).toEqual(
      new Map([
        [1, 'Алёна'],
        [2, 'محمد'],
        [3, '李小龍'],
        [4, 'अनीता'],
        [5, 'Zoë 🎉'],
        [6, '👨‍👩‍👧‍👦 family'],
      ]),
    );
  });

  it("a parameter over Meta's 1,024-character limit is parameter-too-long; characters, not UTF-16 units, are counted", async () => {
    const result = await split(fixture('parameter-too-long.csv'));
    expect([...result.sent.keys()].sort()).toEqual([1, 3, 5]);
    expect(result.sent.get(3)?.text).toBe('😀'.repeat(1024));
    expect(result.skips.map(({ rowNumber, reason, column, message }) => ({ rowNumber, reason, column, message }))).toEqual([
      { rowNumber: 2, reason: 'parameter-too-long', column: 'name', message: 'Column "name" has 1025 characters; body parameter {{1}} allows at most 1024' },
      { rowNumber: 4, reason: 'parameter-too-long', column: 'name', message: 'Column "name" has 1025 characters; body parameter {{1}} allows at most 1024' },
    ]);
  });
});
