import { createHash } from 'node:crypto';
import {
  extractApiKey,
  generateApiKey,
  hashApiKey,
  parseApiKeys,
  verifyApiKey,
} from './api-keys.js';

const sha = (key: string) => createHash('sha256').update(key).digest('hex');

describe('API keys', () => {
  it('hashes with SHA-256 (hex), the form API_KEYS holds', () => {
    expect(hashApiKey('secret-key')).toBe(sha('secret-key'));
    expect(hashApiKey('secret-key')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('generates a random prefixed key and the entry that accepts it', () => {
    const a = generateApiKey('acme');
    const b = generateApiKey('acme');
    expect(a.key).toMatch(/^wab_[A-Za-z0-9_-]{43}$/);
    expect(a.key).not.toBe(b.key);
    expect(a.entry).toBe(`acme:${sha(a.key)}`);
    const parsed = parseApiKeys(a.entry);
    expect(parsed.ok && verifyApiKey(a.key, parsed.entries)).toBe('acme');
  });

  it('refuses tenant ids the contracts refuse', () => {
    expect(() => generateApiKey('bad tenant')).toThrow(/tenant id "bad tenant" is not valid/);
    expect(() => generateApiKey('_unknown')).toThrow(/not valid/);
  });

  it('parses several tenants and several keys per tenant; empty means no keys', () => {
    const value = ` acme:${sha('k1')}, acme:${sha('k2')} ,globex.eu:${sha('k3').toUpperCase()},`;
    const parsed = parseApiKeys(value);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.entries.map((e) => e.tenantId)).toEqual(['acme', 'acme', 'globex.eu']);
    expect(verifyApiKey('k1', parsed.entries)).toBe('acme');
    expect(verifyApiKey('k2', parsed.entries)).toBe('acme');
    expect(verifyApiKey('k3', parsed.entries)).toBe('globex.eu');
    expect(verifyApiKey('k4', parsed.entries)).toBeUndefined();
    expect(parseApiKeys('')).toEqual({ ok: true, entries: [] });
  });

  it('names the bad item by position without echoing it (it may be a raw key)', () => {
    const parsed = parseApiKeys(`acme:${sha('k1')},acme:wab_rawkeyputbymistake`);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toMatch(/^item 2 is not "tenantId:sha256hex"/);
    expect(parsed.error).not.toContain('rawkey');
    expect(parseApiKeys(sha('k1')).ok).toBe(false); // hash without tenant
  });

  it('refuses a key whose hash only partly matches, and the empty key', () => {
    const parsed = parseApiKeys(`acme:${sha('k1')}`);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(verifyApiKey('k1 ', parsed.entries)).toBeUndefined();
    expect(verifyApiKey('', parsed.entries)).toBeUndefined();
    expect(verifyApiKey('k1', [])).toBeUndefined();
  });

  it('reads Bearer or x-api-key, and says what is wrong with a malformed header', () => {
    expect(extractApiKey({ authorization: 'Bearer abc' })).toEqual({ kind: 'key', key: 'abc' });
    expect(extractApiKey({ authorization: 'bearer   abc ' })).toEqual({ kind: 'key', key: 'abc' });
    expect(extractApiKey({ 'x-api-key': ' abc ' })).toEqual({ kind: 'key', key: 'abc' });
    expect(extractApiKey({})).toEqual({ kind: 'none' });
    expect(extractApiKey({ authorization: 'Basic dXNlcjpwYXNz' })).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('Bearer') as unknown,
    });
    expect(extractApiKey({ authorization: 'Bearer' })).toMatchObject({ kind: 'invalid' });
    expect(extractApiKey({ 'x-api-key': '' })).toMatchObject({ kind: 'invalid' });
  });
});
