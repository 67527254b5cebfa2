#!/usr/bin/env node
/**
 * Standalone simulator: `npm run simulator -- [flags]` (or `node tools/wa-simulator/dist/cli.js`).
 * Every flag has an environment variable twin (WA_SIM_*); flags win. See README.md.
 */
import { parseArgs } from 'node:util';
import { parseLatency } from './latency.js';
import { DEFAULT_ACCESS_TOKEN, DEFAULT_APP_SECRET, DEFAULT_PHONE_NUMBER_ID } from './options.js';
import { seededRandom } from './random.js';
import { startSimulator } from './simulator.js';

const HELP = `wa-simulator: WhatsApp Cloud API simulator

  --port N               WA_SIM_PORT            listen port (default 3100)
  --host H               WA_SIM_HOST            listen address (default 127.0.0.1)
  --access-token T[,T]   WA_SIM_ACCESS_TOKENS   accepted bearer tokens (default ${DEFAULT_ACCESS_TOKEN})
  --mps N                WA_SIM_MPS             per-number throughput (default 80; 1000 upgraded, 20 coexistence)
  --burst N              WA_SIM_BURST           bucket capacity (default = mps)
  --pair-interval-ms N   WA_SIM_PAIR_INTERVAL_MS pair limit: one message per N ms (default 6000)
  --pair-burst N         WA_SIM_PAIR_BURST      pair limit burst allowance (default 45)
  --portfolio-limit N    WA_SIM_PORTFOLIO_LIMIT unique recipients per 24 h (default unlimited)
  --latency SPEC         WA_SIM_LATENCY         none | fixed:MS | uniform:MIN:MAX | lognormal:MEDIAN:P99[:MAX]
  --webhook-url URL      WA_SIM_WEBHOOK_URL     where status/inbound webhooks are POSTed (default: none)
  --app-secret S         WA_SIM_APP_SECRET      webhook signing secret (default ${DEFAULT_APP_SECRET})
  --templates FILE       WA_SIM_TEMPLATES       template registry JSON (default: the shipped set)
  --fault-profile NAME   WA_SIM_FAULT_PROFILE   none | flaky | storm | maintenance | token-expired | chaos
  --fail-share X         WA_SIM_FAIL_SHARE      share of accepted messages failing by webhook (default 0)
  --read-share X         WA_SIM_READ_SHARE      share of delivered messages read (default 0.5)
  --seed N               WA_SIM_SEED            seed the random draws (reproducible runs)
  --max-stored-messages N WA_SIM_MAX_STORED_MESSAGES full ledger records kept (default 1000000; counts always kept)
  --process-metrics      include Node process metrics on /metrics
  --help`;

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'access-token': { type: 'string' },
    mps: { type: 'string' },
    burst: { type: 'string' },
    'pair-interval-ms': { type: 'string' },
    'pair-burst': { type: 'string' },
    'portfolio-limit': { type: 'string' },
    latency: { type: 'string' },
    'webhook-url': { type: 'string' },
    'app-secret': { type: 'string' },
    templates: { type: 'string' },
    'fault-profile': { type: 'string' },
    'fail-share': { type: 'string' },
    'read-share': { type: 'string' },
    seed: { type: 'string' },
    'max-stored-messages': { type: 'string' },
    'process-metrics': { type: 'boolean' },
    help: { type: 'boolean' },
  },
  allowPositionals: false,
});

if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const env = process.env;
const pick = (flag: string | undefined, name: string): string | undefined => flag ?? env[name] ?? undefined;
const num = (flag: string | undefined, name: string): number | undefined => {
  const raw = pick(flag, name);
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`wa-simulator: ${name} must be a non-negative number, got "${raw}"`);
    process.exit(2);
  }
  return n;
};

try {
  const tokens = (pick(values['access-token'], 'WA_SIM_ACCESS_TOKENS') ?? DEFAULT_ACCESS_TOKEN).split(',').map((t) => t.trim()).filter(Boolean);
  const mps = num(values.mps, 'WA_SIM_MPS') ?? 80;
  const burst = num(values.burst, 'WA_SIM_BURST');
  const pairIntervalMs = num(values['pair-interval-ms'], 'WA_SIM_PAIR_INTERVAL_MS');
  const pairBurst = num(values['pair-burst'], 'WA_SIM_PAIR_BURST');
  const portfolioLimit = num(values['portfolio-limit'], 'WA_SIM_PORTFOLIO_LIMIT');
  const latencySpec = pick(values.latency, 'WA_SIM_LATENCY') ?? 'none';
  const webhookUrl = pick(values['webhook-url'], 'WA_SIM_WEBHOOK_URL');
  const appSecret = pick(values['app-secret'], 'WA_SIM_APP_SECRET') ?? DEFAULT_APP_SECRET;
  const seed = num(values.seed, 'WA_SIM_SEED');
  const failShare = num(values['fail-share'], 'WA_SIM_FAIL_SHARE');
  const readShare = num(values['read-share'], 'WA_SIM_READ_SHARE');
  const templatesFile = pick(values.templates, 'WA_SIM_TEMPLATES');
  const maxStoredMessages = num(values['max-stored-messages'], 'WA_SIM_MAX_STORED_MESSAGES');
  const sim = await startSimulator({
    port: num(values.port, 'WA_SIM_PORT') ?? 3100,
    host: pick(values.host, 'WA_SIM_HOST') ?? '127.0.0.1',
    accessTokens: tokens,
    limits: {
      mps,
      ...(burst !== undefined ? { burst } : {}),
      ...(pairIntervalMs !== undefined ? { pairIntervalMs } : {}),
      ...(pairBurst !== undefined ? { pairBurst } : {}),
      ...(portfolioLimit !== undefined ? { portfolioLimit } : {}),
    },
    latency: parseLatency(latencySpec),
    webhook: { appSecret, ...(webhookUrl ? { url: webhookUrl } : {}) },
    statuses: { ...(failShare !== undefined ? { failShare } : {}), ...(readShare !== undefined ? { readShare } : {}) },
    ...(templatesFile ? { templatesFile } : {}),
    ...(maxStoredMessages !== undefined ? { maxStoredMessages } : {}),
    ...(seed !== undefined ? { random: seededRandom(seed) } : {}),
    processMetrics: values['process-metrics'] ?? true,
  });
  const profile = pick(values['fault-profile'], 'WA_SIM_FAULT_PROFILE');
  if (profile) sim.applyProfile(profile);
  const tokenNote = tokens.length === 1 && tokens[0] === DEFAULT_ACCESS_TOKEN ? `token "${DEFAULT_ACCESS_TOKEN}"` : `${tokens.length} token(s)`;
  console.log(
    `wa-simulator listening on ${sim.url} — POST ${sim.url}/v23.0/${DEFAULT_PHONE_NUMBER_ID}/messages (any phone-number id), ` +
      `${tokenNote}, ${mps} mps, latency ${latencySpec}, webhooks ${webhookUrl ?? 'off'}, ` +
      `${sim.templates.all().length} templates, faults ${profile ?? 'none'}; control ${sim.url}/_sim/ledger, metrics ${sim.url}/metrics`,
  );
  const stop = (signal: string): void => {
    console.log(`wa-simulator: ${signal}, closing`);
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (error) {
  console.error(`wa-simulator: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
