import { PhoneIndex } from './phone-index.js';

describe('PhoneIndex', () => {
  it('returns the first row of a number seen before', () => {
    const index = new PhoneIndex(2);
    expect(index.addOrGet(4915123456789, 1)).toBeUndefined();
    expect(index.addOrGet(14155550199, 2)).toBeUndefined();
    expect(index.addOrGet(4915123456789, 7)).toBe(1);
    expect(index.size).toBe(2);
  });

  it('keeps every entry across growth', () => {
    const index = new PhoneIndex(4);
    const base = 491510000000;
    for (let i = 0; i < 50_000; i++) expect(index.addOrGet(base + i * 7, i + 1)).toBeUndefined();
    for (let i = 0; i < 50_000; i += 997) expect(index.addOrGet(base + i * 7, 999_999)).toBe(i + 1);
    expect(index.size).toBe(50_000);
  });

  it('refuses values that are not E.164 numbers', () => {
    expect(() => new PhoneIndex().addOrGet(0, 1)).toThrow(RangeError);
    expect(() => new PhoneIndex().addOrGet(1.5, 1)).toThrow(RangeError);
  });
});
