import { z } from 'zod';
import { ConfigError, env, loadConfig } from './config.js';

const schema = z.object({
  PORT: env.port(3000),
  KAFKA_BROKERS: env.list('127.0.0.1:9092'),
  WHATSAPP_TOKEN: z.string().min(10, { message: 'expected a token of at least 10 characters' }),
});

describe('loadConfig', () => {
  it('applies defaults and coerces types', () => {
    const config = loadConfig('svc', schema, {
      WHATSAPP_TOKEN: 'x'.repeat(12),
      KAFKA_BROKERS: 'a:1, b:2',
    });
    expect(config).toEqual({
      PORT: 3000,
      KAFKA_BROKERS: ['a:1', 'b:2'],
      WHATSAPP_TOKEN: 'x'.repeat(12),
    });
  });

  it('names every bad key, says what was expected and what it got', () => {
    let error: unknown;
    try {
      loadConfig('svc', schema, { PORT: '0', KAFKA_BROKERS: ' , ' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('svc: invalid configuration');
    expect(message).toContain('PORT: expected a whole number from 1 to 65535; got "0"');
    expect(message).toContain(
      'KAFKA_BROKERS: expected a comma-separated list with at least one item',
    );
    expect(message).toContain('WHATSAPP_TOKEN: ');
    expect(message).toContain('it is not set');
  });

  it('never echoes a secret value', () => {
    expect(() => loadConfig('svc', schema, { WHATSAPP_TOKEN: 'short' })).toThrow(
      /WHATSAPP_TOKEN: .*got a value \(hidden\)/,
    );
    expect(() => loadConfig('svc', schema, { WHATSAPP_TOKEN: 'short' })).not.toThrow(/short/);
  });
});
