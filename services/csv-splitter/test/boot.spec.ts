import { resolve } from 'node:path';
import { freePort, startNode, waitFor } from '@wab/service-runtime/testing';

const main = resolve(import.meta.dirname, '../dist/main.js');

describe('csv-splitter process', () => {
  it('fails fast at boot with a message naming the bad key', async () => {
    const proc = startNode(main, { PORT: '99999' });
    const { code } = await proc.exited;
    expect(code).toBe(78);
    expect(proc.output()).toContain('PORT: expected a whole number from 1 to 65535; got "99999"');
  });

  it('answers GET /healthz and exits cleanly on SIGTERM', async () => {
    const port = await freePort();
    const proc = startNode(main, {
      PORT: String(port),
      HOST: '127.0.0.1',
      INTERNAL_API_TOKEN: 'test-internal-api-token-0123456789abcdef',
    });
    try {
      const body = await waitFor('GET /healthz', async () => {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        return res.ok ? ((await res.json()) as { status: string; service: string }) : undefined;
      });
      expect(body).toMatchObject({ status: 'ok', service: 'csv-splitter' });
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toEqual({ code: 0, signal: null });
    } finally {
      proc.child.kill('SIGKILL');
    }
  });
});
