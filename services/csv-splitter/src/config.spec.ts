import { ConfigError } from '@wab/service-runtime';
import { loadSplitterConfig } from './config.js';

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
