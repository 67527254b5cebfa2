import {
  broadcastObjectKeys,
  parseCreateBroadcastRequest,
  readablePath,
} from './broadcast-request.js';

const valid = {
  name: 'June',
  template: { name: 'order_update', language: 'en_US' },
  phoneNumberId: '106540352242922',
  mapping: { phoneColumn: 'phone', body: [{ position: 1, column: 'first_name' }] },
  defaultCountry: 'de',
};

describe('POST /v1/broadcasts body', () => {
  it('accepts the contracts mapping shape and upper-cases the country', () => {
    const parsed = parseCreateBroadcastRequest(valid);
    expect(parsed).toEqual({ ok: true, request: { ...valid, defaultCountry: 'DE' } });
  });

  it('names each bad field by path', () => {
    const parsed = parseCreateBroadcastRequest({
      ...valid,
      template: { name: 'Order Update', language: 'en_US' },
      mapping: { body: [{ position: 'one', column: 'a' }] },
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^template\.name: /),
        expect.stringMatching(/^mapping\.phoneColumn: /),
        expect.stringMatching(/^mapping\.body\[0\]\.position: Expected integer/),
      ]),
    );
  });

  it('refuses unknown fields (a typo must not be ignored), at any depth', () => {
    const parsed = parseCreateBroadcastRequest({
      ...valid,
      defaultcountry: 'DE',
      mapping: { ...valid.mapping, body: [{ position: 1, column: 'a', colum: 'b' }] },
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.join('\n')).toMatch(/defaultcountry/);
    expect(parsed.errors.join('\n')).toMatch(/mapping\.body\[0\]/);
  });

  it('refuses what is not an object', () => {
    expect(parseCreateBroadcastRequest([])).toEqual({
      ok: false,
      errors: ['the body must be a JSON object'],
    });
    expect(parseCreateBroadcastRequest(null)).toEqual({
      ok: false,
      errors: ['the body must be a JSON object'],
    });
  });

  it('object keys live under the tenant', () => {
    expect(broadcastObjectKeys('acme', 'b1')).toEqual({
      csv: 'uploads/acme/b1.csv',
      draft: 'uploads/acme/b1.draft.json',
    });
  });

  it('readable paths', () => {
    expect(readablePath('/mapping/body/0/column')).toBe('mapping.body[0].column');
    expect(readablePath('')).toBe('(body)');
  });
});
