import { standInGateway } from '../test/stand-in-gateway.ts';

/**
 * `broadcast suppressions ...` against a small stand-in of the gateway's /v1/suppressions (the
 * behaviour of the real one is covered by tools/stack/test/opt-out.spec.ts): the requests the CLI
 * makes, what it prints, and its exit codes.
 */
describe('broadcast suppressions', () => {
  const listed = new Map<string, string>([
    ['+4915100000001', 'stop-reply'],
    ['+4915100000002', 'api'],
    ['+4915100000003', 'user-preferences'],
  ]);

  const gateway = standInGateway(({ req, res, json }) => {
    const path = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && path.pathname === '/v1/suppressions') {
      // Pages of two, to make the CLI follow nextCursor.
      const after = path.searchParams.get('after') ?? '';
      const items = [...listed]
        .filter(([phone]) => phone > after)
        .slice(0, 2)
        .map(([phone, reason]) => ({ phone, reason }));
      return json(200, {
        items,
        ...(items.length === 2 ? { nextCursor: items[1]!.phone } : {}),
      });
    }
    if (req.method === 'GET' && path.pathname === '/v1/suppressions.csv') {
      res.writeHead(200, { 'content-type': 'text/csv' });
      return res.end(`phone,reason\r\n${[...listed].map(([p, r]) => `${p},${r}\r\n`).join('')}`);
    }
    const phone = decodeURIComponent(path.pathname.replace('/v1/suppressions/', ''));
    if (req.method === 'PUT') {
      if (!/^\+\d+$/.test(phone)) {
        return json(422, {
          error: { code: 'invalid-phone', message: `"${phone}" is not a phone number` },
        });
      }
      const created = !listed.has(phone);
      listed.set(phone, listed.get(phone) ?? 'api');
      return json(created ? 201 : 200, { phone, reason: listed.get(phone) });
    }
    if (req.method === 'DELETE') {
      if (!listed.delete(phone)) {
        return json(404, {
          error: {
            code: 'suppression-not-found',
            message: `${phone} is not on the suppression list`,
          },
        });
      }
      res.writeHead(204);
      return res.end();
    }
  });
  const { seen } = gateway;
  beforeAll(() => gateway.start());
  afterAll(() => gateway.stop());
  const run = (args: string[]) => gateway.run(['suppressions', ...args]);

  it('lists every page, one number per line', async () => {
    const result = await run(['list']);
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      '+4915100000001\tstop-reply\n+4915100000002\tapi\n+4915100000003\tuser-preferences\n',
    );
    expect(result.err).toContain('3 numbers');
    expect(seen.filter((s) => s.method === 'GET').map((s) => s.url)).toEqual([
      '/v1/suppressions?limit=1000',
      '/v1/suppressions?limit=1000&after=%2B4915100000002',
    ]);
    expect(seen.every((s) => s.authorization === 'Bearer wab_test_key')).toBe(true);
    expect(result.out + result.err).not.toContain('wab_test_key');
  });

  it('adds (URL-encoded, with the reason as detail) and removes', async () => {
    const added = await run(['add', '+4915100000009', '--reason', 'asked by phone']);
    expect(added.code).toBe(0);
    expect(added.out).toBe('+4915100000009\n');
    expect(added.err).toContain('added');
    const put = seen.find((s) => s.method === 'PUT');
    expect(put).toMatchObject({
      url: '/v1/suppressions/%2B4915100000009',
      body: JSON.stringify({ detail: 'asked by phone' }),
    });
    expect((await run(['add', '+4915100000009'])).err).toContain('already on the list');

    const removed = await run(['remove', '+4915100000009']);
    expect(removed.code).toBe(0);
    expect(listed.has('+4915100000009')).toBe(false);
  });

  it('exports the CSV to stdout', async () => {
    const result = await run(['export']);
    expect(result.code).toBe(0);
    expect(result.out.split('\r\n')[0]).toBe('phone,reason');
    expect(result.out).toContain('+4915100000001,stop-reply');
  });

  it('exits 1 with the stable code when the API refuses, 2 on bad usage', async () => {
    const invalid = await run(['add', 'hello']);
    expect(invalid.code).toBe(1);
    expect(invalid.err).toContain('[invalid-phone]');
    const missing = await run(['remove', '+4915199999999']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('[suppression-not-found]');
    expect((await run(['add'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
  });
});
