import { ensureInfra, infraEnv, infraStatus, localInfra } from '../src/index.ts';

describe('ensureInfra / infraStatus', () => {
  it('is idempotent and safe to call concurrently, and reports every component healthy', async () => {
    const t0 = Date.now();
    const [a, b] = await Promise.all([
      ensureInfra({ topics: false }),
      ensureInfra({ topics: false }),
    ]);
    expect(a).toBe(localInfra);
    expect(b).toBe(localInfra);
    expect(Date.now() - t0).toBeLessThan(10_000); // already up: only health checks

    const status = await infraStatus();
    expect(status.map((s) => [s.component, s.healthy])).toEqual([
      ['kafka', true],
      ['s3', true],
      ['postgres', true],
    ]);
    for (const s of status) {
      expect(s.pid).toBeGreaterThan(0);
      expect(s.rssBytes).toBeGreaterThan(0);
    }
  }, 30_000);

  it('describes the stack as environment variables for services', () => {
    expect(infraEnv()).toMatchObject({
      KAFKA_BROKERS: '127.0.0.1:9092',
      S3_ENDPOINT: 'http://127.0.0.1:7070',
      S3_BUCKET: 'broadcasts',
      DATABASE_URL: 'postgres://wab:wab-local@127.0.0.1:5433/wab',
    });
  });
});
