import { RowEvaluator } from './row-evaluator.js';

describe('RowEvaluator', () => {
  const mapping = { body: [{ position: 1, column: 'name' }] };
  const lookup = (name: string) => (column: string) => (column === 'name' ? name : undefined);

  it('checks phone, then parameters, then duplicates', () => {
    const evaluator = new RowEvaluator(mapping, { defaultCountry: 'DE', phoneColumn: 'phone' });
    expect(evaluator.evaluate(1, 'nope', lookup('Ada'))).toMatchObject({
      kind: 'skipped',
      skip: { reason: 'invalid-phone', column: 'phone', phone: 'nope' },
    });
    // A bad first occurrence does not make a later good one a duplicate.
    expect(evaluator.evaluate(2, '0151 23456789', lookup(''))).toMatchObject({
      kind: 'skipped',
      skip: { reason: 'missing-parameter', e164: '+4915123456789' },
    });
    expect(evaluator.evaluate(3, '+49 151 23456789', lookup('Ada'))).toEqual({
      kind: 'recipient',
      row: {
        rowNumber: 3,
        phone: '+49 151 23456789',
        e164: '+4915123456789',
        parameters: { body: [{ position: 1, text: 'Ada' }] },
      },
    });
    expect(evaluator.evaluate(4, '004915123456789', lookup('Bob'))).toMatchObject({
      kind: 'skipped',
      skip: {
        rowNumber: 4,
        reason: 'duplicate-phone',
        duplicateOfRow: 3,
        message: 'Same phone number as row 3',
      },
    });
    expect(evaluator.evaluate(5, '', lookup('Bob'))).toEqual({
      kind: 'skipped',
      skip: {
        rowNumber: 5,
        reason: 'missing-phone',
        message: 'The phone number is empty',
        column: 'phone',
      },
    });
    expect(evaluator.uniqueRecipients).toBe(1);
  });
});
