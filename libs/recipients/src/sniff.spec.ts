import { sniffHead } from './sniff.js';

const sniff = (bytes: number[] | string, complete = true) =>
  sniffHead(typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes), complete);

describe('sniffHead', () => {
  it('accepts UTF-8 text with or without BOM', () => {
    expect(sniff('phone;name\n+49;Jürgen\n')).toEqual({ ok: true });
    expect(sniff([0xef, 0xbb, 0xbf, ...Buffer.from('phone\n')])).toEqual({ ok: true });
  });

  it('tolerates a multi-byte character cut at the end of the sample', () => {
    const bytes = Buffer.from('phone;name\n+49;Jü');
    expect(sniffHead(bytes.subarray(0, bytes.length - 1), false)).toEqual({ ok: true });
  });

  it('names what the file is instead', () => {
    expect(sniff('')).toMatchObject({ ok: false, reason: 'empty-file' });
    expect(sniff([0xef, 0xbb, 0xbf, 0x0a])).toMatchObject({ ok: false, reason: 'empty-file' });
    expect(sniff([0xff, 0xfe, 0x70, 0x00])).toMatchObject({
      ok: false,
      reason: 'not-csv',
      message: expect.stringContaining('UTF-16') as unknown,
    });
    expect(sniff([0x50, 0x4b, 0x03, 0x04, 1, 2])).toMatchObject({
      ok: false,
      reason: 'not-csv',
      message: expect.stringContaining('xlsx') as unknown,
    });
    expect(sniff([0x70, 0x00, 0x68, 0x00])).toMatchObject({ ok: false, reason: 'not-csv' });
    expect(sniff(Array.from({ length: 400 }, (_, i) => (i * 37) % 32 || 1))).toMatchObject({
      ok: false,
      reason: 'not-csv',
    });
    expect(sniff([0x70, 0x68, 0xe9, 0x0a])).toMatchObject({
      ok: false,
      reason: 'not-csv',
      message: expect.stringContaining('UTF-8') as unknown,
    });
  });
});
