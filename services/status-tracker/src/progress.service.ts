import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@wab/service-runtime';
import type { TrackerConfig } from './config.js';
import {
  etaSeconds,
  isComplete,
  publicState,
  ratePerSecond,
  type BroadcastState,
} from './domain/progress.js';
import type { RecipientState, StateCounts } from './domain/recipient-state.js';
import { csvLine, REPORT_HEADER } from './domain/report-csv.js';
import { ControlStore, type ControlRecord } from './ports/control-store.port.js';
import { ScheduleStore, type ScheduleRecord } from './ports/schedule-store.port.js';
import {
  BroadcastStore,
  type BroadcastDraft,
  type BroadcastRecord,
  type Page,
  type TemplateInfo,
} from './ports/broadcast-store.port.js';

/**
 * Use cases of the internal read API (proxied by upload-gateway): register a draft, progress of one
 * broadcast, the tenant's broadcasts, recipients page by page, and the per-row report as a stream.
 * Every call is scoped to a tenant; another tenant's broadcast is "not found" (undefined), exactly
 * like a missing one.
 */
export interface BroadcastSummary {
  id: string;
  tenantId: string;
  name: string | null;
  /**
   * The computed state, or the operator's `paused`/`cancelled` while the broadcast is not over (and
   * `cancelled` for one that completed because its cancel turned the rest into `cancelled`), or
   * `scheduled` for a draft with a start time.
   */
  state: BroadcastState | 'paused' | 'scheduled';
  /** When a scheduled draft starts (while `scheduled`). */
  startAt?: string;
  /** The start schedule, when one was ever set (`failed`: the start was refused at the time). */
  schedule?: {
    startAt: string;
    status: ScheduleRecord['status'];
    failureCode?: string;
    failureReason?: string;
  };
  /** The operator's last pause/resume/cancel, when there was one. */
  control?: { state: ControlRecord['control']; reason?: string; at: string };
  failureReason?: string;
  failureCode?: string;
  template: TemplateInfo | null;
  phoneNumberId: string | null;
  createdAt: string;
  startedAt?: string;
  completedAt?: string;
  totalRows?: number;
  recipients?: number;
  complete: boolean;
  counts: StateCounts;
  /** Set on a resend wave: its number (2 = first resend), the original broadcast, rows selected. */
  wave?: { number: number; parentBroadcastId: string; selected?: number; origin?: string };
}

/** One resend wave of an original broadcast, as its progress lists them. */
export interface WaveSummary {
  id: string;
  number: number;
  state: BroadcastSummary['state'];
  complete: boolean;
  selected?: number;
  origin?: string;
  createdAt: string;
  counts: StateCounts;
}

export interface BroadcastProgress extends BroadcastSummary {
  skippedByReason: Record<string, number>;
  failedByReason: Record<string, { count: number; title: string }>;
  ratePerSecond: number;
  etaSeconds?: number;
  /** The resend waves of an original broadcast, oldest first (absent when there are none). */
  waves?: WaveSummary[];
}

export interface RecipientView {
  rowNumber: number;
  phone: string | null;
  e164?: string;
  state: RecipientState;
  wamid?: string;
  errorCode?: string;
  errorReason?: string;
  updatedAt: string;
}

export const MAX_PAGE_SIZE = 1000;
const REPORT_BATCH = 1000;

@Injectable()
export class ProgressService {
  constructor(
    private readonly store: BroadcastStore,
    @Inject(SERVICE_CONFIG) private readonly config: TrackerConfig,
    private readonly controls: ControlStore,
    private readonly schedules: ScheduleStore,
  ) {}

  /** Registers the draft; `created` false when the same tenant already had it (idempotent PUT). */
  async register(
    draft: BroadcastDraft,
  ): Promise<{ created: boolean; broadcast: BroadcastProgress }> {
    const { created } = await this.store.registerDraft(draft);
    const broadcast = await this.progress(draft.tenantId, draft.id);
    if (!broadcast) throw new Error(`broadcast ${draft.id} vanished right after it was registered`);
    return { created, broadcast };
  }

  async progress(tenantId: string, id: string): Promise<BroadcastProgress | undefined> {
    const record = await this.store.get(tenantId, id);
    if (!record) return undefined;
    const [reasons, sample, control, waves, schedule] = await Promise.all([
      this.store.reasons(tenantId, id),
      this.store.rateSample(tenantId, id, this.config.RATE_WINDOW_SECONDS),
      this.controls.get(tenantId, id),
      record.parentBroadcastId ? Promise.resolve([]) : this.store.waves(tenantId, id),
      this.schedules.get(tenantId, id),
    ]);
    const summary = withSchedule(withControl(toSummary(record), control), schedule);
    const skippedByReason: Record<string, number> = {};
    const failedByReason: Record<string, { count: number; title: string }> = {};
    for (const reason of reasons) {
      if (reason.state === 'skipped') skippedByReason[reason.code] = reason.count;
      else failedByReason[reason.code] = { count: reason.count, title: reason.title ?? '' };
    }
    const rate = ratePerSecond({
      terminalInWindow: sample.terminalInWindow,
      oldestInWindow: sample.oldestInWindow,
      windowSeconds: this.config.RATE_WINDOW_SECONDS,
      now: sample.now,
    });
    const eta = summary.state === 'sending' ? etaSeconds(record.counts.pending, rate) : undefined;
    return {
      ...summary,
      skippedByReason,
      failedByReason,
      ratePerSecond: rate,
      ...(eta !== undefined ? { etaSeconds: eta } : summary.complete ? { etaSeconds: 0 } : {}),
      ...(waves.length > 0
        ? {
            waves: waves.map((wave): WaveSummary => {
              const shown = toSummary(wave);
              return {
                id: wave.id,
                number: wave.waveNumber ?? 2,
                state: shown.state,
                complete: shown.complete,
                createdAt: shown.createdAt,
                counts: wave.counts,
                ...(wave.waveSelected !== undefined ? { selected: wave.waveSelected } : {}),
                ...(wave.waveOrigin ? { origin: wave.waveOrigin } : {}),
              };
            }),
          }
        : {}),
    };
  }

  async list(
    tenantId: string,
    options: { limit: number; after?: string },
  ): Promise<Page<BroadcastSummary>> {
    const page = await this.store.list(tenantId, options);
    const schedules = new Map(
      (
        await this.schedules.getMany(
          tenantId,
          page.items.filter((item) => item.state === 'created').map((item) => item.id),
        )
      ).map((schedule) => [schedule.broadcastId, schedule]),
    );
    return {
      items: page.items.map((item) => withSchedule(toSummary(item), schedules.get(item.id))),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    };
  }

  /** Undefined when the broadcast is not the tenant's. Keyset paging by row number. */
  async recipients(
    tenantId: string,
    id: string,
    options: { state?: RecipientState; afterRowNumber?: number; limit: number },
  ): Promise<Page<RecipientView> | undefined> {
    if (!(await this.store.get(tenantId, id))) return undefined;
    const rows = await this.store.recipients(tenantId, id, {
      ...options,
      limit: options.limit + 1,
    });
    const items = rows.slice(0, options.limit).map((row): RecipientView => ({
      rowNumber: row.rowNumber,
      phone: row.phone ?? null,
      ...(row.e164 ? { e164: row.e164 } : {}),
      state: row.state,
      ...(row.wamid ? { wamid: row.wamid } : {}),
      ...(row.errorCode ? { errorCode: row.errorCode } : {}),
      ...(row.errorReason ? { errorReason: row.errorReason } : {}),
      updatedAt: row.updatedAt.toISOString(),
    }));
    const last = items[items.length - 1];
    return {
      items,
      ...(rows.length > options.limit && last ? { nextCursor: String(last.rowNumber) } : {}),
    };
  }

  /**
   * The report as CSV text chunks, read in keyset batches of REPORT_BATCH rows: memory stays flat at
   * a million rows, and the consumer's back-pressure (the HTTP response) paces the reads.
   * Undefined when the broadcast is not the tenant's.
   */
  async report(tenantId: string, id: string): Promise<AsyncIterable<string> | undefined> {
    if (!(await this.store.get(tenantId, id))) return undefined;
    const store = this.store;
    return (async function* () {
      yield csvLine(REPORT_HEADER);
      let after = 0;
      for (;;) {
        const rows = await store.recipients(tenantId, id, {
          afterRowNumber: after,
          limit: REPORT_BATCH,
        });
        if (rows.length === 0) return;
        yield rows
          .map((row) =>
            csvLine([
              row.rowNumber,
              row.phone,
              row.e164,
              row.state,
              row.errorCode,
              row.errorReason,
            ]),
          )
          .join('');
        after = rows[rows.length - 1]!.rowNumber;
        if (rows.length < REPORT_BATCH) return;
      }
    })();
  }
}

/**
 * The operator's control on top of the computed state: a finished broadcast (completed, failed) stays
 * what it is; otherwise `cancelled` (final) or `paused` shows. `running` (resumed) shows the computed
 * state. Recipients are not changed here: what the dispatcher did not send stays `pending`.
 */
export function withControl(
  summary: BroadcastSummary,
  control: ControlRecord | undefined,
): BroadcastSummary {
  if (!control) return summary;
  const shown = {
    ...summary,
    control: {
      state: control.control,
      ...(control.reason ? { reason: control.reason } : {}),
      at: control.occurredAt.toISOString(),
    },
  };
  // Completed because the cancel made the rest `cancelled`: the broadcast ended by the cancel.
  if (summary.complete && control.control === 'cancelled' && summary.counts.cancelled > 0) {
    return { ...shown, state: 'cancelled' };
  }
  const over = summary.complete || summary.state === 'failed' || summary.state === 'cancelled';
  if (over || control.control === 'running') return shown;
  return { ...shown, state: control.control };
}

/**
 * A draft with a start time shows `scheduled` (and `startAt`) until it is started; one whose
 * schedule was cancelled (POST …/cancel before the time) shows `cancelled`, final. Once the broadcast
 * has started, the schedule is history (still listed under `schedule`).
 */
export function withSchedule(
  summary: BroadcastSummary,
  schedule: ScheduleRecord | undefined,
): BroadcastSummary {
  if (!schedule) return summary;
  const shown: BroadcastSummary = {
    ...summary,
    schedule: {
      startAt: schedule.startAt.toISOString(),
      status: schedule.status,
      ...(schedule.failureCode ? { failureCode: schedule.failureCode } : {}),
      ...(schedule.failureMessage ? { failureReason: schedule.failureMessage } : {}),
    },
  };
  if (summary.state !== 'created') return shown;
  switch (schedule.status) {
    case 'scheduled':
    case 'claimed':
    case 'started': // published, not recorded yet: still shown as due
      return { ...shown, state: 'scheduled', startAt: schedule.startAt.toISOString() };
    case 'cancelled':
      return { ...shown, state: 'cancelled' };
    case 'failed':
    case 'unscheduled':
      return shown;
  }
}

function toSummary(record: BroadcastRecord): BroadcastSummary {
  const complete = isComplete({
    splitCompleted: record.splitCompletedAt !== undefined,
    totalRows: record.totalRows,
    counts: record.counts,
  });
  return {
    id: record.id,
    tenantId: record.tenantId,
    name: record.name ?? null,
    state: publicState(record.state, complete),
    ...(record.failureMessage ? { failureReason: record.failureMessage } : {}),
    ...(record.failureReason ? { failureCode: record.failureReason } : {}),
    template: record.template ?? null,
    phoneNumberId: record.phoneNumberId ?? null,
    createdAt: record.createdAt.toISOString(),
    ...(record.startedAt ? { startedAt: record.startedAt.toISOString() } : {}),
    ...(record.completedAt && complete ? { completedAt: record.completedAt.toISOString() } : {}),
    ...(record.totalRows !== undefined ? { totalRows: record.totalRows } : {}),
    ...(record.recipients !== undefined ? { recipients: record.recipients } : {}),
    complete,
    counts: record.counts,
    ...(record.parentBroadcastId && record.waveNumber !== undefined
      ? {
          wave: {
            number: record.waveNumber,
            parentBroadcastId: record.parentBroadcastId,
            ...(record.waveSelected !== undefined ? { selected: record.waveSelected } : {}),
            ...(record.waveOrigin ? { origin: record.waveOrigin } : {}),
          },
        }
      : {}),
  };
}
