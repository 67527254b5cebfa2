import { standInGateway } from '../test/stand-in-gateway.ts';

/**
 * `broadcast resend ID` against a small stand-in of the gateway (the waves themselves are covered by
 * tools/stack/test/resend.spec.ts): the request it sends, what it prints, its exit codes, and bad
 * options refused before any request.
 */
describe('broadcast resend', () => {
  const gateway = standInGateway(({ req, json }) => {
    if (req.method === 'POST' && req.url === '/v1/broadcasts/b1/resend') {
      return json(202, { id: 'w2', parentBroadcastId: 'b1', wave: 2, selected: 7 });
    }
    if (req.method === 'POST' && req.url === '/v1/broadcasts/done/resend') {
      return json(422, {
        error: { code: 'nothing-to-resend', message: 'no recipient of done can be resent' },
      });
    }
  });
  const requests = () =>
    gateway.seen.map((s) => ({
      method: s.method,
      url: s.url,
      body: s.body ? (JSON.parse(s.body) as unknown) : '',
    }));
  beforeAll(() => gateway.start());
  afterAll(() => gateway.stop());
  beforeEach(() => gateway.reset());
  const run = (args: string[]) => gateway.run(args);

  it('starts the next wave, prints its id on stdout and what it resends on stderr', async () => {
    const result = await run(['resend', 'b1']);
    expect(result.code).toBe(0);
    expect(requests()).toEqual([{ method: 'POST', url: '/v1/broadcasts/b1/resend', body: {} }]);
    expect(result.out).toBe('w2\n');
    expect(result.err).toContain('broadcast b1: wave 2 (w2) resends 7 recipients');
  });

  it('narrows by state and error codes', async () => {
    const result = await run(['resend', 'b1', '--state', 'failed', '--codes', '131000, 131026']);
    expect(result.code).toBe(0);
    expect(requests()[0]?.body).toEqual({ states: ['failed'], errorCodes: [131000, 131026] });
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
    expect(requests()).toEqual([]);
  });

  it('reports the API refusal (nothing to resend) and exits 1', async () => {
    const result = await run(['resend', 'done']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('nothing-to-resend');
    expect(result.out).toBe('');
  });
});
