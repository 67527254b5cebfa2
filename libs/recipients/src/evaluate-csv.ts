/**
 * A CSV object evaluated row by row, exactly as csv-splitter splits it: sniffing (binary, encoding),
 * delimiter detection, csv-parse with the same options, the header resolved against the mapping, then
 * each record through the RowEvaluator (phone, parameters, duplicates). csv-splitter publishes what
 * this yields; upload-gateway's dry run only counts it. One implementation, so the dry run can never
 * disagree with the real split.
 *
 * Back-pressure and memory: the body is pulled as the consumer asks for outcomes; only the 64 KiB head,
 * one record and the duplicate index are held.
 */
import { Readable } from 'node:stream';
import type { CsvMapping } from '@wab/contracts';
import { parse, type CsvError, type Options } from 'csv-parse';
import { detectDelimiter } from './delimiter.js';
import { resolveHeader } from './parameters.js';
import {
  malformedRow,
  RowEvaluator,
  type RowOutcome,
  type RowEvaluatorOptions,
} from './row-evaluator.js';
import { sniffHead } from './sniff.js';

export const HEAD_BYTES = 64 * 1024;

/**
 * Default longest CSV record (csv-splitter's and the dry run's CSV_MAX_RECORD_BYTES). csv-parse cannot
 * resynchronise after a record over its limit, so everything after it is lost: the limit must be far
 * above any real row (a 1 MB cell pasted by mistake is one row skipped as too long, not the end of the
 * file) while still bounding memory on an unclosed quote.
 */
export const DEFAULT_MAX_RECORD_BYTES = 2 * 1024 * 1024;

export interface CsvEvaluationOptions extends Omit<RowEvaluatorOptions, 'phoneColumn'> {
  mapping: CsvMapping;
  /** The delimiter given with the broadcast; detected from the head otherwise. */
  delimiter?: string;
  maxRecordBytes: number;
  /** Checked between records; the generator returns early when aborted (the caller decides what that means). */
  signal?: AbortSignal;
}

/** Why a whole file cannot be split (no row is evaluated after it). */
export interface CsvFailure {
  reason: 'not-csv' | 'missing-column' | 'empty-file';
  message: string;
  column?: string;
}

export type CsvOutcome = RowOutcome | { kind: 'failed'; failure: CsvFailure };

export async function* evaluateCsv(
  body: AsyncIterable<Buffer | string>,
  options: CsvEvaluationOptions,
): AsyncGenerator<CsvOutcome> {
  const { mapping, maxRecordBytes, signal } = options;
  const iterator = body[Symbol.asyncIterator]();
  const head = await readHead(iterator, HEAD_BYTES);
  const sniff = sniffHead(head.bytes, head.complete);
  if (!sniff.ok) {
    yield { kind: 'failed', failure: { reason: sniff.reason, message: sniff.message } };
    return;
  }
  const delimiter = options.delimiter ?? detectDelimiter(head.bytes.toString('utf8'));
  const items = parseCsv(head, iterator, delimiter, maxRecordBytes);

  let evaluator: RowEvaluator | undefined;
  let indexOf: ReadonlyMap<string, number> = new Map();
  let phoneIndex = 0;
  let lastLine = 0;
  for await (const item of items) {
    if (signal?.aborted) return;
    if (!evaluator) {
      if (item.kind === 'error') {
        yield {
          kind: 'failed',
          failure: {
            reason: 'not-csv',
            message: `The header line cannot be read as CSV: ${item.message}`,
          },
        };
        return;
      }
      const header = resolveHeader(item.cells, mapping);
      if (!header.ok) {
        const column = header.missing[0]?.column;
        yield {
          kind: 'failed',
          failure: {
            reason: 'missing-column',
            message: header.message,
            ...(column ? { column } : {}),
          },
        };
        return;
      }
      indexOf = header.indexOf;
      phoneIndex = header.phoneIndex;
      evaluator = new RowEvaluator(mapping, {
        ...(options.strictWhitespace !== undefined
          ? { strictWhitespace: options.strictWhitespace }
          : {}),
        ...(options.defaultCountry ? { defaultCountry: options.defaultCountry } : {}),
        phoneColumn: mapping.phoneColumn,
      });
      lastLine = item.line;
      continue;
    }
    if (item.kind === 'error') {
      const firstLine = lastLine + 1;
      const oversized = item.code === 'CSV_MAX_RECORD_SIZE';
      const unclosed = oversized || item.code === 'CSV_QUOTE_NOT_CLOSED';
      const rest = `this row and the rest of the file after line ${firstLine} could not be read`;
      yield {
        kind: 'skipped',
        skip: malformedRow(
          item.seq,
          oversized
            ? `The record starting on line ${firstLine} is longer than ${maxRecordBytes} bytes ` +
                `(CSV_MAX_RECORD_BYTES; a quoted field that is never closed?); ${rest}`
            : unclosed
              ? `A quoted field starting on line ${firstLine} is never closed; ${rest}`
              : `Line ${firstLine}: ${item.message}`,
        ),
      };
      lastLine = item.line;
      // The parser cannot resynchronise after an unclosed quote: everything after it is one field.
      if (unclosed) return;
      continue;
    }
    lastLine = item.line;
    const cells = item.cells;
    yield evaluator.evaluate(item.seq, cells[phoneIndex], (column) => {
      const index = indexOf.get(column);
      return index === undefined ? undefined : cells[index];
    });
  }
  if (!evaluator)
    yield {
      kind: 'failed',
      failure: { reason: 'empty-file', message: 'The file has no header line' },
    };
}

type ParsedItem =
  | { kind: 'record'; seq: number; line: number; cells: string[] }
  | { kind: 'error'; seq: number; line: number; code: string; message: string };

/** Reads at least `bytes` (or the whole stream if shorter) from the start, for sniffing. */
async function readHead(
  iterator: AsyncIterator<Buffer | string>,
  bytes: number,
): Promise<{ bytes: Buffer; complete: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < bytes) {
    const next = await iterator.next();
    if (next.done) return { bytes: Buffer.concat(chunks), complete: true };
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    chunks.push(chunk);
    size += chunk.length;
  }
  return { bytes: Buffer.concat(chunks), complete: false };
}

/**
 * Records and record-level errors in file order, each numbered by its position (0 = header).
 * csv-parse reports skipped records through a synchronous `skip` event and records through the
 * stream; both are numbered by one counter as they are parsed, and merged back into order here.
 */
async function* parseCsv(
  head: { bytes: Buffer; complete: boolean },
  rest: AsyncIterator<Buffer | string>,
  delimiter: string,
  maxRecordBytes: number,
): AsyncGenerator<ParsedItem> {
  let seq = 0;
  const errors: ParsedItem[] = [];
  type Numbered = { seq: number; line: number; cells: string[] };
  const options: Options<Numbered, string[]> = {
    bom: true,
    delimiter,
    relax_column_count: true,
    // A stray quote inside an unquoted field (`5" screen`) is kept as a character, not an error.
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    skip_records_with_error: true,
    max_record_size: maxRecordBytes,
    on_record: (record: string[], context): Numbered => ({
      seq: seq++,
      line: context.lines,
      cells: record,
    }),
  };
  const parser = parse(options as unknown as Options);
  parser.on('skip', (error: CsvError & { lines?: number }) => {
    errors.push({
      kind: 'error',
      seq: seq++,
      line: error.lines ?? 0,
      code: error.code,
      message: error.message,
    });
  });
  const source = Readable.from(
    (async function* () {
      yield head.bytes;
      if (head.complete) return;
      for (;;) {
        const next = await rest.next();
        if (next.done) return;
        yield next.value;
      }
    })(),
    { objectMode: false },
  );
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  try {
    for await (const record of parser as AsyncIterable<Numbered>) {
      while (errors.length > 0 && (errors[0]?.seq ?? Infinity) < record.seq)
        yield errors.shift() as ParsedItem;
      yield { kind: 'record', ...record };
    }
    while (errors.length > 0) yield errors.shift() as ParsedItem;
  } finally {
    source.destroy();
    parser.destroy();
  }
}
