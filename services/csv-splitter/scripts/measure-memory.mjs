// Peak-RSS measurement of the split stage (a benchmark: prints figures, never fails on them).
// Streams a generated CSV of ROWS rows (default 200,000) from the real S3 server through the built
// SplitService into a counting event bus (no Kafka: this measures the splitter's own memory), and
// samples RSS every 50 ms. Usage, after `npx tsc -p tsconfig.build.json`:
//   node scripts/measure-memory.mjs [rows]
import 'reflect-metadata';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createEnvelope } from '@wab/contracts';
import { createLogger } from '@wab/service-runtime';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { S3ObjectStorage } from '../dist/adapters/s3-object-storage.adapter.js';
import { EventBus } from '../dist/ports/event-bus.port.js';
import { SplitService } from '../dist/split.service.js';
import { SplitSettings } from '../dist/tokens.js';

const rows = Number(process.argv[2] ?? 200_000);
const s3 = {
  endpoint: process.env.S3_ENDPOINT ?? 'http://127.0.0.1:7070',
  region: process.env.S3_REGION ?? 'us-east-1',
  accessKeyId: process.env.S3_ACCESS_KEY_ID ?? 'wab-local',
  secretAccessKey: process.env.S3_SECRET_ACCESS_KEY ?? 'wab-local-secret-not-for-production',
  bucket: process.env.S3_BUCKET ?? 'broadcasts',
};

const client = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
if (process.argv[3] === '--generate') {
  await generateAndUpload(process.argv[4]);
  process.exit(0);
}

async function generateAndUpload(key) {
const file = join(tmpdir(), `split-memory-${randomUUID()}.csv`);
const out = createWriteStream(file);
out.write('\ufeffphone;first_name;order_id;note\r\n');
for (let i = 1; i <= rows; i++) {
  const line = `+49 151 ${20_000_000 + i};Name ${i};A-${i};"note ${i}; with a delimiter"\r\n`;
  if (!out.write(line)) await once(out, 'drain');
}
out.end();
await once(out, 'finish');
const size = (await stat(file)).size;
await client.send(new CreateBucketCommand({ Bucket: s3.bucket })).catch(() => undefined);
await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: createReadStream(file), ContentLength: size }));
await unlink(file);
console.error(`uploaded ${rows} rows, ${(size / 1048576).toFixed(1)} MB`);
}

// Generating the file in a child process keeps its memory out of the measurement.
const key = `bench/${randomUUID()}.csv`;
const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), String(rows), '--generate', key], { stdio: 'inherit' });
if (child.status !== 0) process.exit(child.status ?? 1);

class CountingBus extends EventBus {
  events = 0;
  async publish(_topic, events) {
    this.events += events.length;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

globalThis.gc?.();
const baseline = process.memoryUsage.rss();
let peak = baseline;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
const bus = new CountingBus();
const service = new SplitService(
  new S3ObjectStorage({ ...s3, forcePathStyle: true }),
  bus,
  new SplitSettings(1000, 256 * 1024, true),
  createLogger('csv-splitter-bench', 'warn'),
);
const started = Date.now();
const summary = await service.splitUploaded(
  createEnvelope(
    'broadcast.uploaded',
    {
      broadcastId: `bench-${randomUUID()}`,
      object: { bucket: s3.bucket, key },
      phoneNumberId: '106540352242922',
      template: { name: 'order_update', language: 'en_US' },
      mapping: { phoneColumn: 'phone', body: [{ position: 1, column: 'first_name' }, { position: 2, column: 'order_id' }] },
      defaultCountry: 'DE',
    },
    { tenantId: 'bench', correlationId: 'bench' },
  ),
);
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage.rss());
const seconds = (Date.now() - started) / 1000;
await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: key }));
client.destroy();
console.log(
  JSON.stringify({
    rows,
    summary,
    events: bus.events,
    seconds,
    rowsPerSecond: Math.round(rows / seconds),
    baselineRssMb: Math.round(baseline / 1048576),
    peakRssMb: Math.round(peak / 1048576),
  }),
);
