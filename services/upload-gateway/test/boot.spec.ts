import { resolve } from 'node:path';
import { freePort, startNode, waitFor } from '@wab/service-runtime/testing';

const main = resolve(import.meta.dirname, '../dist/main.js');
/** The two settings without a default (the simulator's token and account); API_KEYS may stay empty. */
const cloudApi = {
  WHATSAPP_TOKEN: 'dev-token',
  WHATSAPP_WABA_ID: '102290129340398',
  INTERNAL_API_TOKEN: 'test-internal-api-token-0123456789abcdef',
};

describe('upload-gateway process', () => {
  it('fails fast at boot with a message naming the bad key', async () => {
    const proc = startNode(main, { PORT: '99999', ...cloudApi });
    const { code } = await proc.exited;
    expect(code).toBe(78);
    expect(proc.output()).toContain('PORT: expected a whole number from 1 to 65535; got "99999"');
  });

  it('names a missing Cloud API setting', async () => {
    const proc = startNode(main, { PORT: '3999', WHATSAPP_TOKEN: '', WHATSAPP_WABA_ID: '' });
    const { code } = await proc.exited;
    expect(code).toBe(78);
    expect(proc.output()).toMatch(/WHATSAPP_TOKEN: expected the Cloud API access token/);
    expect(proc.output()).toMatch(/WHATSAPP_WABA_ID: /);
  });

  it('answers GET /healthz and exits cleanly on SIGTERM', async () => {
    const port = await freePort();
    const proc = startNode(main, { PORT: String(port), HOST: '127.0.0.1', ...cloudApi });
    try {
      const body = await waitFor('GET /healthz', async () => {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        return res.ok ? ((await res.json()) as { status: string; service: string }) : undefined;
      });
      expect(body).toMatchObject({ status: 'ok', service: 'upload-gateway' });
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toEqual({ code: 0, signal: null });
    } finally {
      proc.child.kill('SIGKILL');
    }
  });
});
