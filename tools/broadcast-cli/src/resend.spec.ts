import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { main } from './cli.ts';

/**
 * `broadcast resend ID` against a small stand-in of the gateway (the waves themselves are covered by
 * tools/stack/test/resend.spec.ts): the request it sends, what it prints, its exit codes, and bad
 * options refused before any request.
 */
async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += (chunk as Buffer).toString();
  return text;
}

describe('broadcast resend', () => {
  let server: Server;
  let url: string;
  let seen: { method: string; url: string; body: unknown }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      void readBody(req).then((text) => {
        seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          body: text ? JSON.parse(text) : '',
        });
        const json = (status: number, value: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(value));
        };
        if (req.method === 'POST' && req.url === '/v1/broadcasts/b1/resend') {
          return json(202, { id: 'w2', parentBroadcastId: 'b1', wave: 2, selected: 7 });
        }
        if (req.method === 'POST' && req.url === '/v1/broadcasts/done/resend') {
          return json(422, {
            error: { code: 'nothing-to-resend', message: 'no recipient of done can be resent' },
          });
        }
        json(404, { error: { code: 'broadcast-not-found', message: 'no such broadcast' } });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    seen = [];
  });

  async function run(args: string[]) {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await main([...args, '--url', url], {
      stdout,
      stderr,
      env: { WAB_API_KEY: 'wab_test_key' },
    });
    return { code, out, err };
  }

  it('starts the next wave, prints its id on stdout and what it resends on stderr', async () => {
    const result = await run(['resend', 'b1']);
    expect(result.code).toBe(0);
    expect(seen).toEqual([{ method: 'POST', url: '/v1/broadcasts/b1/resend', body: {} }]);
    expect(result.out).toBe('w2\n');
    expect(result.err).toContain('broadcast b1: wave 2 (w2) resends 7 recipients');
  });

  it('narrows by state and error codes', async () => {
    const result = await run(['resend', 'b1', '--state', 'failed', '--codes', '131000, 131026']);
    expect(result.code).toBe(0);
    expect(seen[0]?.body).toEqual({ states: ['failed'], errorCodes: [131000, 131026] });
  });

  it('refuses a bad --state or --codes before any request', async () => {
    for (const args of [
      ['resend', 'b1', '--state', 'delivered'],
      ['resend', 'b1', '--codes', '131000,abc'],
    ]) {
      const result = await run(args);
      expect(result.code).toBe(2);
      expect(result.err.length).toBeGreaterThan(0);
    }
    expect(seen).toEqual([]);
  });

  it('reports the API refusal (nothing to resend) and exits 1', async () => {
    const result = await run(['resend', 'done']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('nothing-to-resend');
    expect(result.out).toBe('');
  });
});
