// The statistics of the benchmark, pure so they can be unit-tested: the steady-state send rate from
// the simulator's per-second ledger, efficiency, and the rows of the printed and Markdown tables.

export interface SecondCount {
  second: number;
  accepted: number;
}

export interface SteadyState {
  /** Mean accepted per second over the plateau (ramp-up and tail excluded). */
  rate: number;
  /** The plateau: first and last second included, and its length. */
  from: number;
  to: number;
  seconds: number;
  /** False when the run was too short to have a plateau: `rate` is then total / duration. */
  steady: boolean;
}

/** Seconds from the first to the last with an acceptance, gaps filled with zeros. */
export function contiguous(perSecond: readonly SecondCount[]): SecondCount[] {
  const nonzero = perSecond.filter((s) => s.accepted > 0).sort((a, b) => a.second - b.second);
  const first = nonzero[0];
  const last = nonzero[nonzero.length - 1];
  if (!first || !last) return [];
  const counts = new Map<number, number>();
  for (const s of nonzero) counts.set(s.second, (counts.get(s.second) ?? 0) + s.accepted);
  const series: SecondCount[] = [];
  for (let second = first.second; second <= last.second; second++)
    series.push({ second, accepted: counts.get(second) ?? 0 });
  return series;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The achieved rate in steady state. The first and last seconds are partial (the run starts and
 * ends inside them) and are always dropped; then leading seconds below `threshold` × the plateau
 * level (the median of what is left) are ramp-up and trailing ones the tail, and are dropped too.
 * A dip *inside* the plateau (a throttling storm, a rebalance) stays in: it is part of the rate.
 */
export function steadyStateRate(perSecond: readonly SecondCount[], threshold = 0.8): SteadyState {
  const series = contiguous(perSecond);
  const total = series.reduce((sum, s) => sum + s.accepted, 0);
  const first = series[0];
  const last = series[series.length - 1];
  if (!first || !last) return { rate: 0, from: 0, to: 0, seconds: 0, steady: false };
  if (series.length < 5) {
    return {
      rate: total / series.length,
      from: first.second,
      to: last.second,
      seconds: series.length,
      steady: false,
    };
  }
  const inner = series.slice(1, -1);
  const level = median(inner.map((s) => s.accepted));
  let start = 0;
  let end = inner.length - 1;
  while (start < end && (inner[start] as SecondCount).accepted < threshold * level) start++;
  while (end > start && (inner[end] as SecondCount).accepted < threshold * level) end--;
  const plateau = inner.slice(start, end + 1);
  const sum = plateau.reduce((acc, s) => acc + s.accepted, 0);
  return {
    rate: sum / plateau.length,
    from: (plateau[0] as SecondCount).second,
    to: (plateau[plateau.length - 1] as SecondCount).second,
    seconds: plateau.length,
    steady: true,
  };
}

/** Achieved / limit, or undefined without a limit. */
export function efficiency(achieved: number, limit: number | undefined): number | undefined {
  return limit && limit > 0 ? achieved / limit : undefined;
}

/** Accepted messages per second over a window, from two ledger readings. */
export function windowRate(
  acceptedAtStart: number,
  acceptedAtEnd: number,
  seconds: number,
): number {
  return seconds > 0 ? Math.max(0, acceptedAtEnd - acceptedAtStart) / seconds : 0;
}

export interface ScenarioResult {
  name: string;
  recipients: number;
  senderLimitMps: number | null;
  latency: string;
  dispatchers: number;
  wallSeconds: number;
  achievedMps: number;
  efficiency: number | null;
  recipientsPerSecond: number;
  rate429: number;
  duplicates: number;
  peakRssMb: Record<string, number>;
  /** What else the scenario measured (naive: extrapolation and ratio; big-file: rows/s...). */
  notes: string[];
  /** True when wallSeconds is extrapolated from a bounded window, not measured. */
  extrapolated?: boolean;
}

const fmt = (value: number | null | undefined, digits = 0): string =>
  value === null || value === undefined || !Number.isFinite(value)
    ? '-'
    : value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const TABLE_HEADER = [
  'scenario',
  'recipients',
  'limit mps',
  'latency',
  'disp.',
  'wall s',
  'achieved mps',
  'efficiency',
  'recipients/s',
  '130429',
  'dups',
  'peak RSS MB',
];

export function tableRow(r: ScenarioResult): string[] {
  return [
    r.name,
    fmt(r.recipients),
    r.senderLimitMps === null ? 'none' : fmt(r.senderLimitMps),
    r.latency,
    String(r.dispatchers),
    `${r.extrapolated ? '≈' : ''}${fmt(r.wallSeconds, 1)}`,
    fmt(r.achievedMps, 1),
    fmt(r.efficiency, 3),
    fmt(r.recipientsPerSecond, 1),
    fmt(r.rate429),
    fmt(r.duplicates),
    Object.entries(r.peakRssMb)
      .map(([name, mb]) => `${name} ${mb}`)
      .join(', '),
  ];
}

/** A plain-text table with aligned columns, for the terminal. */
export function textTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function markdownTable(header: readonly string[], rows: readonly string[][]): string {
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Replaces the text between the two markers (kept), or appends the block when they are missing. */
export function replaceBetween(document: string, start: string, end: string, body: string): string {
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from === -1 || to === -1 || to < from)
    return `${document.trimEnd()}\n\n${start}\n${body}\n${end}\n`;
  return `${document.slice(0, from + start.length)}\n${body}\n${document.slice(to)}`;
}
