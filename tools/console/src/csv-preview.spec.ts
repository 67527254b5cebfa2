import { guessMapping, renderBody, sampleCsv } from './csv-preview.ts';

describe('sampleCsv', () => {
  it('reads the header and first rows with quoting, CRLF and a BOM, dropping a cut last row', () => {
    const text =
      '\uFEFFphone,first_name,note\r\n+49 151,"Anna, B.","say ""hi"""\r\n\r\n98090,Ben,x\r\n98091,Ca';
    expect(sampleCsv(text)).toEqual({
      header: ['phone', 'first_name', 'note'],
      rows: [
        ['+49 151', 'Anna, B.', 'say "hi"'],
        ['98090', 'Ben', 'x'],
      ],
    });
    expect(sampleCsv(text, 5, true).rows).toHaveLength(3);
  });
  it('stops after maxRows', () => {
    expect(sampleCsv('a\n1\n2\n3\n4\n', 2).rows).toEqual([['1'], ['2']]);
  });
});

describe('guessMapping', () => {
  it('finds the phone column, named placeholders by name, positional ones in order', () => {
    expect(guessMapping(['name', 'Mobile', 'order'], [{ position: 1 }, { position: 2 }])).toEqual({
      phoneColumn: 'Mobile',
      body: { '1': 'name', '2': 'order' },
    });
    expect(guessMapping(['phone', 'x', 'customer'], [{ name: 'customer' }]).body).toEqual({
      customer: 'customer',
    });
  });
});

describe('renderBody', () => {
  it('fills placeholders from the mapped columns and marks empty values', () => {
    const header = ['phone', 'first_name', 'order_id'];
    expect(
      renderBody('Hi {{1}}, order {{ 2 }} {{3}}', header, ['1', 'Ann', ''], {
        '1': 'first_name',
        '2': 'order_id',
      }),
    ).toBe('Hi Ann, order [empty order_id] {{3}}');
  });
});
