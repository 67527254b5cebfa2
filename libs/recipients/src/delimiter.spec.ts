import { detectDelimiter } from './delimiter.js';

describe('detectDelimiter', () => {
  it('picks the most frequent candidate of the header line', () => {
    expect(detectDelimiter('phone,name,order\n1,2,3')).toBe(',');
    expect(detectDelimiter('phone;name;order\r\n1,5;2;3')).toBe(';');
    expect(detectDelimiter('phone\tname\torder\n')).toBe('\t');
    expect(detectDelimiter('\ufeffphone;first, name;order')).toBe(';');
  });

  it('ignores delimiters inside quotes and after the first line', () => {
    expect(detectDelimiter('"a,b,c";"d,e";f\n,,,,,,')).toBe(';');
    expect(detectDelimiter('"multi\nline,,,";x;y')).toBe(';');
  });

  it('falls back to a comma for a single column', () => {
    expect(detectDelimiter('phone\n+4915123456789')).toBe(',');
    expect(detectDelimiter('')).toBe(',');
  });
});
