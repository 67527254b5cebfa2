// A realistic recipients CSV, generated deterministically (same count and seed → same bytes), with a
// known share of invalid and duplicate rows so tests can compute exactly what must be sent.
//
// Columns: phone, first_name, order_id, city. Valid numbers are Indian mobiles (+91 98xxxxxxxx) in
// the formats spreadsheets and people produce: E.164, no plus, national with trunk 0, spaces,
// dashes, parentheses, 00 prefix. About 1.5% of rows have an invalid number and 1.5% repeat an
// earlier number in another format; a few names are non-Latin or carry emoji.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export interface ExpectedRecipient {
  rowNumber: number;
  e164: string;
  firstName: string;
  orderId: string;
}

export interface FixtureSummary {
  rows: number;
  valid: number;
  invalid: number;
  duplicates: number;
}

function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const FIRST_NAMES = [
  'Aarav',
  'Priya',
  'Rohan',
  'Ananya',
  'Vikram',
  'Meera',
  'José',
  'Zoë',
  'Łukasz',
  'Søren',
  'अर्जुन',
  'Fatima',
  'Chen Wei',
  'Olu',
  'Sakura 🌸',
];
const CITIES = ['Mumbai', 'Delhi', 'Bengaluru', 'Pune', 'Chennai', 'Kolkata', 'Jaipur'];

function formatNational(digits: string, style: number): string {
  // digits: 10-digit Indian mobile, e.g. 9800012345
  switch (style % 7) {
    case 0:
      return `+91${digits}`;
    case 1:
      return `91${digits}`;
    case 2:
      return `0${digits.slice(0, 5)} ${digits.slice(5)}`;
    case 3:
      return `${digits.slice(0, 5)}-${digits.slice(5)}`;
    case 4:
      return `(+91) ${digits.slice(0, 5)} ${digits.slice(5)}`;
    case 5:
      return `0091 ${digits}`;
    default:
      return `+91 ${digits.slice(0, 2)} ${digits.slice(2, 6)} ${digits.slice(6)}`;
  }
}

function csvField(value: string): string {
  return /[",\n\r;]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Calls `onRow` for every row in order (header excluded) with the row's fields and what a correct
 * pipeline must do with it; returns the totals.
 */
export function generateRows(
  count: number,
  seed: number,
  onRow: (
    fields: [string, string, string, string],
    expected: ExpectedRecipient | 'invalid' | 'duplicate',
  ) => void,
): FixtureSummary {
  const random = prng(seed);
  const summary: FixtureSummary = { rows: count, valid: 0, invalid: 0, duplicates: 0 };
  const issued: string[] = [];
  for (let row = 1; row <= count; row++) {
    const firstName = FIRST_NAMES[Math.floor(random() * FIRST_NAMES.length)] as string;
    const city = CITIES[Math.floor(random() * CITIES.length)] as string;
    const orderId = `ORD-${String(100000 + row)}`;
    const roll = random();
    if (roll < 0.015) {
      const bad = ['12345', 'n/a', '+91 12', '98000', 'call me', '+999 123456789'][
        Math.floor(random() * 6)
      ] as string;
      onRow([bad, firstName, orderId, city], 'invalid');
      summary.invalid++;
    } else if (roll < 0.03 && issued.length > 0) {
      const earlier = issued[Math.floor(random() * issued.length)] as string;
      onRow(
        [formatNational(earlier, Math.floor(random() * 7)), firstName, orderId, city],
        'duplicate',
      );
      summary.duplicates++;
    } else {
      const digits = `98${String(seed % 100).padStart(2, '0')}${String(issued.length).padStart(6, '0')}`;
      issued.push(digits);
      onRow([formatNational(digits, row), firstName, orderId, city], {
        rowNumber: row,
        e164: `+91${digits}`,
        firstName,
        orderId,
      });
      summary.valid++;
    }
  }
  return summary;
}

/** Writes the CSV to `file`; returns the totals and, if asked, the expected recipients. */
export async function writeRecipientsCsv(
  file: string,
  count: number,
  seed = 42,
  collect = false,
): Promise<FixtureSummary & { expected: ExpectedRecipient[] }> {
  const out = createWriteStream(file);
  const expected: ExpectedRecipient[] = [];
  let buffer = 'phone,first_name,order_id,city\r\n';
  const summary = generateRows(count, seed, (fields, outcome) => {
    buffer += `${fields.map(csvField).join(',')}\r\n`;
    if (collect && typeof outcome === 'object') expected.push(outcome);
  });
  // One write of the whole text keeps this simple; 1M rows are ~45 MB, written once per run.
  if (!out.write(buffer)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  return { ...summary, expected };
}
