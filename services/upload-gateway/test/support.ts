/**
 * Integration-test support: the real local infrastructure (Kafka, the S3 server), the WhatsApp
 * simulator and the gateway as processes, and a small fake of status-tracker's internal API (used
 * only to test the gateway's proxying; the end-to-end suite uses the real status-tracker).
 * Services may not import tools, so the local dev values are repeated here as defaults.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { freePort, startNode, waitFor, type RunningProcess } from '@wab/service-runtime/testing';

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const gatewayMain = resolve(import.meta.dirname, '../dist/main.js');
const simulatorCli = resolve(repoRoot, 'tools/wa-simulator/dist/cli.js');

export const infra = {
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  S3_ENDPOINT: process.env.S3_ENDPOINT ?? 'http://127.0.0.1:7070',
  S3_REGION: process.env.S3_REGION ?? 'us-east-1',
  S3_ACCESS_KEY_ID: process.env.S3_ACCESS_KEY_ID ?? 'wab-local',
  S3_SECRET_ACCESS_KEY: process.env.S3_SECRET_ACCESS_KEY ?? 'wab-local-secret-not-for-production',
  S3_BUCKET: process.env.S3_BUCKET ?? 'broadcasts',
  S3_FORCE_PATH_STYLE: 'true',
};

export const SIMULATOR_TOKEN = 'dev-token';
export const WABA_ID = '102290129340398';
/** status-tracker's internal API token: startGateway passes it, FakeStatusTracker requires it. */
export const INTERNAL_TOKEN = 'test-internal-api-token-0123456789abcdef';

export const randomName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/**
 * A CSV of exactly `sizeBytes` generated on the fly (never in memory whole), and the SHA-256 of what
 * was generated (call it after the stream has been read).
 */
export function generatedCsv(sizeBytes: number): { body: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  const rows = Buffer.from('+4915123456789,Ada,A-1001\n'.repeat(4000));
  function* chunks() {
    let sent = 0;
    const header = Buffer.from('phone,first_name,order_id\n');
    hash.update(header);
    sent += header.length;
    yield header;
    while (sent < sizeBytes) {
      const piece = rows.subarray(0, Math.min(rows.length, sizeBytes - sent));
      hash.update(piece);
      sent += piece.length;
      yield piece;
    }
  }
  return { body: Readable.from(chunks()), sha256: () => hash.digest('hex') };
}

/** Peak resident memory of a process so far (VmHWM, Linux), or undefined elsewhere. */
export function peakRssBytes(pid: number | undefined): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

export function s3Client(): S3Client {
  return new S3Client({
    endpoint: infra.S3_ENDPOINT,
    region: infra.S3_REGION,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    credentials: {
      accessKeyId: infra.S3_ACCESS_KEY_ID,
      secretAccessKey: infra.S3_SECRET_ACCESS_KEY,
    },
  });
}

/** Starts the simulator as its own process (building it first when its dist is missing). */
export async function startSimulator(): Promise<{ url: string; proc: RunningProcess }> {
  if (!existsSync(simulatorCli)) {
    const built = spawnSync(
      resolve(repoRoot, 'tools/bin/run'),
      ['npx', 'nx', 'run', '@wab/wa-simulator:build'],
      {
        cwd: repoRoot,
        stdio: 'inherit',
      },
    );
    if (built.status !== 0) throw new Error('could not build tools/wa-simulator');
  }
  const port = await freePort();
  const proc = startNode(simulatorCli, {}, [
    '--port',
    String(port),
    '--access-token',
    SIMULATOR_TOKEN,
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    'the simulator',
    async () => ((await fetch(`${url}/_sim/ledger`).catch(() => undefined))?.ok ? true : undefined),
    {
      timeoutMs: 20_000,
    },
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${proc.output()}`);
  });
  return { url, proc };
}

/** Starts dist/main.js with `env` and waits for /healthz. */
export async function startGateway(
  env: Record<string, string>,
): Promise<{ url: string; proc: RunningProcess }> {
  const port = await freePort();
  const proc = startNode(gatewayMain, {
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info',
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    ...env,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('the gateway', async () => {
    if (proc.child.exitCode !== null) throw new Error(`gateway exited:\n${proc.output()}`);
    return (await fetch(`${url}/healthz`).catch(() => undefined))?.ok ? true : undefined;
  }).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${proc.output()}`);
  });
  return { url, proc };
}

export async function stopProcess(proc: RunningProcess | undefined): Promise<void> {
  if (!proc || proc.child.exitCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
  await proc.exited;
  clearTimeout(timer);
}

export interface FakeBroadcast {
  id: string;
  tenantId: string;
  name?: string;
  state: string;
  template: unknown;
  phoneNumberId: string;
  createdAt: string;
  registration: Record<string, unknown>;
  counts: Record<string, number>;
  complete: boolean;
}

/**
 * A fake of status-tracker's internal API (the agreed routes), with its tenant rule: a broadcast of
 * another tenant answers 404. The report is streamed in two parts; the second waits for
 * `releaseReport()`, so a test can prove the gateway streams it through.
 */
export class FakeStatusTracker {
  readonly broadcasts = new Map<string, FakeBroadcast>();
  readonly requests: { method: string; url: string; tenantId: string | undefined }[] = [];
  private server: Server | undefined;
  private release: (() => void) | undefined;
  private released = new Promise<void>((resolve) => (this.release = resolve));

  releaseReport(): void {
    this.release?.();
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.release?.();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const tenantId = req.headers['x-tenant-id'] as string | undefined;
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push({ method: req.method ?? '', url: `${url.pathname}${url.search}`, tenantId });
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const notFound = () =>
      json(404, { error: { code: 'not-found', message: 'no such broadcast' } });
    if (req.headers.authorization !== `Bearer ${INTERNAL_TOKEN}`)
      return json(401, {
        statusCode: 401,
        error: 'Unauthorized',
        message: 'no internal API token',
      });
    if (!tenantId)
      return json(400, { error: { code: 'missing-tenant', message: 'x-tenant-id is required' } });

    const parts = url.pathname.split('/').filter(Boolean); // internal, broadcasts, id?, sub?
    if (parts[0] !== 'internal' || parts[1] !== 'broadcasts') return notFound();
    const id = parts[2] ? decodeURIComponent(parts[2]) : undefined;

    if (req.method === 'GET' && id === undefined) {
      const items = [...this.broadcasts.values()]
        .filter((b) => b.tenantId === tenantId)
        .map(({ registration: _, ...b }) => b);
      return json(200, {
        items,
        limit: url.searchParams.get('limit'),
        after: url.searchParams.get('after'),
      });
    }
    if (id === undefined) return notFound();

    if (req.method === 'PUT' && parts.length === 3) {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      if (body.tenantId !== tenantId)
        return json(400, {
          error: { code: 'tenant-mismatch', message: 'tenantId differs from x-tenant-id' },
        });
      const existing = this.broadcasts.get(id);
      if (existing && existing.tenantId !== tenantId)
        return json(409, { error: { code: 'conflict', message: 'id taken' } });
      if (!existing) {
        this.broadcasts.set(id, {
          id,
          tenantId,
          ...(typeof body.name === 'string' ? { name: body.name } : {}),
          state: 'created',
          template: body.template,
          phoneNumberId: String(body.phoneNumberId),
          createdAt: new Date().toISOString(),
          registration: body,
          counts: {
            pending: 0,
            accepted: 0,
            sent: 0,
            delivered: 0,
            read: 0,
            failed: 0,
            skipped: 0,
            unknown: 0,
          },
          complete: false,
        });
      }
      return json(200, { id, state: 'created' });
    }

    const broadcast = this.broadcasts.get(id);
    if (!broadcast || broadcast.tenantId !== tenantId) return notFound();
    if (req.method !== 'GET') return json(405, { error: { code: 'method', message: 'no' } });
    const { registration: _, ...status } = broadcast;
    if (parts.length === 3)
      return json(200, { ...status, skippedByReason: {}, failedByReason: {}, ratePerSecond: 0 });
    if (parts[3] === 'recipients') {
      return json(200, {
        items: [
          {
            rowNumber: 1,
            phone: '+49 151 2345678',
            e164: '+491512345678',
            state: url.searchParams.get('state') ?? 'pending',
          },
        ],
        query: Object.fromEntries(url.searchParams),
      });
    }
    if (parts[3] === 'report.csv') {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
      res.write(
        'row,phone,e164,state,error_code,error_reason\n1,+49 151 2345678,+491512345678,delivered,,\n',
      );
      await this.released;
      res.end('2,0151 999,,skipped,invalid-phone,not a phone number\n');
      return;
    }
    return notFound();
  }
}
