import {
  getCountryCallingCode,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js/max';

/**
 * Phone-number normalisation to E.164, tolerant of what spreadsheets do to phone columns:
 * - `9.19876543E+11` (a number cell shown in scientific notation) → its digits `919876543000`;
 * - `4915123456789.0` (a number cell exported as a float) → `4915123456789`;
 * - a number cell has lost its leading `+` (or trunk `0`), so such digits are tried as an
 *   international number first;
 * - `00` international prefix, spaces, dashes, dots, slashes, parentheses, a leading `'` (Excel's
 *   text marker), non-breaking spaces and bidi marks.
 * Validation uses libphonenumber's full metadata (number patterns, not only lengths).
 */

export type PhoneResult =
  | { ok: true; e164: string; numeric: number }
  | { ok: false; reason: 'missing-phone' | 'invalid-phone'; message: string };

const INVISIBLE = /[\u00a0\u2000-\u200f\u2028-\u202f\u2060\ufeff]/g;
const SCIENTIFIC = /^\+?(\d+)(?:[.,](\d+))?[eE]\+?(\d{1,2})$/;
const FLOAT_ZERO = /^\+?(\d+)[.,]0+$/;
const SEPARATORS = /[\s\-.()/\\[\]]/g;

/** Digits of a number written in scientific notation (`9.19876543E+11` → `919876543000`), or undefined. */
export function expandScientific(text: string): string | undefined {
  const match = SCIENTIFIC.exec(text);
  if (!match) return undefined;
  const [, whole = '', fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText);
  if (fraction.length > exponent) return undefined; // not an integer: not a phone number
  const digits = (whole + fraction + '0'.repeat(exponent - fraction.length)).replace(/^0+/, '');
  return digits.length > 0 ? digits : undefined;
}

export function normalisePhone(raw: string | undefined, defaultCountry?: string): PhoneResult {
  let text = (raw ?? '').replace(INVISIBLE, ' ').trim();
  if (text.startsWith("'")) text = text.slice(1).trim();
  if (text.length === 0)
    return { ok: false, reason: 'missing-phone', message: 'The phone number is empty' };

  // A number cell mangled by a spreadsheet has lost its `+` or trunk `0`: try international first.
  let mangled = false;
  const expanded = expandScientific(text.replace(/\s/g, ''));
  if (expanded !== undefined) {
    text = expanded;
    mangled = true;
  } else {
    const float = FLOAT_ZERO.exec(text.replace(/\s/g, ''));
    if (float?.[1]) {
      text = float[1];
      mangled = true;
    }
  }

  let compact = text.replace(SEPARATORS, '');
  if (compact.startsWith('00')) compact = `+${compact.slice(2)}`;
  else if (compact.startsWith('+00')) compact = `+${compact.slice(3)}`;
  if (!/^\+?\d+$/.test(compact)) {
    return {
      ok: false,
      reason: 'invalid-phone',
      message: 'Contains characters that are not part of a phone number',
    };
  }
  const digits = compact.replace('+', '');
  if (digits.length < 5 || digits.length > 17) {
    return {
      ok: false,
      reason: 'invalid-phone',
      message: `Not a phone number: ${digits.length} digits`,
    };
  }

  const country = validCountry(defaultCountry);
  const candidates: string[] = [];
  if (compact.startsWith('+') || !country) {
    candidates.push(`+${digits}`);
  } else {
    const callingCode = getCountryCallingCode(country);
    // Digits that start with the default country's calling code and form a valid international
    // number most likely lost their `+` (4915123456789 with DE is +49 151..., not 0 4915...).
    if (mangled || (digits.startsWith(callingCode) && !digits.startsWith('0')))
      candidates.push(`+${digits}`);
    candidates.push(digits);
    if (!candidates.includes(`+${digits}`) && !digits.startsWith('0'))
      candidates.push(`+${digits}`);
  }
  for (const candidate of candidates) {
    const parsed = parsePhoneNumberFromString(
      candidate,
      country ? { defaultCountry: country } : undefined,
    );
    if (parsed?.isValid())
      return { ok: true, e164: parsed.number, numeric: Number(parsed.number.slice(1)) };
  }
  return {
    ok: false,
    reason: 'invalid-phone',
    message: country
      ? `Not a valid phone number (numbers without a country code are read as ${country})`
      : 'Not a valid phone number (no country code, and the broadcast has no default country)',
  };
}

function validCountry(country: string | undefined): CountryCode | undefined {
  if (!country) return undefined;
  try {
    getCountryCallingCode(country as CountryCode);
    return country as CountryCode;
  } catch {
    return undefined;
  }
}
