import { expandScientific, normalisePhone } from './phone.js';

const e164 = (raw: string, country?: string) => {
  const result = normalisePhone(raw, country);
  return result.ok ? result.e164 : result.reason;
};

describe('normalisePhone', () => {
  it('accepts international and national formats', () => {
    expect(e164('+49 151 23456789')).toBe('+4915123456789');
    expect(e164('0151 23456789', 'DE')).toBe('+4915123456789');
    expect(e164('(415) 555-0199', 'US')).toBe('+14155550199');
    expect(e164('415.555.0199', 'US')).toBe('+14155550199');
    expect(e164('0049-151-23456789', 'US')).toBe('+4915123456789');
    expect(e164('+0049 151 23456789')).toBe('+4915123456789');
    expect(e164("'+4915123456789")).toBe('+4915123456789');
    expect(e164('\u00a0+49\u00a0151\u00a023456789\u200e')).toBe('+4915123456789');
  });

  it('repairs numbers mangled by spreadsheets', () => {
    expect(expandScientific('9.19876543E+11')).toBe('919876543000');
    expect(expandScientific('4.915123456789E12')).toBe('4915123456789');
    expect(expandScientific('1.5E-3')).toBeUndefined();
    expect(e164('9.19876543E+11', 'DE')).toBe('+919876543000');
    expect(e164('9,19876543E+11', 'IN')).toBe('+919876543000');
    expect(e164('4915123456789.0', 'US')).toBe('+4915123456789');
    // A number cell that lost its leading `+`.
    expect(e164('4915123456789', 'DE')).toBe('+4915123456789');
    expect(e164('919876543210', 'IN')).toBe('+919876543210');
    expect(e164('14155550199')).toBe('+14155550199');
  });

  it('gives the same E.164 for the same number in different formats', () => {
    const forms = [
      '+91 98765 43210',
      '09876543210',
      '919876543210',
      '0091-98765-43210',
      '9.1987654321E+11',
    ];
    expect(new Set(forms.map((f) => e164(f, 'IN')))).toEqual(new Set(['+919876543210']));
  });

  it('rejects what is not a valid number, with a reason', () => {
    expect(normalisePhone('', 'DE')).toMatchObject({ ok: false, reason: 'missing-phone' });
    expect(normalisePhone('   ', 'DE')).toMatchObject({ ok: false, reason: 'missing-phone' });
    expect(normalisePhone(undefined)).toMatchObject({ ok: false, reason: 'missing-phone' });
    expect(normalisePhone('12345', 'DE')).toMatchObject({ ok: false, reason: 'invalid-phone' });
    expect(normalisePhone('call me', 'DE')).toMatchObject({ ok: false, reason: 'invalid-phone' });
    expect(normalisePhone('+49 151 2345678x', 'DE')).toMatchObject({
      ok: false,
      reason: 'invalid-phone',
    });
    expect(normalisePhone('0151 23456789')).toMatchObject({
      ok: false,
      reason: 'invalid-phone',
      message: expect.stringContaining('no default country') as unknown,
    });
    expect(normalisePhone('+1 200 555 0123')).toMatchObject({ ok: false, reason: 'invalid-phone' });
  });

  it('returns the numeric value used for de-duplication', () => {
    expect(normalisePhone('+4915123456789')).toEqual({
      ok: true,
      e164: '+4915123456789',
      numeric: 4915123456789,
    });
  });
});
