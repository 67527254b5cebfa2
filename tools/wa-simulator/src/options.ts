import type { Clock } from './clock.js';
import type { LatencyModel } from './latency.js';
import type { Random } from './random.js';
import type { TemplateDefinition } from './templates.js';

export interface WebhookOptions {
  /** Where status and inbound webhooks are POSTed; none → statuses are not sent. */
  url?: string;
  /** App secret for X-Hub-Signature-256 (HMAC-SHA256 of the raw body). */
  appSecret: string;
  /** Statuses due within this window are batched into one POST per phone number. */
  batchWindowMs: number;
  /** At most this many statuses per POST. */
  maxBatch: number;
  /** Retry backoff: base × 2^(attempt−1), capped, ±20 % jitter (Meta: 7 days, compressed here). */
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  /** A receiver that has not answered within this is a failed attempt. */
  timeoutMs: number;
  /** Webhook POSTs in flight at most. */
  concurrency: number;
}

/** How the status pipeline behaves for each accepted message (runtime-changeable). */
export interface StatusBehaviour {
  /** Mean delays (each drawn uniformly in ±50 %) from acceptance to sent, sent → delivered, delivered → read. */
  sentDelayMs: number;
  deliveredDelayMs: number;
  readDelayMs: number;
  /** Share of delivered messages that are also read. */
  readShare: number;
  /** Share of accepted messages that fail asynchronously, with a code drawn from failCodes. */
  failShare: number;
  failCodes: number[];
  /** Share of read messages whose `delivered` is skipped (delivered and read together, §4.3). */
  skipDeliveredShare: number;
  /** Share of statuses sent twice. */
  duplicateShare: number;
  /** Share of messages whose statuses arrive out of order (delivered before sent). */
  reorderShare: number;
}

/** Faults switchable at runtime over /_sim/faults. */
export interface FaultProfile {
  /** Share of sends answered with a 5xx, code drawn from serverErrorCodes (131000 → 500, 131016 → 503). */
  serverErrorRate: number;
  serverErrorCodes: number[];
  /** Share of sends held and never answered. */
  timeoutRate: number;
  /** Of those, the share whose message was nevertheless accepted (outcome unknown to the client). */
  timeoutAcceptedShare: number;
  /** Until this epoch-ms instant, `throttleStormRate` of sends get 130429 regardless of the bucket. */
  throttleStormUntil: number;
  throttleStormRate: number;
  /** Until this epoch-ms instant every send gets 131057 (maintenance, e.g. a throughput upgrade). */
  maintenanceUntil: number;
  /** Every request gets 190 (token expired). */
  tokenExpired: boolean;
  /** Share of requests answered with app-level code 4 (HTTP 429). */
  appRateLimitRate: number;
  /**
   * Deterministic faults for named recipients (key: the wa_id, digits only), checked after the
   * limiters: `code` answers that Graph error, `timeout` holds the request (`accepted`: Meta took the
   * message anyway, `dropped`: it did not). `times` (default: always) counts down per matching send;
   * at 0 the rule is removed, so a later send to that recipient goes through.
   */
  recipientFaults: Record<string, RecipientFault>;
}

export interface RecipientFault {
  code?: number;
  timeout?: 'accepted' | 'dropped';
  times?: number;
}

export function copyRecipientFaults(rules: Record<string, RecipientFault> | undefined): Record<string, RecipientFault> {
  return Object.fromEntries(Object.entries(rules ?? {}).map(([waId, rule]) => [waId, { ...rule }]));
}

/** Validates a `recipientFaults` map from the control API; keys become digits only (wa_id form). */
export function parseRecipientFaults(value: unknown): Record<string, RecipientFault> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('recipientFaults must be an object keyed by phone number');
  const rules: Record<string, RecipientFault> = {};
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const waId = key.replace(/\D/g, '');
    if (waId.length < 6) throw new Error(`recipientFaults: "${key}" is not a phone number`);
    if (typeof raw !== 'object' || raw === null) throw new Error(`recipientFaults.${key} must be an object`);
    const { code, timeout, times, ...unknown } = raw as Record<string, unknown>;
    if (Object.keys(unknown).length > 0) throw new Error(`recipientFaults.${key}: unknown field(s) ${Object.keys(unknown).join(', ')}`);
    if ((code === undefined) === (timeout === undefined)) throw new Error(`recipientFaults.${key}: give exactly one of code, timeout`);
    if (code !== undefined && !(Number.isInteger(code) && (code as number) > 0)) throw new Error(`recipientFaults.${key}.code must be a Graph error code`);
    if (timeout !== undefined && timeout !== 'accepted' && timeout !== 'dropped') throw new Error(`recipientFaults.${key}.timeout must be "accepted" or "dropped"`);
    if (times !== undefined && !(Number.isInteger(times) && (times as number) > 0)) throw new Error(`recipientFaults.${key}.times must be a positive integer`);
    rules[waId] = {
      ...(code !== undefined ? { code: code as number } : {}),
      ...(timeout !== undefined ? { timeout: timeout } : {}),
      ...(times !== undefined ? { times: times as number } : {}),
    };
  }
  return rules;
}

export interface LimitsOptions {
  /** Default per-number throughput (messages per second): 80, 1000 after upgrade, 20 for coexistence. */
  mps: number;
  /** Bucket capacity; defaults to one second of throughput. */
  burst?: number;
  /** Per-number overrides of mps. */
  numbers: Record<string, number>;
  /** Pair limit: one message per intervalMs on average, burst allowance pairBurst. */
  pairIntervalMs: number;
  pairBurst: number;
  /** Unique recipients per moving 24 h (Infinity = Unlimited tier). */
  portfolioLimit: number;
}

export interface SimulatorOptions {
  port: number;
  host: string;
  /** Bearer tokens accepted. */
  accessTokens: string[];
  wabaId: string;
  /** display_phone_number reported in webhook metadata. */
  displayPhoneNumber: string;
  limits: LimitsOptions;
  latency: LatencyModel;
  templates: TemplateDefinition[];
  webhook: WebhookOptions;
  statuses: StatusBehaviour;
  faults: FaultProfile;
  /** Full message records kept in the ledger (counts are always kept). */
  maxStoredMessages: number;
  /** Collect Node process metrics too (CLI: yes; in-process tests: no). */
  processMetrics: boolean;
  clock: Clock;
  random: Random;
}

export const DEFAULT_ACCESS_TOKEN = 'dev-token';
export const DEFAULT_APP_SECRET = 'dev-app-secret';
export const DEFAULT_WABA_ID = '102290129340398';
export const DEFAULT_PHONE_NUMBER_ID = '106540352242922';

export function defaultStatuses(): StatusBehaviour {
  return {
    sentDelayMs: 100,
    deliveredDelayMs: 300,
    readDelayMs: 1000,
    readShare: 0.5,
    failShare: 0,
    failCodes: [131026, 131049, 131050, 131000],
    skipDeliveredShare: 0,
    duplicateShare: 0,
    reorderShare: 0,
  };
}

export function defaultFaults(): FaultProfile {
  return {
    serverErrorRate: 0,
    serverErrorCodes: [131000, 131016],
    timeoutRate: 0,
    timeoutAcceptedShare: 0.5,
    throttleStormUntil: 0,
    throttleStormRate: 1,
    maintenanceUntil: 0,
    tokenExpired: false,
    appRateLimitRate: 0,
    recipientFaults: {},
  };
}

export function defaultWebhook(): WebhookOptions {
  return {
    appSecret: DEFAULT_APP_SECRET,
    batchWindowMs: 20,
    maxBatch: 50,
    retryBaseMs: 500,
    retryMaxMs: 30_000,
    maxAttempts: 10,
    timeoutMs: 5_000,
    concurrency: 32,
  };
}

/**
 * Named fault profiles for the CLI and `PUT /_sim/faults/profile/{name}`; durations start when the
 * profile is applied. Each returns the faults and optional status-behaviour changes.
 */
export function faultProfile(name: string, now: number): { faults: Partial<FaultProfile>; statuses?: Partial<StatusBehaviour> } {
  switch (name) {
    case 'none':
      return { faults: defaultFaults(), statuses: defaultStatuses() };
    case 'flaky':
      return { faults: { serverErrorRate: 0.02, timeoutRate: 0.005 } };
    case 'storm':
      return { faults: { throttleStormUntil: now + 30_000, throttleStormRate: 0.5 } };
    case 'maintenance':
      return { faults: { maintenanceUntil: now + 60_000 } };
    case 'token-expired':
      return { faults: { tokenExpired: true } };
    case 'chaos':
      return {
        faults: { serverErrorRate: 0.02, timeoutRate: 0.005 },
        statuses: { failShare: 0.05, duplicateShare: 0.05, reorderShare: 0.05, skipDeliveredShare: 0.2 },
      };
    default:
      throw new Error(`unknown fault profile "${name}" (none, flaky, storm, maintenance, token-expired, chaos)`);
  }
}
