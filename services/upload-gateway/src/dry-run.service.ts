/**
 * Dry run: the uploaded CSV evaluated row by row with csv-splitter's own rules (@wab/recipients:
 * sniffing, delimiter, phone normalisation, template parameters, duplicates), without publishing
 * anything. The answer: how many rows would be sent and skipped and why, the first invalid rows with
 * row number, column and reason, the message rendered for the first recipients, and the estimated
 * sending time at the sender's quota.
 *
 * Memory is bounded like the split's: the file is streamed from the object store; only counters, the
 * first `maxProblems` problems, `samples` rendered messages and the duplicate index are held.
 */
import { evaluateCsv, type SkippedRow } from '@wab/recipients';
import type { ResolvedParameters } from '@wab/contracts';
import type { BroadcastDrafts } from './broadcast-drafts.js';
import { BROADCAST_ID } from './domain/broadcast-request.js';
import { broadcastNotFound, GatewayError } from './domain/errors.js';
import type { SuppressionList } from './ports/suppression-list.port.js';
import type { TemplatesService } from './templates.service.js';

/** Recipients per suppression check: one status-tracker call per this many, never one per row. */
const SUPPRESSION_BATCH = 1000;

/** A recipient the compose stage would skip as `opted-out`: on the tenant's suppression list. */
export interface SuppressedRow {
  rowNumber: number;
  phone: string;
  e164: string;
  reason: 'opted-out';
  /** The list's reason: `stop-reply`, `user-preferences` or `api`. */
  suppression: string;
}

export interface DryRunOptions {
  maxRecordBytes: number;
  strictWhitespace: boolean;
  defaultMps: number;
  maxProblems?: number;
  samples?: number;
}

export interface DryRunReport {
  id: string;
  /** `ok`: rows can be sent; `failed`: the file as a whole cannot be split (reason below). */
  outcome: 'ok' | 'failed';
  failure?: { reason: string; message: string; column?: string };
  totalRows: number;
  recipients: number;
  skipped: number;
  skippedByReason: Record<string, number>;
  duplicates: number;
  /** The first problems in row order (row number as in the report: 1 = first data row). */
  invalidRows: SkippedRow[];
  invalidRowsTruncated: boolean;
  /** Valid rows whose number is on the suppression list (also in skipped / skippedByReason `opted-out`). */
  suppressed: number;
  /** The first of them in row order, with the list's reason. */
  suppressedRows: SuppressedRow[];
  suppressedRowsTruncated: boolean;
  samples: { rowNumber: number; to: string; text: string }[];
  estimate: { messagesPerSecond: number; seconds: number };
}

export class DryRunService {
  constructor(
    private readonly drafts: BroadcastDrafts,
    private readonly templates: TemplatesService,
    private readonly options: DryRunOptions,
    /** Absent: nobody counts as suppressed (unit tests that do not need the list). */
    private readonly suppressions?: SuppressionList,
  ) {}

  async run(tenantId: string, id: string, mps?: number): Promise<DryRunReport> {
    if (!BROADCAST_ID.test(id)) throw broadcastNotFound(id);
    const draft = await this.drafts.load(tenantId, id);
    if (!draft) throw broadcastNotFound(id);
    const body = await this.drafts.openFile(draft);
    if (!body) {
      throw new GatewayError(
        'conflict',
        'file-missing',
        `broadcast ${id} has no file yet: upload the CSV first, then ask for the dry run`,
      );
    }
    const template = await this.templates.choose(draft.template.name, draft.template.language);
    const maxProblems = this.options.maxProblems ?? 100;
    const wantedSamples = this.options.samples ?? 5;
    const report: DryRunReport = {
      id,
      outcome: 'ok',
      totalRows: 0,
      recipients: 0,
      skipped: 0,
      skippedByReason: {},
      duplicates: 0,
      invalidRows: [],
      invalidRowsTruncated: false,
      suppressed: 0,
      suppressedRows: [],
      suppressedRowsTruncated: false,
      samples: [],
      estimate: { messagesPerSecond: mps ?? this.options.defaultMps, seconds: 0 },
    };
    // Recipients waiting for the next suppression check (bounded: SUPPRESSION_BATCH).
    let toCheck: { rowNumber: number; phone: string; e164: string }[] = [];
    // Samples of the batch waiting for its check: only recipients who will really be sent are shown.
    let sampleCandidates: DryRunReport['samples'] = [];
    const checkSuppressed = async () => {
      const batch = toCheck;
      const candidates = sampleCandidates;
      toCheck = [];
      sampleCandidates = [];
      const listed =
        this.suppressions && batch.length > 0
          ? await this.suppressions.check(
              tenantId,
              batch.map((row) => row.e164),
            )
          : new Map<string, string>();
      for (const sample of candidates) {
        if (report.samples.length >= wantedSamples) break;
        if (!listed.has(sample.to)) report.samples.push(sample);
      }
      if (listed.size === 0) return;
      for (const row of batch) {
        const suppression = listed.get(row.e164);
        if (suppression === undefined) continue;
        report.recipients -= 1;
        report.skipped += 1;
        report.suppressed += 1;
        report.skippedByReason['opted-out'] = (report.skippedByReason['opted-out'] ?? 0) + 1;
        if (report.suppressedRows.length < maxProblems) {
          report.suppressedRows.push({ ...row, reason: 'opted-out', suppression });
        } else report.suppressedRowsTruncated = true;
      }
    };
    try {
      for await (const outcome of evaluateCsv(body, {
        mapping: draft.mapping,
        maxRecordBytes: this.options.maxRecordBytes,
        strictWhitespace: this.options.strictWhitespace,
        ...(draft.defaultCountry ? { defaultCountry: draft.defaultCountry } : {}),
      })) {
        if (outcome.kind === 'failed') {
          report.outcome = 'failed';
          report.failure = outcome.failure;
          break;
        }
        report.totalRows += 1;
        if (outcome.kind === 'recipient') {
          report.recipients += 1;
          toCheck.push({
            rowNumber: outcome.row.rowNumber,
            phone: outcome.row.phone,
            e164: outcome.row.e164,
          });
          // Until the samples are full, every recipient of the batch is a candidate (at most one
          // batch of rendered texts): the check may take any of them out.
          if (report.samples.length < wantedSamples) {
            sampleCandidates.push({
              rowNumber: outcome.row.rowNumber,
              to: outcome.row.e164,
              text: renderText(template.body, outcome.row.parameters),
            });
          }
          if (toCheck.length >= SUPPRESSION_BATCH) await checkSuppressed();
          continue;
        }
        const skip = outcome.skip;
        report.skipped += 1;
        report.skippedByReason[skip.reason] = (report.skippedByReason[skip.reason] ?? 0) + 1;
        if (skip.reason === 'duplicate-phone') report.duplicates += 1;
        if (report.invalidRows.length < maxProblems) report.invalidRows.push(skip);
        else report.invalidRowsTruncated = true;
      }
      if (report.outcome === 'ok') await checkSuppressed();
    } finally {
      body.destroy();
    }
    report.estimate.seconds = Math.ceil(report.recipients / report.estimate.messagesPerSecond);
    return report;
  }
}

/** The template body with each placeholder replaced by the row's value (positional or named). */
export function renderText(body: string, parameters: ResolvedParameters): string {
  return body.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, key: string) => {
    const found = parameters.body.find((p, index) =>
      p.name !== undefined ? p.name === key : String(p.position ?? index + 1) === key,
    );
    return found ? found.text : whole;
  });
}
