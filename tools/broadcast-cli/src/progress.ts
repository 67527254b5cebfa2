// How a broadcast's progress is shown in a terminal: one redrawn bar on a TTY, a line every few
// seconds otherwise (logs, CI). Pure formatting, no I/O besides the given write function.
import type { BroadcastStatus, DryRunReport } from './client.ts';

export const SENT_STATES = ['accepted', 'sent', 'delivered', 'read'] as const;

export function summarise(status: BroadcastStatus) {
  const c = status.counts;
  const sent = SENT_STATES.reduce((n, s) => n + (c[s] ?? 0), 0);
  // Recipients skipped after the split (opted out) are in `recipients` and have their outcome too;
  // rows the split refused are not (counts.skipped holds both).
  const splitSkipped =
    status.totalRows !== undefined && status.recipients !== undefined
      ? status.totalRows - status.recipients
      : (c.skipped ?? 0);
  const done =
    sent +
    (c.failed ?? 0) +
    (c.unknown ?? 0) +
    (c.cancelled ?? 0) +
    Math.max(0, (c.skipped ?? 0) - splitSkipped);
  const total = status.recipients ?? status.totalRows ?? 0;
  return { sent, done, total, share: total > 0 ? Math.min(1, done / total) : 0 };
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function progressLine(status: BroadcastStatus, elapsedSeconds: number, width = 30): string {
  const { done, total, share } = summarise(status);
  const filled = Math.round(share * width);
  const failed = status.counts.failed ?? 0;
  const eta =
    status.etaSeconds !== undefined && status.state === 'sending'
      ? `  ETA ${formatDuration(status.etaSeconds)}`
      : '';
  return (
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(1).padStart(5)}%  ` +
    `${done.toLocaleString('en')}/${total.toLocaleString('en')}  ${status.state.padEnd(9)} ` +
    `${Math.round(status.ratePerSecond).toLocaleString('en')} msg/s` +
    `${failed > 0 ? `  ${failed.toLocaleString('en')} failed` : ''}${eta}  ${formatDuration(elapsedSeconds)}`
  );
}

/** A multi-line summary of a status, as `broadcast status` prints it. */
export function statusReport(status: BroadcastStatus): string {
  const { sent, total } = summarise(status);
  const c = status.counts;
  const n = (value: number | undefined) => (value ?? 0).toLocaleString('en');
  const lines = [
    `broadcast ${status.id}${status.name ? ` (${status.name})` : ''}: ${status.state}${status.failureReason ? ` (${status.failureReason})` : ''}`,
    `  recipients   ${n(total)}${status.totalRows !== undefined ? ` of ${n(status.totalRows)} rows` : ''}`,
    `  pending      ${n(c.pending)}`,
    `  sent         ${n(sent)}  (delivered ${n((c.delivered ?? 0) + (c.read ?? 0))}, read ${n(c.read)})`,
    `  failed       ${n(c.failed)}`,
    ...Object.entries(status.failedByReason ?? {}).map(
      ([code, v]) => `    ${code.padEnd(10)} ${n(v.count)}  ${v.title ?? ''}`,
    ),
    `  unknown      ${n(c.unknown)}`,
    `  skipped      ${n(c.skipped)}`,
    ...Object.entries(status.skippedByReason ?? {}).map(
      ([reason, count]) => `    ${reason.padEnd(10)} ${n(count)}`,
    ),
    ...(c.cancelled ? [`  cancelled    ${n(c.cancelled)}`] : []),
    `  rate         ${Math.round(status.ratePerSecond)} msg/s${status.etaSeconds !== undefined ? `, ETA ${formatDuration(status.etaSeconds)}` : ''}`,
  ];
  return lines.join('\n');
}

/** Draws progress: redraws one line on a TTY, prints a line at most every `everyMs` otherwise. */
export class ProgressRenderer {
  private lastLine = 0;
  private drawn = false;
  private lastState: string | undefined;
  private readonly started = Date.now();

  private readonly write: (text: string) => void;
  private readonly tty: boolean;
  private readonly everyMs: number;

  constructor(write: (text: string) => void, tty: boolean, everyMs = 5000) {
    this.write = write;
    this.tty = tty;
    this.everyMs = everyMs;
  }

  update(status: BroadcastStatus, force = false): void {
    const line = progressLine(status, (Date.now() - this.started) / 1000);
    if (this.tty) {
      this.write(`\r\x1b[2K${line}`);
      this.drawn = true;
    } else if (force || Date.now() - this.lastLine >= this.everyMs) {
      this.lastLine = Date.now();
      this.lastState = status.state;
      this.write(`${line}\n`);
    }
  }

  done(final: BroadcastStatus): void {
    if (this.tty) {
      this.update(final);
      if (this.drawn) this.write('\n');
    } else if (this.lastState !== final.state) this.update(final, true);
  }
}

/** The dry-run report as `broadcast send --dry-run` prints it. */
export function dryRunReport(report: DryRunReport): string {
  const n = (value: number) => value.toLocaleString('en');
  if (report.outcome === 'failed' && report.failure) {
    return `dry run of broadcast ${report.id}: the file cannot be sent: ${report.failure.message} [${report.failure.reason}]`;
  }
  return [
    `dry run of broadcast ${report.id} (nothing sent)`,
    `  rows          ${n(report.totalRows)}`,
    `  recipients    ${n(report.recipients)}`,
    `  skipped       ${n(report.skipped)}  (duplicates ${n(report.duplicates)})`,
    ...Object.entries(report.skippedByReason).map(([r, c]) => `    ${r.padEnd(22)}${n(c)}`),
    `  estimated     ${formatDuration(report.estimate.seconds)} at ${n(report.estimate.messagesPerSecond)} msg/s`,
    ...(report.invalidRows.length > 0
      ? [
          `  first invalid rows${report.invalidRowsTruncated ? ` (${report.invalidRows.length} shown)` : ''}:`,
          ...report.invalidRows.map(
            (r) =>
              `    row ${r.rowNumber}${r.column ? ` [${r.column}]` : ''}: ${r.reason}: ${r.message}`,
          ),
        ]
      : []),
    ...(report.suppressedRows?.length
      ? [
          `  opted out (on the suppression list)${report.suppressedRowsTruncated ? ` (${report.suppressedRows.length} shown)` : ''}:`,
          ...report.suppressedRows.map(
            (r) => `    row ${r.rowNumber}: ${r.e164} (${r.suppression})`,
          ),
        ]
      : []),
    '  sample messages:',
    ...report.samples.map((s) => `    row ${s.rowNumber} → ${s.to}: ${s.text}`),
  ].join('\n');
}
