// `npm run demo`: the main job, end to end. Starts the local infrastructure, the WhatsApp Cloud API
// simulator and the four services as separate processes, sends the bundled example broadcast of
// 50,000 recipients through the public HTTP API with a live progress bar, and prints a summary and
// the path of the report. With WHATSAPP_TOKEN, WHATSAPP_WABA_ID and WHATSAPP_PHONE_NUMBER_ID set, the
// same command talks to Meta's Cloud API instead of the simulator.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@wab/infra';
import { writeRecipientsCsv } from './csv-fixture.ts';
import { FIXTURE_PHONE_NUMBER_ID, fixtureBroadcast, GatewayClient } from './gateway-client.ts';
import { startStack } from './stack.ts';

const { values: args } = parseArgs({
  options: {
    recipients: { type: 'string', default: '50000' },
    mps: { type: 'string', default: '1000' },
    latency: { type: 'string', default: 'lognormal:800:3000' },
  },
});

const count = Number(args.recipients);
const mps = Number(args.mps);
const out = path.join(repoRoot, '.infra', 'demo');
mkdirSync(out, { recursive: true });
const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * Runs `broadcast status ID --follow --progress-only` (the built CLI) with this terminal: a redrawn
 * progress bar on a TTY, a line every 5 s otherwise. Resolves when the broadcast is over.
 */
function followWithCli(url: string, apiKey: string, id: string): Promise<void> {
  const cli = path.join(repoRoot, 'tools', 'broadcast-cli', 'dist', 'cli.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'status', id, '--follow', '--progress-only'], {
      env: { ...process.env, WAB_URL: url, WAB_API_KEY: apiKey },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('error', reject);
    // Exit code 1 means "over but not completed": the summary below says how.
    child.once('close', (code) =>
      code === 0 || code === 1 ? resolve() : reject(new Error(`broadcast CLI exited with ${code}`)),
    );
  });
}

async function main(): Promise<void> {
  const csv = path.join(out, `recipients-${count}.csv`);
  if (!existsSync(csv)) {
    say(
      `generating the example broadcast: ${count.toLocaleString('en')} recipients (deterministic) → ${path.relative(repoRoot, csv)}`,
    );
    await writeRecipientsCsv(csv, count, 42);
  }
  const real =
    process.env.WHATSAPP_TOKEN &&
    process.env.WHATSAPP_WABA_ID &&
    process.env.WHATSAPP_PHONE_NUMBER_ID;
  say(
    real
      ? "starting the pipeline against Meta's Cloud API ..."
      : `starting the pipeline against the simulator (sender limit ${mps} msg/s, latency ${args.latency}) ...`,
  );
  const stack = await startStack({
    log: (line) => say(`  ${line}`),
    simulatorArgs: ['--mps', String(mps), '--latency', args.latency, '--seed', '42'],
    env: { dispatcher: { SENDER_DEFAULT_MPS: String(mps) } },
    ...(real
      ? {
          cloudApi: {
            baseUrl: process.env.WHATSAPP_API_BASE_URL ?? 'https://graph.facebook.com',
            token: process.env.WHATSAPP_TOKEN as string,
            wabaId: process.env.WHATSAPP_WABA_ID as string,
            ...(process.env.WHATSAPP_APP_SECRET
              ? { appSecret: process.env.WHATSAPP_APP_SECRET }
              : {}),
          },
        }
      : {}),
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stack.stop();
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    const client = new GatewayClient(stack.gatewayUrl, stack.apiKey);
    const created = await client.createBroadcast(
      fixtureBroadcast({
        name: `demo ${new Date().toISOString()}`,
        phoneNumberId: process.env.WHATSAPP_PHONE_NUMBER_ID ?? FIXTURE_PHONE_NUMBER_ID,
      }),
    );
    say(`broadcast ${created.id}: uploading ${path.relative(repoRoot, csv)} ...`);
    const startedAt = Date.now();
    await client.uploadFile(created.id, csv);
    await client.start(created.id);
    // The progress is shown by the operator's own tool: `broadcast status ID --follow` (the CLI of
    // tools/broadcast-cli, over the live SSE stream of the public API), as a separate process that
    // shares this terminal. The summary below is read afterwards from the same API.
    // A service that crashes ends the demo with its log file named, instead of a progress bar that
    // never moves.
    let watching = true;
    const crashed = (async () => {
      while (watching) {
        const crashes = stack.crashes();
        if (crashes.length > 0) throw new Error(crashes.join('\n'));
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    })();
    try {
      await Promise.race([followWithCli(stack.gatewayUrl, stack.apiKey, created.id), crashed]);
    } finally {
      watching = false;
    }
    const final = await client.follow(created.id, () => undefined);
    const wallSeconds = (Date.now() - startedAt) / 1000;
    const report = path.join(out, `report-${created.id}.csv`);
    writeFileSync(report, await client.reportCsv(created.id));
    const c = final.counts;
    const sent = c.accepted + c.sent + c.delivered + c.read;
    const lines = [
      '',
      `broadcast ${created.id}: ${final.state}`,
      `  rows in file          ${(final.totalRows ?? 0).toLocaleString('en')}`,
      `  recipients            ${(final.recipients ?? 0).toLocaleString('en')}`,
      `  sent (accepted)       ${sent.toLocaleString('en')}`,
      `    delivered           ${(c.delivered + c.read).toLocaleString('en')}`,
      `    read                ${c.read.toLocaleString('en')}`,
      `  failed                ${c.failed.toLocaleString('en')}`,
      ...Object.entries(final.failedByReason).map(
        ([code, v]) => `    ${code.padEnd(20)}${v.count.toLocaleString('en')}  ${v.title ?? ''}`,
      ),
      `  unknown               ${c.unknown.toLocaleString('en')}`,
      `  skipped               ${c.skipped.toLocaleString('en')}`,
      ...Object.entries(final.skippedByReason).map(
        ([reason, n]) => `    ${reason.padEnd(20)}${n.toLocaleString('en')}`,
      ),
      `  wall time             ${wallSeconds.toFixed(1)} s (upload accepted → complete)`,
      `  messages per second   ${(sent / wallSeconds).toFixed(0)}`,
      `  peak RSS (MB)         ${Object.entries(stack.peakRss())
        .map(([name, mb]) => `${name} ${mb}`)
        .join(', ')}`,
      `  report                ${path.relative(process.cwd(), report)}`,
      `  process logs          ${path.relative(process.cwd(), stack.logDir)}`,
    ];
    say(lines.join('\n'));
    if (final.state !== 'completed') process.exitCode = 1;
  } finally {
    await stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
