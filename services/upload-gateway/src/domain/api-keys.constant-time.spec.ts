import { loadGatewayConfig } from '../config.js';
import { generateApiKey, parseApiKeys, verifyApiKey } from './api-keys.js';

/**
 * What can be asserted of "hashed at rest, compared in constant time" without a stopwatch: the
 * configuration holds only digests, and keys of any length are compared as fixed-size digests
 * (timingSafeEqual throws on buffers of unequal length, so a raw comparison would throw here).
 */
describe('API keys at rest and in comparison', () => {
  const acme = generateApiKey('acme');
  const globex = generateApiKey('globex');
  const config = loadGatewayConfig({
    WHATSAPP_TOKEN: 'token-for-test',
    WHATSAPP_WABA_ID: '102290129340398',
    INTERNAL_API_TOKEN: 'test-internal-api-token-0123456789abcdef',
    API_KEYS: `${acme.entry},${globex.entry}`,
  });

  it('keeps only 32-byte SHA-256 digests in the loaded configuration, never the key', () => {
    expect(config.API_KEYS.map((e) => [e.tenantId, e.hash.length])).toEqual([
      ['acme', 32],
      ['globex', 32],
    ]);
    const dump =
      JSON.stringify(config) +
      config.API_KEYS.map((e) => e.hash.toString('latin1') + e.hash.toString('hex')).join('');
    expect(dump).not.toContain(acme.key);
    expect(dump).not.toContain(acme.key.slice(4));
    expect(dump).not.toContain(globex.key);
  });

  it('refuses a raw key configured by mistake, without echoing it', () => {
    const parsed = parseApiKeys(`acme:${acme.key}`);
    expect(parsed.ok).toBe(false);
    expect(JSON.stringify(parsed)).not.toContain(acme.key);
  });

  it('answers keys of every length (empty, prefixes, 1 MB, multi-byte) without throwing', () => {
    const wrong = [
      '',
      'w',
      acme.key.slice(0, -1),
      `${acme.key}x`,
      acme.key.toUpperCase(),
      'ä'.repeat(33),
      'k'.repeat(1024 * 1024),
      '\u0000'.repeat(32),
    ];
    for (const key of wrong) expect(verifyApiKey(key, config.API_KEYS)).toBeUndefined();
    expect(verifyApiKey(acme.key, config.API_KEYS)).toBe('acme');
    expect(verifyApiKey(globex.key, config.API_KEYS)).toBe('globex');
  });
});
