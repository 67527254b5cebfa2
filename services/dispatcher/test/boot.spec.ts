import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { freePort, startNode, waitFor } from '@wab/service-runtime/testing';
import { brokers, freshTopics } from './helpers.js';

const main = resolve(import.meta.dirname, '../dist/main.js');

describe('dispatcher process', () => {
  it('fails fast at boot with a message naming the bad key', async () => {
    const proc = startNode(main, { PORT: '99999', WHATSAPP_TOKEN: '' });
    const { code } = await proc.exited;
    expect(code).toBe(78);
    expect(proc.output()).toContain('PORT: expected a whole number from 1 to 65535; got "99999"');
    expect(proc.output()).toContain('WHATSAPP_TOKEN: expected the Cloud API access token');
  });

  it('answers GET /healthz and exits cleanly on SIGTERM', async () => {
    const port = await freePort();
    const proc = startNode(main, {
      PORT: String(port),
      HOST: '127.0.0.1',
      WHATSAPP_TOKEN: 'dev-token',
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: await freshTopics(),
      DISPATCHER_GROUP_ID: `boot-${randomUUID()}`,
    });
    try {
      const body = await waitFor('GET /healthz', async () => {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        return res.ok ? ((await res.json()) as { status: string; service: string }) : undefined;
      });
      expect(body).toMatchObject({ status: 'ok', service: 'dispatcher' });
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toEqual({ code: 0, signal: null });
    } finally {
      proc.child.kill('SIGKILL');
    }
  });
});
