/**
 * The per-row report: one line per CSV row (recipients and skipped rows) in row order, RFC 4180
 * quoting (a field with a comma, quote, CR or LF, or surrounding spaces is quoted, quotes doubled),
 * CRLF line ends as RFC 4180 and spreadsheet programs expect.
 *
 * LOUD WARNING: the header is a published format (operators' scripts read it): add columns at the end.
 */
export const REPORT_HEADER = [
  'row_number',
  'phone',
  'normalised_phone',
  'state',
  'error_code',
  'error_reason',
] as const;

export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly (string | number | null | undefined)[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
