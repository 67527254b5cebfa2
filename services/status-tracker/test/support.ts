import { createHmac, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { createEnvelope, type EventType, type PayloadOf } from '@wab/contracts';
import { createKafka, ensureTopics, EventPublisher } from '@wab/kafka-runtime';
import { freePort, startNode, waitFor, type RunningProcess } from '@wab/service-runtime/testing';
import { runMigrations } from '../src/adapters/migrations.js';
import { PgPoolDatabase } from '../src/adapters/pg-pool-database.adapter.js';
import { PgliteDatabase } from '../src/adapters/pglite-database.adapter.js';
import type { SqlDatabase } from '../src/adapters/sql-database.js';
import { MIGRATIONS_DIR } from '../src/app.module.js';
import type {
  BroadcastProgress,
  BroadcastSummary,
  RecipientView,
} from '../src/progress.service.js';

/** Response bodies of the internal API, as the tests read them. */
export type Progress = BroadcastProgress;
export interface RecipientsPage {
  items: RecipientView[];
  nextCursor?: string;
}
export interface BroadcastsPage {
  items: BroadcastSummary[];
  nextCursor?: string;
}

/**
 * Test settings, from the environment (tools/jest/infra-setup.js exports the local stack's) with the
 * local dev values as defaults (services may not import tools/infra; local-only public credentials).
 */
export const DATABASE_URL =
  process.env.DATABASE_URL || 'postgres://wab:wab-local@127.0.0.1:5433/wab';
export const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const APP_SECRET = 'test-app-secret-0123456789';
export const VERIFY_TOKEN = 'test-verify-token-42';
/** The internal API's shared token (`authorization: Bearer ...` on every /internal request). */
export const INTERNAL_TOKEN = 'test-internal-api-token-0123456789abcdef';
export const AUTH = { authorization: `Bearer ${INTERNAL_TOKEN}` };

/**
 * The engines every store test runs on, each opened and migrated: the infrastructure's PostgreSQL
 * (what production runs) and embedded PGlite (the single-process dev mode), so the SQL of the
 * adapters is proven on both.
 */
export const ENGINES: [string, () => Promise<SqlDatabase>][] = [
  ['PostgreSQL', () => migrated(new PgPoolDatabase(DATABASE_URL, 8))],
  ['PGlite', async () => migrated(await PgliteDatabase.open())],
];

async function migrated(db: SqlDatabase): Promise<SqlDatabase> {
  await runMigrations(db, MIGRATIONS_DIR);
  return db;
}

const MAIN = resolve(import.meta.dirname, '../dist/main.js');

/** A topic prefix of its own per test file: the broker is shared. */
export function randomPrefix(): string {
  return `test-st-${randomUUID().slice(0, 8)}.`;
}

export interface RunningTracker {
  url: string;
  proc: RunningProcess;
  /** GET with the tenant header; status, JSON body (typed by the caller) and text. */
  get: <T = Progress>(
    path: string,
    tenantId?: string,
  ) => Promise<{ status: number; body: T; text: string }>;
  put: (
    path: string,
    body: unknown,
    tenantId?: string,
  ) => Promise<{ status: number; body: Progress }>;
  stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts dist/main.js against the real broker (and PostgreSQL when `database` is 'postgres'). */
export async function startTracker(options: {
  prefix: string;
  database: 'postgres' | 'pglite';
}): Promise<RunningTracker> {
  const port = await freePort();
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    KAFKA_BROKERS: KAFKA_BROKERS.join(','),
    KAFKA_TOPIC_PREFIX: options.prefix,
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    LOG_LEVEL: 'info',
  };
  if (options.database === 'postgres') env.DATABASE_URL = DATABASE_URL;
  else env.DATABASE_URL = '';
  const proc = startNode(MAIN, env);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      'status-tracker consuming',
      () => (proc.output().includes('"msg":"consuming"') ? true : undefined),
      { timeoutMs: 60_000 },
    );
  } catch (error) {
    proc.child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n--- output ---\n${proc.output()}`);
  }
  const request = async <T>(method: string, path: string, tenantId?: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...AUTH,
        ...(tenantId ? { 'x-tenant-id': tenantId } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, body: json as T, text };
  };
  return {
    url,
    proc,
    get: <T = Progress>(path: string, tenantId?: string) => request<T>('GET', path, tenantId),
    put: (path, body, tenantId) => request<Progress>('PUT', path, tenantId, body),
    /** SIGTERM, as Kubernetes does; resolves with how the process ended (SIGKILL after 20 s). */
    stop: async () => {
      proc.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const exited = await Promise.race([
        proc.exited,
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), 20_000);
        }),
      ]);
      clearTimeout(timer);
      if (!exited) proc.child.kill('SIGKILL');
      return exited ?? { code: null, signal: 'SIGKILL' };
    },
  };
}

/** Topics for a test prefix, with few partitions (quick to create). */
export async function createTestTopics(prefix: string): Promise<void> {
  await ensureTopics(KAFKA_BROKERS, {
    prefix,
    only: ['uploaded', 'rows', 'sendResults', 'deadLetter'],
    partitions: { uploaded: 2, rows: 3, sendResults: 3, deadLetter: 1 },
  });
}

/** A contract publisher for tests (validates like production code). */
export async function testPublisher(prefix: string): Promise<{
  publish: <T extends EventType>(
    topic: 'uploaded' | 'rows' | 'sendResults',
    type: T,
    tenantId: string,
    payload: PayloadOf<T>,
  ) => Promise<void>;
  raw: (topic: string, value: string, key?: string) => Promise<void>;
  close: () => Promise<void>;
}> {
  const kafka = createKafka({ brokers: KAFKA_BROKERS, clientId: 'status-tracker-test' });
  const publisher = new EventPublisher(kafka, { topicPrefix: prefix, lingerMs: 1 });
  await publisher.connect();
  return {
    publish: (topic, type, tenantId, payload) =>
      publisher.publish(
        topic,
        createEnvelope(type, payload, { tenantId, correlationId: randomUUID() }),
      ),
    raw: (topic, value, key) =>
      publisher.publishRaw(`${prefix}${topic}`, [{ key: key ?? null, value }]),
    close: () => publisher.disconnect(),
  };
}

export function sign(body: string, secret = APP_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A Meta status webhook body (entry[].changes[].value.statuses[]). */
export function statusWebhook(
  statuses: {
    wamid: string;
    status: 'sent' | 'delivered' | 'read' | 'failed';
    callback?: string;
    recipient?: string;
    errors?: { code: number; title: string; details?: string }[];
  }[],
): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              statuses: statuses.map((s) => ({
                id: s.wamid,
                status: s.status,
                timestamp: String(Math.floor(Date.now() / 1000)),
                recipient_id: s.recipient ?? '4915112345678',
                ...(s.callback ? { biz_opaque_callback_data: s.callback } : {}),
                ...(s.status === 'failed'
                  ? {
                      errors: (s.errors ?? [{ code: 131026, title: 'Message undeliverable' }]).map(
                        (e) => ({
                          code: e.code,
                          title: e.title,
                          message: e.title,
                          ...(e.details ? { error_data: { details: e.details } } : {}),
                        }),
                      ),
                    }
                  : {}),
                pricing: {
                  billable: true,
                  pricing_model: 'PMP',
                  category: 'utility',
                  type: 'regular',
                },
              })),
            },
          },
        ],
      },
    ],
  });
}

export const TEMPLATE = {
  name: 'order_update',
  language: 'en_US',
  parameterFormat: 'positional' as const,
};
export const PHONE_NUMBER_ID = '106540352242922';

export function recipientRows(from: number, to: number) {
  return Array.from({ length: to - from + 1 }, (_, i) => {
    const n = from + i;
    return {
      rowNumber: n,
      phone: `0151 ${String(2000000 + n)}`,
      e164: `+49151${String(2000000 + n)}`,
      parameters: {
        body: [
          { position: 1, text: `Name ${n}` },
          { position: 2, text: `A-${n}` },
        ],
      },
    };
  });
}

export { waitFor };
