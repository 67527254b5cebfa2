import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { standInGateway } from '../test/stand-in-gateway.ts';

/**
 * `--at` on `broadcast start` and `broadcast send` against a small stand-in of the gateway (the
 * real scheduling is covered by tools/stack/test/schedule.spec.ts): the request body the CLI
 * sends, what it prints, and its exit codes; a bad time fails before any request.
 */
describe('broadcast start/send --at', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wab-cli-at-'));
  const csv = path.join(dir, 'recipients.csv');
  writeFileSync(csv, 'phone,first_name\r\n+4915100000001,Ada\r\n');

  const gateway = standInGateway(({ req, res, body, json }) => {
    if (req.method === 'POST' && req.url === '/v1/broadcasts') {
      return json(201, {
        id: 'b2',
        upload: {
          method: 'PUT',
          url: `${gateway.url()}/upload/b2`,
          headers: { 'content-type': 'text/csv' },
        },
      });
    }
    if (req.method === 'PUT' && req.url === '/upload/b2') {
      res.writeHead(200);
      return res.end();
    }
    const start = /^\/v1\/broadcasts\/([^/]+)\/start$/.exec(req.url ?? '');
    if (req.method === 'POST' && start) {
      const startAt = body ? (JSON.parse(body) as { startAt?: string }).startAt : undefined;
      if (startAt !== undefined && new Date(startAt).getTime() < Date.now()) {
        return json(422, {
          error: { code: 'invalid-start-time', message: `startAt ${startAt} is in the past` },
        });
      }
      return json(202, {
        id: start[1],
        state: startAt === undefined ? 'splitting' : 'scheduled',
        ...(startAt === undefined ? {} : { startAt: new Date(startAt).toISOString() }),
      });
    }
  });
  const { seen } = gateway;
  beforeAll(() => gateway.start());
  afterAll(() => gateway.stop());
  beforeEach(() => gateway.reset());
  const run = (args: string[]) =>
    gateway.run(args, { WAB_API_KEY: 'wab_test_key', WAB_SENDER: '106540352242922' });
  /** The JSON body of each start request ('' when there was none). */
  const startBodies = (): unknown[] =>
    seen
      .filter((s) => s.url.endsWith('/start'))
      .map((s): unknown => (s.body ? JSON.parse(s.body) : ''));

  it('start ID --at RFC3339 sends that startAt and says when it starts', async () => {
    const at = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const result = await run(['start', 'b1', '--at', at]);
    expect(result.code).toBe(0);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['POST /v1/broadcasts/b1/start']);
    expect(startBodies()).toEqual([{ startAt: at }]);
    expect(result.err).toContain(
      `broadcast b1: scheduled to start at ${new Date(at).toISOString()}`,
    );
  });

  it('start ID --at +10m sends now + 10 minutes', async () => {
    const before = Date.now();
    const result = await run(['start', 'b1', '--at', '+10m']);
    const after = Date.now();
    expect(result.code).toBe(0);
    const [body] = startBodies() as { startAt: string }[];
    const startAt = new Date(body!.startAt).getTime();
    expect(startAt).toBeGreaterThanOrEqual(before + 600_000);
    expect(startAt).toBeLessThanOrEqual(after + 600_000);
  });

  it('start ID without --at starts now (no body)', async () => {
    const result = await run(['start', 'b1']);
    expect(result.code).toBe(0);
    expect(startBodies()).toEqual(['']);
    expect(result.err).toContain('broadcast b1: started');
  });

  it('send FILE --at +2h creates, uploads, then schedules the start', async () => {
    const before = Date.now();
    const result = await run([
      'send',
      csv,
      '--template',
      'order_update',
      '--lang',
      'en_US',
      '--map',
      'first_name=1',
      '--at',
      '+2h',
    ]);
    expect(result.code).toBe(0);
    expect(result.out).toBe('b2\n');
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'POST /v1/broadcasts',
      'PUT /upload/b2',
      'POST /v1/broadcasts/b2/start',
    ]);
    const [body] = startBodies() as { startAt: string }[];
    expect(new Date(body!.startAt).getTime() - before).toBeGreaterThanOrEqual(7_200_000);
    expect(result.err).toContain('broadcast b2: scheduled to start at');
  });

  it('refuses a malformed --at with exit 2 before any request (start and send)', async () => {
    for (const args of [
      ['start', 'b1', '--at', 'tomorrow 10:00'],
      ['start', 'b1', '--at', '2026-11-27T10:00:00'],
      ['send', csv, '--template', 'order_update', '--lang', 'en_US', '--at', '+10d'],
    ]) {
      const result = await run(args);
      expect(result.code).toBe(2);
      expect(result.err).toMatch(/broadcast: --at ".+": expected an RFC 3339 time with offset/);
    }
    expect(seen).toEqual([]);
  });

  it("exits 1 with the API's code when it refuses the time (in the past)", async () => {
    const result = await run(['start', 'b1', '--at', '2020-01-01T00:00:00Z']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('[invalid-start-time]');
    expect(startBodies()).toEqual([{ startAt: '2020-01-01T00:00:00Z' }]);
  });
});
