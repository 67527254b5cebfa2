// Pure helpers of the console (no DOM): the first rows of a CSV for the mapping preview, a guess of
// which column fills which placeholder, and the body rendered with a row's values.

export interface CsvSample {
  header: string[];
  rows: string[][];
}

/**
 * Header and first rows from the beginning of a file (RFC 4180 quoting). `text` may end in the
 * middle of a row (the browser reads only the first bytes): an incomplete last row is dropped.
 */
export function sampleCsv(text: string, maxRows = 5, complete = false): CsvSample {
  const records: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  let i = 0;
  const body = text.replace(/^\uFEFF/, '');
  for (; i < body.length && records.length <= maxRows; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f !== '')) records.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (complete && records.length <= maxRows && (field !== '' || row.length > 0)) {
    row.push(field);
    records.push(row);
  }
  const [header = [], ...rows] = records;
  return { header: header.map((h) => h.trim()), rows: rows.slice(0, maxRows) };
}

export interface BodyParameter {
  position?: number;
  name?: string;
}

export const parameterKey = (p: BodyParameter): string =>
  p.name !== undefined ? p.name : String(p.position);

const PHONE = /^(phone|phone_?number|mobile|msisdn|wa_?id|to|number)$/i;

/** A first guess: the phone column by name; a named placeholder by equal column name; else in order. */
export function guessMapping(
  header: readonly string[],
  parameters: readonly BodyParameter[],
): { phoneColumn: string; body: Record<string, string> } {
  const phoneColumn = header.find((h) => PHONE.test(h)) ?? header[0] ?? '';
  const rest = header.filter((h) => h !== phoneColumn);
  const body: Record<string, string> = {};
  parameters.forEach((p, index) => {
    const key = parameterKey(p);
    const same = header.find((h) => h.toLowerCase() === key.toLowerCase());
    body[key] = same ?? rest[index] ?? '';
  });
  return { phoneColumn, body };
}

/** The template body with each {{placeholder}} replaced by the mapped column's value in `row`. */
export function renderBody(
  text: string,
  header: readonly string[],
  row: readonly string[],
  mapping: Record<string, string>,
): string {
  return text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, key: string) => {
    const column = mapping[key];
    if (!column) return whole;
    const index = header.indexOf(column);
    const value = index >= 0 ? row[index] : undefined;
    return value === undefined || value === '' ? `[empty ${column}]` : value;
  });
}
