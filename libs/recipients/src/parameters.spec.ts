import type { CsvMapping } from '@wab/contracts';
import { PARAMETER_LIMITS, resolveHeader, resolveParameters } from './parameters.js';

const mapping: CsvMapping = {
  phoneColumn: 'phone',
  header: { type: 'text', column: 'title' },
  body: [
    { position: 1, column: 'name' },
    { position: 2, column: 'order' },
  ],
  buttons: [{ index: 0, subType: 'copy_code', column: 'code' }],
};

const row = (values: Record<string, string>) => (column: string) => values[column];
const good = { title: 'Hi', name: ' Ada ', order: 'A-1', code: 'SAVE20' };

describe('resolveParameters', () => {
  it('resolves trimmed values in the neutral shape', () => {
    expect(resolveParameters(mapping, row(good))).toEqual({
      ok: true,
      parameters: {
        header: { type: 'text', value: 'Hi' },
        body: [
          { position: 1, text: 'Ada' },
          { position: 2, text: 'A-1' },
        ],
        buttons: [{ index: 0, subType: 'copy_code', value: 'SAVE20' }],
      },
    });
  });

  it('reports an empty or absent mapped cell as missing-parameter, naming the column', () => {
    expect(resolveParameters(mapping, row({ ...good, order: '  ' }))).toMatchObject({
      ok: false,
      reason: 'missing-parameter',
      column: 'order',
      message: 'Column "order" is empty (body parameter {{2}})',
    });
    const { name: _name, ...withoutName } = good;
    expect(resolveParameters(mapping, row(withoutName))).toMatchObject({
      reason: 'missing-parameter',
      column: 'name',
    });
  });

  it("enforces Meta's length limits per component", () => {
    expect(
      resolveParameters(mapping, row({ ...good, name: 'x'.repeat(PARAMETER_LIMITS.body) })),
    ).toMatchObject({ ok: true });
    expect(resolveParameters(mapping, row({ ...good, name: 'x'.repeat(1025) }))).toMatchObject({
      reason: 'parameter-too-long',
      column: 'name',
    });
    expect(resolveParameters(mapping, row({ ...good, title: 'é'.repeat(61) }))).toMatchObject({
      reason: 'parameter-too-long',
      column: 'title',
      message: expect.stringContaining('at most 60') as unknown,
    });
    expect(resolveParameters(mapping, row({ ...good, code: 'SIXTEEN-CHARS-XX' }))).toMatchObject({
      reason: 'parameter-too-long',
      column: 'code',
    });
    // Characters, not UTF-16 units: 60 emoji fit a text header.
    expect(resolveParameters(mapping, row({ ...good, title: '😀'.repeat(60) }))).toMatchObject({
      ok: true,
    });
  });

  it('refuses newlines, tabs and long runs of spaces in text parameters', () => {
    for (const bad of ['two\nlines', 'a\tb', 'a     b', 'a\r\nb']) {
      expect(resolveParameters(mapping, row({ ...good, name: bad }))).toMatchObject({
        reason: 'invalid-parameter',
        column: 'name',
      });
    }
    expect(resolveParameters(mapping, row({ ...good, name: 'a    b' }))).toMatchObject({
      ok: true,
    });
    expect(
      resolveParameters(mapping, row({ ...good, name: 'two\nlines' }), { strictWhitespace: false }),
    ).toMatchObject({ ok: true });
  });

  it('requires an https URL for media headers', () => {
    const media: CsvMapping = {
      phoneColumn: 'phone',
      header: { type: 'image', column: 'img' },
      body: [],
    };
    expect(resolveParameters(media, row({ img: 'https://example.com/a.jpg' }))).toMatchObject({
      ok: true,
    });
    expect(resolveParameters(media, row({ img: 'http://example.com/a.jpg' }))).toMatchObject({
      reason: 'invalid-parameter',
      column: 'img',
    });
    expect(resolveParameters(media, row({ img: 'not a url' }))).toMatchObject({
      reason: 'invalid-parameter',
    });
  });

  it('keeps names for named templates', () => {
    const named: CsvMapping = { phoneColumn: 'p', body: [{ name: 'first_name', column: 'n' }] };
    expect(resolveParameters(named, row({ n: 'Ada' }))).toEqual({
      ok: true,
      parameters: { body: [{ name: 'first_name', text: 'Ada' }] },
    });
  });
});

describe('resolveHeader', () => {
  it('finds columns by trimmed name, then case-insensitively', () => {
    const result = resolveHeader(
      ['\ufeff Phone ', 'name', 'ORDER', 'title', 'code', 'name'],
      mapping,
    );
    expect(result).toMatchObject({ ok: true, phoneIndex: 0 });
    if (result.ok)
      expect(Object.fromEntries(result.indexOf)).toEqual({
        phone: 0,
        name: 1,
        order: 2,
        title: 3,
        code: 4,
      });
  });

  it('names every missing column and what it is for', () => {
    const result = resolveHeader(['mobile', 'name', 'title'], mapping);
    expect(result).toMatchObject({
      ok: false,
      missing: [
        { column: 'phone', role: 'phone number' },
        { column: 'order', role: 'body parameter {{2}}' },
        { column: 'code', role: 'button 0 (copy_code)' },
      ],
    });
    if (!result.ok) expect(result.message).toContain('"order" (body parameter {{2}})');
  });
});
