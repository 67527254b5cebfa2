import { ConfigError } from '@wab/service-runtime';
import { loadGatewayConfig } from './config.js';

describe('upload-gateway configuration', () => {
  it('has working defaults', () => {
    const config = loadGatewayConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
  });

  it('names the bad key and the value it got', () => {
    expect(() => loadGatewayConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadGatewayConfig({ PORT: 'eighty' })).toThrow(
      /PORT: expected a whole number from 1 to 65535; got "eighty"/,
    );
  });
});
