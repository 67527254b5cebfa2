import { ConfigError } from '@wab/service-runtime';
import { loadDispatcherConfig } from './config.js';

describe('dispatcher configuration', () => {
  it('has working defaults', () => {
    const config = loadDispatcherConfig({ WHATSAPP_TOKEN: 'dev-token' });
    expect(config.PORT).toBe(3002);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
  });

  it('names the bad key and the value it got', () => {
    expect(() => loadDispatcherConfig({ PORT: 'eighty', WHATSAPP_TOKEN: 'dev-token' })).toThrow(
      ConfigError,
    );
    expect(() => loadDispatcherConfig({ PORT: 'eighty', WHATSAPP_TOKEN: 'dev-token' })).toThrow(
      /PORT: expected a whole number from 1 to 65535; got "eighty"/,
    );
  });
});
