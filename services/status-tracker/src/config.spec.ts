import { ConfigError } from '@wab/service-runtime';
import { loadTrackerConfig as load } from './config.js';

const TOKEN = 'test-internal-api-token-0123456789abcdef';
/** Every test's environment carries the one required setting. */
const loadTrackerConfig = (env: Record<string, string>) =>
  load({ INTERNAL_API_TOKEN: TOKEN, ...env });

describe('status-tracker configuration', () => {
  it('has working defaults', () => {
    const config = loadTrackerConfig({});
    expect(config.PORT).toBe(3003);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
  });

  it('names the bad key and the value it got', () => {
    expect(() => loadTrackerConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadTrackerConfig({ PORT: 'eighty' })).toThrow(
      /PORT: expected a whole number from 1 to 65535; got "eighty"/,
    );
  });
});

describe('status-tracker database and webhook settings', () => {
  it('uses PGlite when DATABASE_URL is absent or empty, PostgreSQL otherwise', () => {
    expect(loadTrackerConfig({}).DATABASE_URL).toBeUndefined();
    expect(loadTrackerConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
    expect(loadTrackerConfig({ DATABASE_URL: 'postgres://u:p@db:5432/wab' }).DATABASE_URL).toBe(
      'postgres://u:p@db:5432/wab',
    );
    expect(() => loadTrackerConfig({ DATABASE_URL: 'mysql://db' })).toThrow(/DATABASE_URL/);
  });

  it('never echoes a webhook secret in a configuration error', () => {
    expect(() => loadTrackerConfig({ WHATSAPP_APP_SECRET: 'short' })).toThrow(
      /WHATSAPP_APP_SECRET: .*got a value \(hidden\)/,
    );
    expect(() => loadTrackerConfig({ WHATSAPP_APP_SECRET: 'short' })).not.toThrow(/short"/);
  });
});

describe('status-tracker internal API token', () => {
  it('is required, at least 32 characters, and never echoed', () => {
    expect(load({ INTERNAL_API_TOKEN: TOKEN }).INTERNAL_API_TOKEN).toBe(TOKEN);
    expect(() => load({})).toThrow(/INTERNAL_API_TOKEN: .*it is not set/);
    const short = 'too-short-token-1234';
    expect(() => load({ INTERNAL_API_TOKEN: short })).toThrow(
      /INTERNAL_API_TOKEN: expected the internal API token \(at least 32 characters\); got a value \(hidden\)/,
    );
    expect(() => load({ INTERNAL_API_TOKEN: short })).not.toThrow(new RegExp(short));
  });
});
