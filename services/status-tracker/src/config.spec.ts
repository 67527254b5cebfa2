import { ConfigError } from '@wab/service-runtime';
import { loadTrackerConfig } from './config.js';

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
