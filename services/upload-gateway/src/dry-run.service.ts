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
import type { TemplatesService } from './templates.service.js';

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
  samples: { rowNumber: number; to: string; text: string }[];
  estimate: { messagesPerSecond: number; seconds: number };
}

export class DryRunService {
  constructor(
    private readonly drafts: BroadcastDrafts,
    private readonly templates: TemplatesService,
    private readonly options: DryRunOptions,
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
      samples: [],
      estimate: { messagesPerSecond: mps ?? this.options.defaultMps, seconds: 0 },
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
          if (report.samples.length < wantedSamples) {
            report.samples.push({
              rowNumber: outcome.row.rowNumber,
              to: outcome.row.e164,
              text: renderText(template.body, outcome.row.parameters),
            });
          }
          continue;
        }
        const skip = outcome.skip;
        report.skipped += 1;
        report.skippedByReason[skip.reason] = (report.skippedByReason[skip.reason] ?? 0) + 1;
        if (skip.reason === 'duplicate-phone') report.duplicates += 1;
        if (report.invalidRows.length < maxProblems) report.invalidRows.push(skip);
        else report.invalidRowsTruncated = true;
      }
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
