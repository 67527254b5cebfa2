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
import { Inject, Injectable, Optional } from '@nestjs/common';
import { splitterMetrics } from './metrics.js';
import { createEnvelope, type ContractEvent, type EventOf, type TemplateRef } from '@wab/contracts';
import type { Logger } from 'pino';
import { Readable } from 'node:stream';
import { evaluateCsv, RowEvaluator, type RecipientRow, type SkippedRow } from '@wab/recipients';
import { EventBus } from './ports/event-bus.port.js';
import {
  ObjectNotFoundError,
  ObjectStorage,
  ObjectUnreadableError,
} from './ports/object-storage.port.js';
import { LOGGER, SplitSettings } from './tokens.js';
import { WaveRows, WaveSelection } from './ports/wave-rows.port.js';

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

@Injectable()
export class SplitService {
  constructor(
    private readonly storage: ObjectStorage,
    private readonly bus: EventBus,
    private readonly settings: SplitSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() private readonly waveRows?: WaveRows,
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
    // A resend wave (wave.selection 'status-tracker') re-reads the original's object but publishes
    // only the rows status-tracker selected, with the original's row numbers. Every row is still
    // evaluated, so de-duplication judges the file exactly as the first split did.
    let selection: WaveSelection | undefined;
    if (payload.wave?.selection === 'status-tracker') {
      if (!this.waveRows)
        throw new Error('a resend wave needs the status-tracker wave rows source');
      selection = new WaveSelection(this.waveRows, event.tenantId, payload.broadcastId);
    }
    // The evaluation itself (sniffing, delimiter, csv-parse, header, rows) lives in @wab/recipients,
    // shared with upload-gateway's dry run so both always agree. Here: publish what it yields.
    for await (const outcome of evaluateCsv(body as AsyncIterable<Buffer | string>, {
      mapping: payload.mapping,
      ...(payload.csv?.delimiter ? { delimiter: payload.csv.delimiter } : {}),
      maxRecordBytes: this.settings.maxRecordBytes,
      ...this.evaluatorOptions(payload.defaultCountry),
      ...(signal ? { signal } : {}),
    })) {
      if (outcome.kind === 'failed') return writer.fail(outcome.failure);
      const rowNumber =
        outcome.kind === 'recipient' ? outcome.row.rowNumber : outcome.skip.rowNumber;
      if (selection && !(await selection.has(rowNumber))) continue;
      if (outcome.kind === 'recipient') await writer.recipient(outcome.row);
      else await writer.skip(outcome.skip);
    }
    if (signal?.aborted) throw new SplitAbortedError('split interrupted by shutdown');
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
