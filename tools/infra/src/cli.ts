// npm run infra:up | infra:down | infra:status | topics:create
// Runs from TypeScript source with Node 24's type stripping (erasable syntax only).
import {
  ensureInfra,
  infraStatus,
  localInfra,
  stopInfra,
  createLocalTopics,
  type ComponentStatus,
} from './index.ts';

const mb = (bytes: number | undefined): string =>
  bytes === undefined ? '-' : `${Math.round(bytes / 1048576)} MB`;

function printStatus(rows: ComponentStatus[]): void {
  const names: Record<string, string> = {
    kafka: 'kafka (4.x KRaft)',
    s3: 's3 (versitygw)',
    postgres: 'postgres',
  };
  for (const r of rows) {
    const tree =
      r.processes && r.processes > 1 ? ` (${r.processes} processes: ${mb(r.treeRssBytes)})` : '';
    console.log(
      `${(names[r.component] ?? r.component).padEnd(18)} ${(r.healthy ? 'healthy' : 'down').padEnd(8)} port ${String(r.port).padEnd(5)} pid ${String(r.pid ?? '-').padEnd(7)} rss ${mb(r.rssBytes)}${tree}`,
    );
    if (!r.healthy) console.log(`${''.padEnd(18)} log: ${r.log}`);
  }
}

function printConnection(): void {
  const i = localInfra;
  console.log(`\nKAFKA_BROKERS=${i.kafka.brokers.join(',')}`);
  console.log(
    `S3_ENDPOINT=${i.s3.endpoint} S3_BUCKET=${i.s3.bucket} S3_ACCESS_KEY_ID=${i.s3.accessKeyId} (local dev credentials)`,
  );
  console.log(`DATABASE_URL=${i.DATABASE_URL}`);
}

async function main(command: string | undefined): Promise<number> {
  const started = Date.now();
  switch (command ?? '') {
    case 'up': {
      await ensureInfra({ log: (line) => console.log(line) });
      printStatus(await infraStatus());
      printConnection();
      console.log(`infra up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return 0;
    }
    case 'down':
      await stopInfra((line) => console.log(line));
      return 0;
    case 'status': {
      const rows = await infraStatus();
      printStatus(rows);
      return rows.every((r) => r.healthy) ? 0 : 1;
    }
    case 'topics':
      await createLocalTopics({ log: (line) => console.log(line) });
      return 0;
    default:
      console.error('usage: cli.ts up | down | status | topics');
      return 2;
  }
}

// kafkajs 2.2.4 computes a negative timeout on Node 24 (harmless, Node clamps it to 1 ms and warns):
// keep that one warning out of the output, print the others as Node would.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'TimeoutNegativeWarning')
    console.error(`(node) ${warning.name}: ${warning.message}`);
});

try {
  process.exitCode = await main(process.argv[2]);
} catch (error) {
  console.error(`infra: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
