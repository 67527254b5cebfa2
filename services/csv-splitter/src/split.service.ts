/**
 * The split stage: one uploaded file (or inline recipient list) → events on `rows`.
 *
 * Order and idempotency: everything goes out keyed by broadcastId, so it lands on one partition in
 * publish order: split-started, then rows chunks and skipped rows as they come, then exactly one of
 * split-completed / split-failed. Row numbers (data record numbers) and chunk indexes depend only on
 * the input, so re-splitting after a crash or re-delivery republishes identical identifiers and
 * consumers upsert. The caller commits the `uploaded` offset only after this resolves, i.e. after
 * every event is durable.
 *
 * Back-pressure and memory: the object is read as a stream through csv-parse; each flush (one chunk
 * plus pending skips) is awaited before more records are pulled, so at most one chunk is buffered
 * and the S3 socket is paused while Kafka catches up. The duplicate index grows with unique
 * recipients only (about 24-48 bytes each).
 */
import { Inject, Injectable } from '@nestjs/common';
import { splitterMetrics } from './metrics.js';
import { createEnvelope, type ContractEvent, type EventOf, type TemplateRef } from '@wab/contracts';
import { parse, type CsvError, type Options } from 'csv-parse';
import type { Logger } from 'pino';
import { Readable } from 'node:stream';
import { detectDelimiter } from './domain/delimiter.js';
import { resolveHeader } from './domain/parameters.js';
import {
  malformedRow,
  RowEvaluator,
  type RecipientRow,
  type SkippedRow,
} from './domain/row-evaluator.js';
import { sniffHead } from './domain/sniff.js';
import { EventBus } from './ports/event-bus.port.js';
import {
  ObjectNotFoundError,
  ObjectStorage,
  ObjectUnreadableError,
} from './ports/object-storage.port.js';
import { LOGGER, SplitSettings } from './tokens.js';

export interface SplitSummary {
  outcome: 'completed' | 'failed';
  totalRows: number;
  recipients: number;
  skipped: number;
  chunks: number;
  reason?: string;
}

/** Thrown when a split is interrupted by shutdown: the offset is not committed, the file is re-split later. */
export class SplitAbortedError extends Error {
  override readonly name = 'SplitAbortedError';
}

const HEAD_BYTES = 64 * 1024;
/** Skipped rows are flushed at least this often even when no chunk fills up. */
const MAX_PENDING_SKIPS = 500;
const PROGRESS_EVERY_MS = 5000;

type Failure = {
  reason: EventOf<'broadcast.split-failed'>['payload']['reason'];
  message: string;
  column?: string;
};

interface BroadcastContext {
  broadcastId: string;
  phoneNumberId: string;
  template: TemplateRef;
  envelope: { tenantId: string; correlationId: string };
}

/** Accumulates one broadcast's output and publishes it in bounded, awaited flushes. */
class RowsWriter {
  totalRows = 0;
  recipients = 0;
  skipped = 0;
  chunks = 0;
  private chunk: RecipientRow[] = [];
  private skips: SkippedRow[] = [];
  private readonly startedAt = Date.now();
  private lastProgress = Date.now();

  constructor(
    private readonly ctx: BroadcastContext,
    private readonly bus: EventBus,
    private readonly chunkSize: number,
    private readonly log: Logger,
  ) {}

  async recipient(row: RecipientRow): Promise<void> {
    this.totalRows++;
    this.recipients++;
    splitterMetrics.rows.inc({ outcome: 'valid', reason: 'none' });
    this.chunk.push(row);
    if (this.chunk.length >= this.chunkSize) await this.flush();
  }

  async skip(skip: SkippedRow): Promise<void> {
    this.totalRows++;
    this.skipped++;
    splitterMetrics.rows.inc({ outcome: 'skipped', reason: skip.reason });
    this.skips.push(skip);
    if (this.skips.length >= MAX_PENDING_SKIPS) await this.flush();
  }

  async flush(): Promise<void> {
    const events: ContractEvent[] = this.skips.map((skip) =>
      createEnvelope(
        'broadcast.row-skipped',
        { broadcastId: this.ctx.broadcastId, ...skip },
        this.ctx.envelope,
      ),
    );
    if (this.chunk.length > 0) {
      events.push(
        createEnvelope(
          'broadcast.rows',
          {
            broadcastId: this.ctx.broadcastId,
            chunkIndex: this.chunks,
            phoneNumberId: this.ctx.phoneNumberId,
            template: this.ctx.template,
            rows: this.chunk,
          },
          this.ctx.envelope,
        ),
      );
      this.chunks++;
    }
    this.chunk = [];
    this.skips = [];
    if (events.length > 0) await this.bus.publish('rows', events);
    this.progress(false);
  }

  progress(final: boolean): void {
    const now = Date.now();
    if (!final && now - this.lastProgress < PROGRESS_EVERY_MS) return;
    this.lastProgress = now;
    const seconds = Math.max(0.001, (now - this.startedAt) / 1000);
    this.log.info(
      {
        rows: this.totalRows,
        recipients: this.recipients,
        skipped: this.skipped,
        chunks: this.chunks,
        rowsPerSecond: Math.round(this.totalRows / seconds),
        rssMb: Math.round(process.memoryUsage.rss() / 1048576),
      },
      final ? 'split finished' : 'split progress',
    );
  }

  async complete(): Promise<SplitSummary> {
    await this.flush();
    if (this.recipients === 0) {
      return {
        ...(await this.fail({
          reason: 'no-valid-recipients',
          message:
            this.totalRows === 0
              ? 'The file has a header but no data rows'
              : `None of the ${this.totalRows} rows can be sent; every row is in the report with its reason`,
        })),
      };
    }
    await this.bus.publish('rows', [
      createEnvelope(
        'broadcast.split-completed',
        {
          broadcastId: this.ctx.broadcastId,
          totalRows: this.totalRows,
          recipients: this.recipients,
          skipped: this.skipped,
          chunks: this.chunks,
        },
        this.ctx.envelope,
      ),
    ]);
    this.progress(true);
    splitterMetrics.files.inc({ outcome: 'completed' });
    return this.summary('completed');
  }

  async fail(failure: Failure): Promise<SplitSummary> {
    await this.flush();
    await this.bus.publish('rows', [
      createEnvelope(
        'broadcast.split-failed',
        {
          broadcastId: this.ctx.broadcastId,
          reason: failure.reason,
          message: failure.message.slice(0, 1000),
          ...(failure.column ? { column: failure.column.slice(0, 256) } : {}),
        },
        this.ctx.envelope,
      ),
    ]);
    this.log.warn({ reason: failure.reason, failure: failure.message }, 'split failed');
    splitterMetrics.files.inc({ outcome: 'failed' });
    return { ...this.summary('failed'), reason: failure.reason };
  }

  private summary(outcome: SplitSummary['outcome']): SplitSummary {
    return {
      outcome,
      totalRows: this.totalRows,
      recipients: this.recipients,
      skipped: this.skipped,
      chunks: this.chunks,
    };
  }
}

type ParsedItem =
  | { kind: 'record'; seq: number; line: number; cells: string[] }
  | { kind: 'error'; seq: number; line: number; code: string; message: string };

@Injectable()
export class SplitService {
  constructor(
    private readonly storage: ObjectStorage,
    private readonly bus: EventBus,
    private readonly settings: SplitSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async splitUploaded(
    event: EventOf<'broadcast.uploaded'>,
    signal?: AbortSignal,
  ): Promise<SplitSummary> {
    const { payload } = event;
    const ctx = this.context(event);
    const log = this.logger.child({
      correlationId: event.correlationId,
      broadcastId: payload.broadcastId,
    });
    log.info({ bucket: payload.object.bucket, key: payload.object.key }, 'split started');
    await this.bus.publish('rows', [this.started(event, 'object')]);
    const writer = new RowsWriter(ctx, this.bus, this.settings.chunkSize, log);

    let body: Readable;
    try {
      body = await this.storage.open(payload.object.bucket, payload.object.key);
    } catch (error) {
      if (error instanceof ObjectNotFoundError)
        return writer.fail({ reason: 'object-not-found', message: error.message });
      if (error instanceof ObjectUnreadableError)
        return writer.fail({ reason: 'object-unreadable', message: error.message });
      throw error;
    }
    try {
      return await this.splitStream(body, event, writer, signal);
    } finally {
      body.destroy();
    }
  }

  async splitRequested(
    event: EventOf<'broadcast.requested'>,
    signal?: AbortSignal,
  ): Promise<SplitSummary> {
    const { payload } = event;
    const log = this.logger.child({
      correlationId: event.correlationId,
      broadcastId: payload.broadcastId,
    });
    log.info({ recipients: payload.recipients.length }, 'split started (inline recipients)');
    await this.bus.publish('rows', [this.started(event, 'inline')]);
    const writer = new RowsWriter(this.context(event), this.bus, this.settings.chunkSize, log);
    const evaluator = new RowEvaluator(
      payload.mapping,
      this.evaluatorOptions(payload.defaultCountry),
    );
    for (const [index, recipient] of payload.recipients.entries()) {
      if (signal?.aborted) throw new SplitAbortedError('split interrupted by shutdown');
      const variables = recipient.variables ?? {};
      const outcome = evaluator.evaluate(index + 1, recipient.phone, (column) => variables[column]);
      if (outcome.kind === 'recipient') await writer.recipient(outcome.row);
      else await writer.skip(outcome.skip);
    }
    return writer.complete();
  }

  private async splitStream(
    body: Readable,
    event: EventOf<'broadcast.uploaded'>,
    writer: RowsWriter,
    signal: AbortSignal | undefined,
  ): Promise<SplitSummary> {
    const { payload } = event;
    const iterator = (body as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
    const head = await readHead(iterator, HEAD_BYTES);
    const sniff = sniffHead(head.bytes, head.complete);
    if (!sniff.ok) return writer.fail({ reason: sniff.reason, message: sniff.message });

    const delimiter = payload.csv?.delimiter ?? detectDelimiter(head.bytes.toString('utf8'));
    const items = parseCsv(head, iterator, delimiter, this.settings.maxRecordBytes);

    let evaluator: RowEvaluator | undefined;
    let indexOf: ReadonlyMap<string, number> = new Map();
    let phoneIndex = 0;
    let lastLine = 0;
    for await (const item of items) {
      if (signal?.aborted) throw new SplitAbortedError('split interrupted by shutdown');
      if (!evaluator) {
        if (item.kind === 'error') {
          return writer.fail({
            reason: 'not-csv',
            message: `The header line cannot be read as CSV: ${item.message}`,
          });
        }
        const header = resolveHeader(item.cells, payload.mapping);
        if (!header.ok) {
          return writer.fail({
            reason: 'missing-column',
            message: header.message,
            column: header.missing[0]?.column,
          });
        }
        indexOf = header.indexOf;
        phoneIndex = header.phoneIndex;
        evaluator = new RowEvaluator(payload.mapping, {
          ...this.evaluatorOptions(payload.defaultCountry),
          phoneColumn: payload.mapping.phoneColumn,
        });
        lastLine = item.line;
        continue;
      }
      if (item.kind === 'error') {
        const firstLine = lastLine + 1;
        const unclosed =
          item.code === 'CSV_QUOTE_NOT_CLOSED' || item.code === 'CSV_MAX_RECORD_SIZE';
        await writer.skip(
          malformedRow(
            item.seq,
            unclosed
              ? `A quoted field starting on line ${firstLine} is never closed (or the record exceeds ${this.settings.maxRecordBytes} bytes); ` +
                  `this row and the rest of the file after line ${firstLine} could not be read`
              : `Line ${firstLine}: ${item.message}`,
          ),
        );
        lastLine = item.line;
        // The parser cannot resynchronise after an unclosed quote: everything after it is one field.
        if (unclosed) break;
        continue;
      }
      lastLine = item.line;
      const cells = item.cells;
      const outcome = evaluator.evaluate(item.seq, cells[phoneIndex], (column) => {
        const index = indexOf.get(column);
        return index === undefined ? undefined : cells[index];
      });
      if (outcome.kind === 'recipient') await writer.recipient(outcome.row);
      else await writer.skip(outcome.skip);
    }
    if (!evaluator)
      return writer.fail({ reason: 'empty-file', message: 'The file has no header line' });
    return writer.complete();
  }

  private evaluatorOptions(defaultCountry: string | undefined) {
    return {
      strictWhitespace: this.settings.strictWhitespace,
      ...(defaultCountry ? { defaultCountry } : {}),
    };
  }

  private context(
    event: EventOf<'broadcast.uploaded'> | EventOf<'broadcast.requested'>,
  ): BroadcastContext {
    return {
      broadcastId: event.payload.broadcastId,
      phoneNumberId: event.payload.phoneNumberId,
      template: event.payload.template,
      envelope: { tenantId: event.tenantId, correlationId: event.correlationId },
    };
  }

  private started(
    event: EventOf<'broadcast.uploaded'> | EventOf<'broadcast.requested'>,
    source: 'object' | 'inline',
  ): ContractEvent {
    const parent = event.payload.wave?.parentBroadcastId;
    return createEnvelope(
      'broadcast.split-started',
      {
        broadcastId: event.payload.broadcastId,
        source,
        phoneNumberId: event.payload.phoneNumberId,
        template: event.payload.template,
        ...(parent ? { parentBroadcastId: parent } : {}),
      },
      { tenantId: event.tenantId, correlationId: event.correlationId },
    );
  }
}

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
