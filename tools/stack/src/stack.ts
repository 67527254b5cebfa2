// The whole pipeline as separate processes on this machine: the WhatsApp Cloud API simulator and
// the four services, wired to the local infrastructure (tools/infra) under a fresh topic prefix, so
// that end-to-end tests, the demo, benchmarks and chaos runs never see each other's events.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { ensureInfra, infraEnv, repoRoot, type InfraInfo } from '@wab/infra';
import { ensureTopics } from '@wab/kafka-runtime';
import type { TopicKey } from '@wab/contracts';
import { startProcess, type ManagedProcess } from './processes.ts';

export type ServiceName = 'status-tracker' | 'csv-splitter' | 'dispatcher' | 'upload-gateway';
export const SERVICES: readonly ServiceName[] = [
  'status-tracker',
  'csv-splitter',
  'dispatcher',
  'upload-gateway',
];

export interface StackOptions {
  /** Simulator command-line flags (latency, limits, faults...). */
  simulatorArgs?: string[];
  /** Extra environment per service. */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Number of dispatcher replicas (same consumer group). */
  dispatchers?: number;
  /** V8 old-space limit of each service in MB (default 128; young generation 8 MB semi-spaces). */
  heapMb?: number;
  /** Partition overrides for the fresh topics. */
  partitions?: Partial<Record<TopicKey, number>>;
  /** Where process logs go (default .infra/stack/<run id>/). */
  logDir?: string;
  tenantId?: string;
  /** PostgreSQL (default) or PGlite ("embedded") for status-tracker. */
  database?: 'postgres' | 'embedded';
  log?: (line: string) => void;
  /**
   * Talk to a real Cloud API (Meta) instead of starting the simulator. Webhooks then only arrive if
   * Meta can reach status-tracker's /webhooks/whatsapp.
   */
  cloudApi?: {
    baseUrl: string;
    token: string;
    wabaId: string;
    appSecret?: string;
    version?: string;
  };
}

export interface Stack {
  runId: string;
  topicPrefix: string;
  infra: InfraInfo;
  tenantId: string;
  apiKey: string;
  gatewayUrl: string;
  trackerUrl: string;
  simulatorUrl: string;
  appSecret: string;
  /** status-tracker's internal API token (per run; `authorization: Bearer` on /internal/*). */
  internalApiToken: string;
  /** The Cloud API bearer token the services use (per run; for extra processes such as the bench's baseline). */
  cloudApiToken: string;
  /** The dispatchers' consumer group (all replicas share it). */
  dispatcherGroupId: string;
  logDir: string;
  processes: Map<string, ManagedProcess>;
  /** Base URL of every HTTP process by name (services answer /healthz, /readyz, /metrics). */
  urls: Record<string, string>;
  /** Starts (or restarts) one named process with its original settings. */
  restart(name: string): Promise<ManagedProcess>;
  /** Processes that exited on their own (not stopped or restarted by us), with their log file. */
  crashes(): string[];
  /** Peak RSS in MB of each process so far. */
  peakRss(): Record<string, number>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object'
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? ` (${last.message})` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

async function healthy(url: string): Promise<true | undefined> {
  const response = await fetch(`${url}/healthz`);
  return response.ok ? true : undefined;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const log = options.log ?? (() => undefined);
  const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 6)}`;
  const logDir = options.logDir ?? path.join(repoRoot, '.infra', 'stack', runId);
  const infra = await ensureInfra({ log: (line) => log(`infra: ${line}`) });
  const topicPrefix = `run-${randomUUID().slice(0, 8)}.`;
  await ensureTopics(infra.kafka.brokers, {
    prefix: topicPrefix,
    ...(options.partitions ? { partitions: options.partitions } : {}),
  });

  const tenantId = options.tenantId ?? 'acme';
  // Fresh secrets per run: nothing secret is committed or reused.
  const apiKey = `wab_${randomBytes(18).toString('base64url')}`;
  const appSecret = randomBytes(24).toString('hex');
  const verifyToken = randomBytes(12).toString('hex');
  const accessToken = `sim-${randomBytes(16).toString('hex')}`;
  const internalApiToken = randomBytes(32).toString('base64url');
  const ports = {
    simulator: await freePort(),
    'status-tracker': await freePort(),
    'csv-splitter': await freePort(),
    'upload-gateway': await freePort(),
  };
  const external = options.cloudApi;
  const simulatorUrl = external ? external.baseUrl : `http://127.0.0.1:${ports.simulator}`;
  const trackerUrl = `http://127.0.0.1:${ports['status-tracker']}`;
  const gatewayUrl = `http://127.0.0.1:${ports['upload-gateway']}`;
  const common = {
    ...infraEnv(infra),
    // A bounded V8 heap, as the chart's memory limits give in Kubernetes: without it V8 grows the
    // heap lazily on a machine with plenty of RAM and RSS says nothing about what a service needs.
    NODE_OPTIONS: `--max-old-space-size=${options.heapMb ?? 128} --max-semi-space-size=8`,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    LOG_LEVEL: 'info',
    WHATSAPP_API_BASE_URL: simulatorUrl,
    WHATSAPP_API_VERSION: external?.version ?? 'v23.0',
    WHATSAPP_TOKEN: external?.token ?? accessToken,
    WHATSAPP_WABA_ID: external?.wabaId ?? '102290129340398',
    WHATSAPP_APP_SECRET: external?.appSecret ?? appSecret,
    WHATSAPP_VERIFY_TOKEN: verifyToken,
  };
  if (options.database === 'embedded') delete (common as Record<string, string>).DATABASE_URL;
  const groupSuffix = randomUUID().slice(0, 8);
  const script = (service: string) => path.join(repoRoot, 'services', service, 'dist', 'main.js');
  type Spec = { script: string; args: string[]; env: Record<string, string>; url?: string };
  const specs = new Map<string, Spec>();
  if (!external)
    specs.set('simulator', {
      script: path.join(repoRoot, 'tools', 'wa-simulator', 'dist', 'cli.js'),
      args: [
        '--port',
        String(ports.simulator),
        '--access-token',
        accessToken,
        '--app-secret',
        appSecret,
        '--webhook-url',
        `${trackerUrl}/webhooks/whatsapp`,
        ...(options.simulatorArgs ?? []),
      ],
      env: {},
      url: simulatorUrl,
    });
  specs.set('status-tracker', {
    script: script('status-tracker'),
    args: [],
    env: {
      ...common,
      PORT: String(ports['status-tracker']),
      INTERNAL_API_TOKEN: internalApiToken,
      ...options.env?.['status-tracker'],
    },
    url: trackerUrl,
  });
  specs.set('csv-splitter', {
    script: script('csv-splitter'),
    args: [],
    env: {
      ...common,
      PORT: String(ports['csv-splitter']),
      // The compose stage checks every chunk against the tenant's suppression list there.
      STATUS_TRACKER_URL: trackerUrl,
      INTERNAL_API_TOKEN: internalApiToken,
      ...options.env?.['csv-splitter'],
    },
    url: `http://127.0.0.1:${ports['csv-splitter']}`,
  });
  const dispatchers = options.dispatchers ?? 1;
  for (let i = 0; i < dispatchers; i++) {
    const port = await freePort();
    specs.set(dispatchers === 1 ? 'dispatcher' : `dispatcher-${i + 1}`, {
      script: script('dispatcher'),
      args: [],
      env: {
        ...common,
        PORT: String(port),
        DISPATCHER_GROUP_ID: `dispatcher-${groupSuffix}`,
        // The dispatcher's heap scales with its in-flight window (requests, sockets, queued
        // messages): about 48 MB per 1,000 in flight on top of a 64 MB base.
        NODE_OPTIONS: `--max-old-space-size=${Math.max(options.heapMb ?? 128, 64 + 48 * Math.ceil(Number(options.env?.dispatcher?.DISPATCH_MAX_IN_FLIGHT ?? 2000) / 1000))} --max-semi-space-size=8`,
        ...options.env?.dispatcher,
      },
      url: `http://127.0.0.1:${port}`,
    });
  }
  specs.set('upload-gateway', {
    script: script('upload-gateway'),
    args: [],
    env: {
      ...common,
      PORT: String(ports['upload-gateway']),
      STATUS_TRACKER_URL: trackerUrl,
      INTERNAL_API_TOKEN: internalApiToken,
      API_KEYS: `${tenantId}:${createHash('sha256').update(apiKey).digest('hex')}`,
      ...options.env?.['upload-gateway'],
    },
    url: gatewayUrl,
  });

  const processes = new Map<string, ManagedProcess>();
  const peaks: Record<string, number> = {};
  let stopping = false;
  const restarting = new Set<string>();
  const crashes: string[] = [];
  const launch = async (name: string): Promise<ManagedProcess> => {
    const spec = specs.get(name);
    if (!spec) throw new Error(`unknown process ${name}`);
    const proc = startProcess(
      name,
      spec.script,
      spec.args,
      spec.env,
      path.join(logDir, `${name}.log`),
    );
    processes.set(name, proc);
    void proc.exited.then(({ code, signal }) => {
      // Stops and restarts replace the entry first; anything else is a crash worth saying out loud.
      if (stopping || processes.get(name) !== proc || restarting.has(name)) return;
      const what = `${name} exited unexpectedly (code ${code}, signal ${signal}); see ${proc.logFile}`;
      crashes.push(what);
      log(what);
    });
    if (spec.url) {
      const url = spec.url;
      const probe =
        name === 'simulator'
          ? async () => ((await fetch(`${url}/_sim/ledger`)).ok ? true : undefined)
          : () => healthy(url);
      await Promise.race([
        waitUntil(`${name} to become healthy (log: ${proc.logFile})`, probe, 60_000),
        proc.exited.then(({ code }) => {
          throw new Error(`${name} exited with code ${code} during start; see ${proc.logFile}`);
        }),
      ]);
    }
    log(`${name}: up (log ${path.relative(repoRoot, proc.logFile)})`);
    return proc;
  };

  try {
    for (const name of specs.keys()) await launch(name);
  } catch (error) {
    await Promise.all([...processes.values()].map((p) => p.stop(5000)));
    throw error;
  }

  const collect = () => {
    for (const [name, proc] of processes) {
      const peak = proc.peakRssMb();
      if (peak !== undefined) peaks[name] = Math.max(peaks[name] ?? 0, Math.round(peak));
    }
    return { ...peaks };
  };
  const sampler = setInterval(collect, 1000);
  sampler.unref();

  return {
    runId,
    topicPrefix,
    infra,
    tenantId,
    apiKey,
    gatewayUrl,
    trackerUrl,
    simulatorUrl,
    appSecret,
    internalApiToken,
    cloudApiToken: common.WHATSAPP_TOKEN,
    dispatcherGroupId: `dispatcher-${groupSuffix}`,
    logDir,
    processes,
    urls: Object.fromEntries(
      [...specs].flatMap(([name, spec]) => (spec.url ? [[name, spec.url]] : [])),
    ),
    restart: async (name) => {
      collect();
      restarting.add(name);
      try {
        await processes.get(name)?.stop();
        return await launch(name);
      } finally {
        restarting.delete(name);
      }
    },
    peakRss: collect,
    crashes: () => [...crashes],
    stop: async () => {
      stopping = true;
      clearInterval(sampler);
      collect();
      // Producers first, the sink last, so that in-flight results still land.
      for (const name of [
        'upload-gateway',
        'csv-splitter',
        ...[...processes.keys()].filter((n) => n.startsWith('dispatcher')),
        'status-tracker',
        'simulator',
      ]) {
        await processes.get(name)?.stop();
      }
    },
  };
}
