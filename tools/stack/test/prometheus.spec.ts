// A real Prometheus server (Debian's package) scrapes the running services during a broadcast, and
// PromQL answers how many messages were sent; `promtool check metrics` lints every service's real
// /metrics output.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '@wab/infra';
import {
  fixtureBroadcast,
  GatewayClient,
  startStack,
  waitUntil,
  writeRecipientsCsv,
  type Stack,
} from '../src/index.ts';

const SERVICES = ['upload-gateway', 'csv-splitter', 'dispatcher', 'status-tracker'] as const;
/** prom-client's own gauges whose names promtool's naming lint flags: not ours to rename. */
const KNOWN_LINT = [/^nodejs_active_(handles|requests|resources)_total /];

function ensurePrometheus(): void {
  if (spawnSync('sh', ['-c', 'command -v prometheus && command -v promtool']).status === 0) return;
  if (process.getuid?.() !== 0)
    throw new Error('Prometheus is not installed: apt-get install -y prometheus');
  // The same lock as tools/deploy-checks, which installs the same package.
  const lock = path.join(repoRoot, '.tools', 'deploy-tools.lock');
  const r = spawnSync(
    'flock',
    [
      lock,
      'sh',
      '-c',
      'command -v prometheus || (apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus)',
    ],
    {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`apt-get install prometheus failed: ${r.stderr}`);
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('Prometheus scraping the running pipeline', () => {
  let stack: Stack;
  let prometheus: ChildProcess | undefined;
  let prometheusUrl: string;
  const dir = mkdtempSync(path.join(tmpdir(), 'wab-prom-'));

  beforeAll(async () => {
    ensurePrometheus();
    stack = await startStack({ simulatorArgs: ['--mps', '1000', '--latency', 'fixed:5'] });
    const targets = SERVICES.map((name) => ({ name, host: new URL(stack.urls[name] ?? '').host }));
    writeFileSync(
      path.join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'scrape_configs:',
        ...targets.map(
          (t) =>
            `  - job_name: ${t.name}\n    static_configs: [{ targets: ['${t.host}'], labels: { service: ${t.name} } }]`,
        ),
        '',
      ].join('\n'),
    );
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    await waitUntil(
      'Prometheus to be ready',
      async () => ((await fetch(`${prometheusUrl}/-/ready`)).ok ? true : undefined),
      60_000,
    );
  });

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await stack?.stop();
  });

  it('counts the messages sent with a PromQL query', async () => {
    const csv = path.join(dir, 'recipients.csv');
    const fixture = await writeRecipientsCsv(csv, 300, 21);
    const client = new GatewayClient(stack.gatewayUrl, stack.apiKey);
    const created = await client.createBroadcast(fixtureBroadcast());
    await client.uploadFile(created.id, csv);
    await client.start(created.id);
    const final = await client.follow(created.id, () => undefined, { timeoutMs: 120_000 });
    expect(final.state).toBe('completed');
    expect(
      final.counts.accepted + final.counts.sent + final.counts.delivered + final.counts.read,
    ).toBe(fixture.valid);

    const query = 'sum(wab_dispatcher_results_total{status="accepted"})';
    const sent = await waitUntil(
      `${query} to reach ${fixture.valid}`,
      async () => {
        const body = (await (
          await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`)
        ).json()) as {
          data: { result: { value: [number, string] }[] };
        };
        const value = Number(body.data.result[0]?.value[1] ?? 0);
        return value === fixture.valid ? value : undefined;
      },
      60_000,
      500,
    );
    expect(sent).toBe(fixture.valid);
    // Every target is up and labelled with its service.
    const up = await waitUntil('all four targets up', async () => {
      const body = (await (
        await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent('up == 1')}`)
      ).json()) as {
        data: { result: { metric: { service: string } }[] };
      };
      const services = body.data.result.map((r) => r.metric.service).sort();
      return services.length === SERVICES.length ? services : undefined;
    });
    expect(up).toEqual([...SERVICES].sort());
  });

  it('passes promtool check metrics on every service', async () => {
    const findings: string[] = [];
    for (const name of SERVICES) {
      const text = await (await fetch(`${stack.urls[name] ?? ''}/metrics`)).text();
      expect(text).toMatch(/^wab_build_info\{/m);
      const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      const lines = `${r.stdout}${r.stderr}`
        .split('\n')
        .filter((l) => l.trim() !== '' && !KNOWN_LINT.some((re) => re.test(l)));
      findings.push(...lines.map((l) => `${name}: ${l}`));
    }
    expect(findings).toEqual([]);
  });
});
