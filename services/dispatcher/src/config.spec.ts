import { ConfigError } from '@wab/service-runtime';
import { loadDispatcherConfig } from './config.js';

describe('dispatcher configuration', () => {
  it('has working defaults', () => {
    const config = loadDispatcherConfig({});
    expect(config.PORT).toBe(3002);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
  });

  it('names the bad key and the value it got', () => {
    expect(() => loadDispatcherConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadDispatcherConfig({ PORT: 'eighty' })).toThrow(
      /PORT: expected a whole number from 1 to 65535; got "eighty"/,
    );
  });
});
