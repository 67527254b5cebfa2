import { ensureInfra, infraEnv, infraStatus, localInfra } from '../src/index.ts';
import { ports } from '../src/config.ts';

describe('ensureInfra / infraStatus', () => {
  it('is idempotent and safe to call concurrently, and reports every component healthy', async () => {
    const [a, b] = await Promise.all([
      ensureInfra({ topics: false }),
      ensureInfra({ topics: false }),
    ]);
    expect(a).toBe(localInfra);
    expect(b).toBe(localInfra);

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

  it('describes the stack as environment variables for services (ports follow INFRA_* overrides)', () => {
    expect(infraEnv()).toMatchObject({
      KAFKA_BROKERS: `127.0.0.1:${ports.kafka}`,
      S3_ENDPOINT: `http://127.0.0.1:${ports.s3}`,
      S3_BUCKET: 'broadcasts',
      DATABASE_URL: `postgres://wab:wab-local@127.0.0.1:${ports.postgres}/wab`,
    });
  });
});
