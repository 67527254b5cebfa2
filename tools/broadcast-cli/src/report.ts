// The recipients of one state as CSV, in the report's columns (REPORT_HEADER of status-tracker):
// `broadcast report ID --state failed > failed.csv` gives a file shaped like the full report.
import type { Recipient } from './client.ts';

const HEADER = ['row_number', 'phone', 'normalised_phone', 'state', 'error_code', 'error_reason'];

export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const recipientsCsvHeader = () => `${HEADER.join(',')}\r\n`;

export function recipientCsvLine(r: Recipient): string {
  return `${[r.rowNumber, r.phone, r.e164, r.state, r.errorCode, r.errorReason].map(csvField).join(',')}\r\n`;
}
