import { csvLine, REPORT_HEADER } from './report-csv.js';

describe('report CSV', () => {
  it('writes the header and quotes per RFC 4180', () => {
    expect(csvLine(REPORT_HEADER)).toBe(
      'row_number,phone,normalised_phone,state,error_code,error_reason\r\n',
    );
    expect(csvLine([1, '+49 151 2345678', '+491512345678', 'delivered', undefined, null])).toBe(
      '1,+49 151 2345678,+491512345678,delivered,,\r\n',
    );
    expect(csvLine([2, '12,34', '', 'skipped', 'invalid-phone', 'Not "a" number\nat all'])).toBe(
      '2,"12,34",,skipped,invalid-phone,"Not ""a"" number\nat all"\r\n',
    );
    expect(csvLine([' 3 '])).toBe('" 3 "\r\n');
  });
});
