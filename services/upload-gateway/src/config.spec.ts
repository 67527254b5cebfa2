import { ConfigError } from '@wab/service-runtime';
import { loadGatewayConfig } from './config.js';

const INTERNAL_API_TOKEN = 'test-internal-api-token-0123456789abcdef';
const required = {
  WHATSAPP_TOKEN: 'dev-token',
  WHATSAPP_WABA_ID: '102290129340398',
  INTERNAL_API_TOKEN,
};

describe('upload-gateway configuration', () => {
  it('requires the internal API token (at least 32 characters), never echoing it', () => {
    const { INTERNAL_API_TOKEN: _, ...others } = required;
    expect(() => loadGatewayConfig(others)).toThrow(/INTERNAL_API_TOKEN: .*it is not set/);
    const short = 'short-internal-token';
    expect(() => loadGatewayConfig({ ...others, INTERNAL_API_TOKEN: short })).toThrow(
      /INTERNAL_API_TOKEN: .*got a value \(hidden\)/,
    );
    expect(() => loadGatewayConfig({ ...others, INTERNAL_API_TOKEN: short })).not.toThrow(
      new RegExp(short),
    );
    expect(loadGatewayConfig(required).INTERNAL_API_TOKEN).toBe(INTERNAL_API_TOKEN);
  });

  it('has working defaults beside the settings that have none', () => {
    const config = loadGatewayConfig(required);
    expect(config.PORT).toBe(3000);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.API_KEYS).toEqual([]);
    expect(config.S3_FORCE_PATH_STYLE).toBe(true);
    expect(config.MAX_UPLOAD_BYTES).toBe(100 * 1024 * 1024);
    expect(config.STATUS_TRACKER_URL).toBe('http://127.0.0.1:3003');
    expect(config.WHATSAPP_API_VERSION).toBe('v23.0');
  });

  it('names the bad key and the value it got', () => {
    expect(() => loadGatewayConfig({ ...required, PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadGatewayConfig({ ...required, PORT: 'eighty' })).toThrow(
      /PORT: expected a whole number from 1 to 65535; got "eighty"/,
    );
  });

  it('requires the Cloud API token and account, naming them, never echoing the token', () => {
    expect(() => loadGatewayConfig({})).toThrow(/WHATSAPP_TOKEN: .*it is not set/);
    expect(() => loadGatewayConfig({})).toThrow(/WHATSAPP_WABA_ID: /);
  });

  it('reads API_KEYS as tenant:hash pairs and hides the value when it is wrong', () => {
    const hash = 'a'.repeat(64);
    expect(loadGatewayConfig({ ...required, API_KEYS: `acme:${hash}` }).API_KEYS).toEqual([
      { tenantId: 'acme', hash: Buffer.from(hash, 'hex') },
    ]);
    const bad = () => loadGatewayConfig({ ...required, API_KEYS: 'acme:wab_rawkey' });
    expect(bad).toThrow(/API_KEYS: item 1 is not "tenantId:sha256hex".*got a value \(hidden\)/s);
    expect(bad).not.toThrow(/rawkey/);
  });

  it('wants both S3 credentials or neither', () => {
    expect(() => loadGatewayConfig({ ...required, S3_ACCESS_KEY_ID: 'x' })).toThrow(
      /S3_SECRET_ACCESS_KEY: set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together/,
    );
  });
});
