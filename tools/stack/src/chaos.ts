// The chaos suite: one broadcast through the real pipeline (startStack: simulator + the four
// services as processes, real Kafka/S3/PostgreSQL) while processes are killed and the Cloud API
// misbehaves, then a per-recipient audit against the simulator's ledger.
//
// Faults (issue 6): the dispatcher SIGKILLed twice at random moments, csv-splitter SIGKILLed
// mid-file, status-tracker SIGKILLed, the Kafka broker restarted once (every killed process is
// restarted), and at the simulator 5% 5xx (131000/131016), 2% timeouts (half of them accepted: the
// "unknown outcome" case), a 130429 storm and a 131056 window (every new recipient is pair-limited
// for a moment). Moments are drawn from a seeded generator, as fractions of the progress.
//
// Checks: every recipient terminal; no recipient accepted twice by the simulator; none lost (no
// recipient left pending, none claimed as sent that the simulator never got); the tracker's states
// agree with the ledger recipient by recipient (sent ⇔ in the ledger). An `unknown` whose request
// never reached Meta (a timeout it did not accept, or a kill between claim and call) stays
// `unknown` by policy `report` and is counted apart (unknownNeverReachedMeta), not as lost.
import { Kafka, logLevel } from 'kafkajs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeEvent, topicName } from '@wab/contracts';
import { startKafka, stopKafka } from '@wab/infra';
import { writeRecipientsCsv } from './csv-fixture.ts';
import { fixtureBroadcast, GatewayClient, type BroadcastStatus } from './gateway-client.ts';
import { startStack, waitUntil, type Stack } from './stack.ts';

export interface ChaosOptions {
  recipients: number;
  seed?: number;
  /** Sender limit (simulator and dispatcher), messages per second. */
  mps?: number;
  /** How long to wait for completion and reconciliation. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  recipients: number;
  terminal: number;
  lost: number;
  duplicates: number;
  unknownReconciled: number;
  unknownUnresolved: number;
  unknownNeverReachedMeta: number;
  countsMatchLedger: boolean;
  mismatches: { rowNumber: number; state: string; inLedger: boolean }[];
  counts: BroadcastStatus['counts'];
  ledger: Ledger;
  faults: { at: number; progress: number; what: string }[];
  unexpectedExits: string[];
  wallSeconds: number;
  checks: { name: string; ok: boolean }[];
  ok: boolean;
}

interface Ledger {
  accepted: number;
  uniqueRecipients: number;
  duplicates: number;
  errors: Record<string, number>;
  timeouts: number;
  webhooks: { queued: number; inFlight: number; dropped: number };
}

interface TrackerRecipient {
  rowNumber: number;
  state: string;
  wamid?: string;
  errorCode?: string;
}

const SENT_STATES = new Set(['accepted', 'sent', 'delivered', 'read']);

function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const random = prng(options.seed ?? Date.now());
  const mps = options.mps ?? 400;
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const dir = mkdtempSync(path.join(tmpdir(), 'wab-chaos-'));
  const csv = path.join(dir, 'recipients.csv');
  await writeRecipientsCsv(csv, options.recipients, 42);

  const stack = await startStack({
    log: (line) => log(`  ${line}`),
    simulatorArgs: ['--mps', String(mps), '--latency', 'uniform:50:600', '--seed', '7'],
    env: {
      dispatcher: {
        SENDER_DEFAULT_MPS: String(mps),
        // The simulator's timeouts hold the request forever: give up on it after 5 s (unknown).
        CLOUD_API_TIMEOUT_MS: '5000',
        SENDER_ACCOUNT_PAUSE_SECONDS: '5',
      },
    },
  });
  const startedAt = Date.now();
  const faults: ChaosReport['faults'] = [];
  const unexpectedExits: string[] = [];
  const killing = new Set<string>();
  let progress = 0;
  const note = (what: string) => {
    faults.push({ at: Math.round((Date.now() - startedAt) / 100) / 10, progress, what });
    log(`chaos @${(progress * 100).toFixed(0)}%: ${what}`);
  };
  const sim = async (method: string, route: string, body?: object) => {
    const response = await fetch(`${stack.simulatorUrl}${route}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!response.ok) throw new Error(`simulator ${method} ${route}: HTTP ${response.status}`);
    return response.json();
  };
  // Restarts run in the background (a dispatcher needs its group's session timeout to rejoin), so
  // the next fault still happens at its moment; a second kill of one process waits for its restart.
  const restarts = new Map<string, Promise<void>>();
  const kill = async (name: string) => {
    await restarts.get(name);
    const proc = stack.processes.get(name);
    if (!proc) throw new Error(`no process ${name}`);
    killing.add(name);
    proc.child.kill('SIGKILL');
    await proc.exited;
    note(`${name} SIGKILLed`);
    restarts.set(
      name,
      stack.restart(name).then(() => {
        killing.delete(name);
        watch(name);
        note(`${name} restarted`);
      }),
    );
  };
  // A process that dies on its own (not killed here) is restarted too, and reported.
  const watch = (name: string) => {
    const proc = stack.processes.get(name);
    void proc?.exited.then(async ({ code, signal }) => {
      if (killing.has(name) || stopping) return;
      unexpectedExits.push(`${name} exited (code ${code}, signal ${signal})`);
      note(`${name} exited unexpectedly (code ${code}); restarting`);
      await stack.restart(name).then(
        () => watch(name),
        (error: unknown) => log(`restart of ${name} failed: ${String(error)}`),
      );
    });
  };
  let stopping = false;
  for (const name of stack.processes.keys()) if (name !== 'simulator') watch(name);

  try {
    await sim('PATCH', '/_sim/faults', {
      serverErrorRate: 0.05,
      serverErrorCodes: [131000, 131016],
      timeoutRate: 0.02,
      timeoutAcceptedShare: 0.5,
    });
    note('simulator: 5% 5xx (131000/131016), 2% timeouts (half accepted)');
    const client = new GatewayClient(stack.gatewayUrl, stack.apiKey);
    const created = await client.createBroadcast(
      fixtureBroadcast({ name: `chaos ${new Date().toISOString()}` }),
    );
    const broadcastId = created.id;
    await client.uploadFile(broadcastId, csv);
    await client.start(broadcastId);

    const status = async (): Promise<BroadcastStatus | undefined> => {
      try {
        const response = await fetch(`${stack.trackerUrl}/internal/broadcasts/${broadcastId}`, {
          headers: {
            authorization: `Bearer ${stack.internalApiToken}`,
            'x-tenant-id': stack.tenantId,
          },
        });
        return response.ok ? ((await response.json()) as BroadcastStatus) : undefined;
      } catch {
        return undefined; // status-tracker is down (killed) or restarting
      }
    };

    // csv-splitter mid-file: as soon as rows arrive while the split has not completed.
    await waitUntil(
      'the first rows of the file',
      async () => {
        const s = await status();
        return s && (s.recipients ?? 0) + s.counts.pending > 0 ? s : undefined;
      },
      60_000,
      20,
    );
    const beforeKill = await status();
    await kill('csv-splitter');
    if (beforeKill?.totalRows !== undefined)
      note('note: the split had already completed when csv-splitter was killed');

    const at = (from: number, to: number) => from + random() * (to - from);
    const plan: { at: number; what: string; run: () => Promise<void> }[] = [
      {
        at: at(0.08, 0.12),
        what: 'storm',
        run: async () => {
          await sim('PATCH', '/_sim/faults', { throttleStorm: { durationMs: 3000, rate: 1 } });
          note('simulator: 130429 storm for 3 s');
        },
      },
      { at: at(0.15, 0.3), what: 'dispatcher', run: () => kill('dispatcher') },
      {
        at: at(0.32, 0.38),
        what: 'pair limit',
        run: async () => {
          await sim('PATCH', '/_sim/limits', { pairIntervalMs: 2000, pairBurst: 0.5 });
          note('simulator: 131056 for every new recipient for 1.5 s');
          await sleep(1500);
          await sim('PATCH', '/_sim/limits', { pairIntervalMs: 6000, pairBurst: 45 });
          note('simulator: pair limit back to normal');
        },
      },
      { at: at(0.4, 0.5), what: 'status-tracker', run: () => kill('status-tracker') },
      { at: at(0.55, 0.7), what: 'dispatcher', run: () => kill('dispatcher') },
      {
        at: at(0.75, 0.85),
        what: 'kafka',
        run: async () => {
          note(`kafka broker stopping (${await stopKafka()})`);
          await startKafka();
          note('kafka broker restarted');
        },
      },
    ];
    const deadline = Date.now() + timeoutMs;
    const running: Promise<void>[] = [];
    let final: BroadcastStatus | undefined;
    while (Date.now() < deadline) {
      const s = await status();
      if (s) {
        // Outcomes over the recipients expected (the file's size until the split has counted them).
        const c = s.counts;
        const done = c.accepted + c.sent + c.delivered + c.read + c.failed + c.unknown;
        const expected = s.totalRows !== undefined ? (s.recipients ?? 0) : options.recipients;
        progress = expected > 0 ? Math.min(1, done / expected) : 1;
        const next = plan[0];
        if (next && progress >= next.at) {
          plan.shift();
          running.push(next.run());
          continue;
        }
        if (plan.length === 0 && s.complete) {
          await Promise.all(running);
          await Promise.all(restarts.values());
          final = s;
          break;
        }
        // Finished before every fault ran (small runs): inject the rest anyway, they still test
        // the restart paths; the audit below runs after them.
        if (s.complete && plan.length > 0) {
          const rest = plan.shift();
          if (rest) running.push(rest.run());
          continue;
        }
      }
      await sleep(200);
    }
    if (!final) throw new Error(`broadcast ${broadcastId} did not complete within ${timeoutMs} ms`);
    note('broadcast complete');

    // Reconciliation: webhooks still queued or retried at the simulator settle `unknown`s.
    await waitUntil(
      'the simulator to deliver every webhook',
      async () => {
        const ledger = (await sim('GET', '/_sim/ledger')) as Ledger;
        return ledger.webhooks.queued === 0 && ledger.webhooks.inFlight === 0 ? true : undefined;
      },
      Math.max(60_000, deadline - Date.now()),
      500,
    );
    // Let status-tracker commit the last webhook batch.
    const settled = await waitUntil(
      'counts to settle',
      async () => {
        const a = await status();
        await sleep(1500);
        const b = await status();
        return a && b && JSON.stringify(a.counts) === JSON.stringify(b.counts) ? b : undefined;
      },
      60_000,
      0,
    );

    const ledger = (await sim('GET', '/_sim/ledger')) as Ledger;
    const inLedger = await ledgerRows(stack, broadcastId);
    const recipients = await trackerRecipients(stack, broadcastId);
    const unknownResults = await unknownOutcomes(stack, broadcastId);

    const real = recipients.filter((r) => r.state !== 'skipped');
    const terminal = real.filter((r) => r.state !== 'pending').length;
    const lost = real.filter(
      (r) => r.state === 'pending' || (SENT_STATES.has(r.state) && !inLedger.has(r.rowNumber)),
    ).length;
    const mismatches = real
      .filter((r) => {
        const sent = inLedger.has(r.rowNumber);
        if (sent) return !(SENT_STATES.has(r.state) || r.state === 'failed');
        return SENT_STATES.has(r.state);
      })
      .map((r) => ({
        rowNumber: r.rowNumber,
        state: r.state,
        inLedger: inLedger.has(r.rowNumber),
      }));
    const sentCount = real.filter((r) => SENT_STATES.has(r.state)).length;
    const asyncFailed = real.filter(
      (r) => r.state === 'failed' && inLedger.has(r.rowNumber),
    ).length;
    const countsMatchLedger =
      mismatches.length === 0 && sentCount + asyncFailed === ledger.uniqueRecipients;
    const finalUnknown = real.filter((r) => r.state === 'unknown');
    const report: ChaosReport = {
      recipients: real.length,
      terminal,
      lost,
      duplicates: ledger.duplicates,
      unknownReconciled: [...unknownResults].filter((row) =>
        real.some((r) => r.rowNumber === row && r.state !== 'unknown'),
      ).length,
      unknownUnresolved: finalUnknown.length,
      unknownNeverReachedMeta: finalUnknown.filter((r) => !inLedger.has(r.rowNumber)).length,
      countsMatchLedger,
      mismatches: mismatches.slice(0, 20),
      counts: settled.counts,
      ledger,
      faults,
      unexpectedExits,
      wallSeconds: Math.round((Date.now() - startedAt) / 100) / 10,
      checks: [],
      ok: false,
    };
    const dispatcherKills = faults.filter((f) => f.what === 'dispatcher SIGKILLed').length;
    report.checks = [
      { name: 'every recipient has a terminal state', ok: terminal === real.length },
      { name: 'no recipient accepted twice by the simulator', ok: ledger.duplicates === 0 },
      { name: 'no recipient lost', ok: lost === 0 },
      { name: 'tracker states match the simulator ledger', ok: countsMatchLedger },
      { name: 'the recipient count matches the splitter', ok: real.length === final.recipients },
      {
        // An `unknown` that never reached Meta comes from a timeout Meta did not take, or from a
        // kill between the attempt's claim and its call, which the dispatcher bounds to the claim's
        // round trip plus maxClaimHoldMs (250 ms) at the wire gate: half a second of calls per kill.
        name: `unknowns that never reached Meta (${report.unknownNeverReachedMeta}) are explained by timeouts (${ledger.timeouts}) and dispatcher kills (${dispatcherKills})`,
        ok:
          report.unknownNeverReachedMeta <=
          ledger.timeouts + dispatcherKills * Math.ceil(mps * 0.5),
      },
    ];
    report.ok = report.checks.every((c) => c.ok);
    return report;
  } finally {
    stopping = true;
    // If the broker restart was interrupted, leave the shared broker running for everyone else.
    await startKafka().catch(() => undefined);
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Row numbers the simulator accepted for this broadcast (from biz_opaque_callback_data). */
async function ledgerRows(stack: Stack, broadcastId: string): Promise<Set<number>> {
  const rows = new Set<number>();
  const prefix = `wab1:${broadcastId}:`;
  for (let offset = 0; ; offset += 1000) {
    const page = (await (
      await fetch(`${stack.simulatorUrl}/_sim/ledger/messages?offset=${offset}&limit=1000`)
    ).json()) as { messages: { bizOpaqueCallbackData?: string }[] };
    for (const m of page.messages)
      if (m.bizOpaqueCallbackData?.startsWith(prefix))
        rows.add(Number(m.bizOpaqueCallbackData.slice(prefix.length)));
    if (page.messages.length < 1000) return rows;
  }
}

async function trackerRecipients(stack: Stack, broadcastId: string): Promise<TrackerRecipient[]> {
  const all: TrackerRecipient[] = [];
  let after: string | undefined;
  for (;;) {
    const url = `${stack.trackerUrl}/internal/broadcasts/${broadcastId}/recipients?limit=1000${after ? `&after=${after}` : ''}`;
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${stack.internalApiToken}`, 'x-tenant-id': stack.tenantId },
    });
    if (!response.ok) throw new Error(`tracker recipients: HTTP ${response.status}`);
    const page = (await response.json()) as { items: TrackerRecipient[]; nextCursor?: string };
    all.push(...page.items);
    if (!page.nextCursor) return all;
    after = page.nextCursor;
  }
}

/** Row numbers that got an `unknown` send-result at least once (read back from send-results). */
async function unknownOutcomes(stack: Stack, broadcastId: string): Promise<Set<number>> {
  const kafka = new Kafka({
    brokers: stack.infra.kafka.brokers,
    clientId: 'chaos-audit',
    logLevel: logLevel.NOTHING,
  });
  const topic = topicName('sendResults', stack.topicPrefix);
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map(
    (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]),
  );
  await admin.disconnect();
  const rows = new Set<number>();
  const consumer = kafka.consumer({ groupId: `chaos-audit-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Set([...ends].filter(([, high]) => high === 0n).map(([p]) => p));
  await new Promise<void>((resolve, reject) => {
    if (done.size === ends.size) {
      resolve();
      return;
    }
    consumer
      .run({
        eachMessage: ({ partition, message }) => {
          const decoded = decodeEvent('sendResults', message.value);
          if (
            decoded.ok &&
            decoded.event.type === 'message.send-result' &&
            decoded.event.payload.broadcastId === broadcastId &&
            decoded.event.payload.outcome.status === 'unknown'
          )
            rows.add(decoded.event.payload.rowNumber);
          if (BigInt(message.offset) + 1n >= (ends.get(partition) ?? 0n)) done.add(partition);
          if (done.size === ends.size) resolve();
          return Promise.resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return rows;
}

export function formatChaosReport(report: ChaosReport): string {
  const lines = [
    '',
    'chaos run',
    ...report.faults.map(
      (f) =>
        `  ${String(f.at).padStart(6)} s  ${(f.progress * 100).toFixed(0).padStart(3)}%  ${f.what}`,
    ),
    '',
    `  recipients               ${report.recipients}`,
    `  terminal                 ${report.terminal}`,
    `  lost                     ${report.lost}`,
    `  duplicates               ${report.duplicates}`,
    `  unknown reconciled       ${report.unknownReconciled}`,
    `  unknown unresolved       ${report.unknownUnresolved} (never reached Meta: ${report.unknownNeverReachedMeta})`,
    `  counts match ledger      ${report.countsMatchLedger}`,
    `  counts                   ${JSON.stringify(report.counts)}`,
    `  simulator                accepted ${report.ledger.accepted}, unique ${report.ledger.uniqueRecipients}, errors ${JSON.stringify(report.ledger.errors)}, timeouts ${report.ledger.timeouts}`,
    `  unexpected exits         ${report.unexpectedExits.length ? report.unexpectedExits.join('; ') : 'none'}`,
    `  wall time                ${report.wallSeconds} s`,
    '',
    ...report.checks.map((c) => `  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name}`),
  ];
  return lines.join('\n');
}
