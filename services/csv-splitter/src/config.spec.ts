import { ConfigError } from '@wab/service-runtime';
import { loadSplitterConfig as load } from './config.js';

const TOKEN = 'test-internal-api-token-0123456789abcdef';
/** Every test's environment carries the one required setting. */
const loadSplitterConfig = (env: Record<string, string>) =>
  load({ INTERNAL_API_TOKEN: TOKEN, ...env });

describe('csv-splitter configuration', () => {
  it('has working defaults', () => {
    const config = loadSplitterConfig({});
    expect(config.PORT).toBe(3001);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
  });

  it('names the bad key and the value it got', () => {
    expect(() => loadSplitterConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadSplitterConfig({ PORT: 'eighty' })).toThrow(
      /PORT: expected a whole number from 1 to 65535; got "eighty"/,
    );
  });
});

describe('csv-splitter internal API token', () => {
  it('is required (it calls status-tracker), at least 32 characters, and never echoed', () => {
    expect(load({ INTERNAL_API_TOKEN: TOKEN }).INTERNAL_API_TOKEN).toBe(TOKEN);
    expect(() => load({})).toThrow(/INTERNAL_API_TOKEN: .*it is not set/);
    const short = 'short-internal-token';
    expect(() => load({ INTERNAL_API_TOKEN: short })).toThrow(
      /INTERNAL_API_TOKEN: .*got a value \(hidden\)/,
    );
    expect(() => load({ INTERNAL_API_TOKEN: short })).not.toThrow(new RegExp(short));
  });
});
