/**
 * Load generator for the simulator (loopback only, bounded in time). Starts `dist/cli.js` as a
 * child process (so the simulator has its own event loop on one core), drives it closed-loop with
 * a fixed number of requests in flight over undici, and prints figures.
 *
 *   node bench/load.ts --mode zero --concurrency 64 --duration 10
 *   node bench/load.ts --mode latency --latency lognormal:2000:6000 --concurrency 5000 --duration 40
 *
 * In `latency` mode the added overhead of each answer is its observed latency minus the latency
 * the simulator drew for it (reported in the x-sim-latency-ms header).
 * Benchmarks print figures; they do not pass or fail.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from 'undici';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'zero' },
    concurrency: { type: 'string' },
    duration: { type: 'string' },
    latency: { type: 'string', default: 'lognormal:2000:6000' },
    warmup: { type: 'string', default: '2' },
    'max-stored-messages': { type: 'string', default: '1000000' },
  },
});
const mode = values.mode === 'latency' ? 'latency' : 'zero';
const concurrency = Number(values.concurrency ?? (mode === 'zero' ? 64 : 5000));
const durationS = Math.min(60, Number(values.duration ?? (mode === 'zero' ? 10 : 40)));
const warmupS = Number(values.warmup);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

const port = await freePort();
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const child = spawn(
  process.execPath,
  [cli, '--port', String(port), '--mps', '1000000000', '--pair-burst', '1000000', '--latency', mode === 'zero' ? 'none' : values.latency, '--max-stored-messages', values['max-stored-messages']],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
await new Promise<void>((resolve, reject) => {
  child.once('exit', (code) => reject(new Error(`simulator exited early (${code})`)));
  child.stdout.on('data', (d: Buffer) => {
    if (d.toString().includes('listening')) resolve();
  });
});

/** utime + stime of the simulator process from /proc (Linux), in seconds. */
function simulatorCpuSeconds(): number {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

const origin = `http://127.0.0.1:${port}`;
// One undici Client (one connection) per in-flight slot: picking a free connection in a 5,000-wide
// Pool costs the generator more CPU than the simulator spends answering.
const clients = Array.from({ length: concurrency }, () => new Client(origin, { pipelining: 1, keepAliveTimeout: 60_000 }));
let seq = 0;
let stop = false;
let measuring = false;
let done = 0;
let errors = 0;
const overheads: number[] = [];
const serverOverheads: number[] = [];
const observed: number[] = [];

function body(): string {
  seq++;
  const to = `1${String(5550000000 + seq)}`;
  return JSON.stringify({
    messaging_product: 'whatsapp',
    to,
    type: 'template',
    template: {
      name: 'order_update',
      language: { code: 'en_US' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ann' }, { type: 'text', text: `A-${seq}` }] }],
    },
  });
}

async function worker(client: Client): Promise<void> {
  while (!stop) {
    const t0 = performance.now();
    try {
      const res = await client.request({
        path: '/v23.0/106540352242922/messages',
        method: 'POST',
        headers: { authorization: 'Bearer dev-token', 'content-type': 'application/json' },
        body: body(),
      });
      await res.body.dump();
      const elapsed = performance.now() - t0;
      if (res.statusCode !== 200) errors++;
      if (measuring) {
        done++;
        if (mode === 'latency') {
          const drawn = Number(res.headers['x-sim-latency-ms'] ?? 0);
          overheads.push(elapsed - drawn);
          serverOverheads.push(Number(res.headers['x-sim-overhead-ms'] ?? NaN));
          observed.push(elapsed);
        }
      }
    } catch {
      errors++;
    }
  }
}

const workers = clients.map((client) => worker(client));
await new Promise((r) => setTimeout(r, warmupS * 1000));
measuring = true;
const cpuAtStart = simulatorCpuSeconds();
const start = performance.now();
await new Promise((r) => setTimeout(r, durationS * 1000));
measuring = false;
const seconds = (performance.now() - start) / 1000;
const simulatorCpu = simulatorCpuSeconds() - cpuAtStart;
stop = true;
await Promise.allSettled(workers);
await Promise.all(clients.map((c) => c.close()));
child.kill('SIGTERM');

const q = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};
const result: Record<string, unknown> = {
  mode,
  concurrency,
  durationS: Number(seconds.toFixed(1)),
  answered: done,
  requestsPerSecond: Math.round(done / seconds),
  errors,
  // CPU the simulator process used during the measured window, as a share of one core.
  simulatorCpuShareOfOneCore: Number((simulatorCpu / seconds).toFixed(2)),
};
if (mode === 'latency') {
  Object.assign(result, {
    latencyModel: values.latency,
    observedMs: { p50: q(observed, 0.5).toFixed(0), p99: q(observed, 0.99).toFixed(0) },
    overheadMs: {
      p50: q(overheads, 0.5).toFixed(2),
      p99: q(overheads, 0.99).toFixed(2),
      p999: q(overheads, 0.999).toFixed(2),
      max: Math.max(...overheads).toFixed(2),
    },
    serverSideOverheadMs: {
      p50: q(serverOverheads, 0.5).toFixed(2),
      p99: q(serverOverheads, 0.99).toFixed(2),
      p999: q(serverOverheads, 0.999).toFixed(2),
      max: Math.max(...serverOverheads).toFixed(2),
    },
  });
}
console.log(JSON.stringify(result, null, 2));
