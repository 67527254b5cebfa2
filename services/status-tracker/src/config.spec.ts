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
