/**
 * The WhatsApp Cloud API simulator: a node:http server speaking the Graph API dialect of
 * POST /{version}/{phone-number-id}/messages and GET /{version}/{waba-id}/message_templates, plus a
 * control API under /_sim and Prometheus metrics on /metrics.
 *
 * Performance note: it must never be the benchmark's bottleneck. Each send is decided synchronously
 * on arrival (auth, validation, limiters, faults, ledger) and its answer is delayed by one timer
 * drawn from the latency model, so thousands of held requests cost only their sockets and timers.
 * Rate-limit decisions use the injected clock (arrival time), never the time the answer leaves.
 */
import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from './clock.js';
import { handleControl } from './control.js';
import { ERROR_CATALOG, errorEnvelope, fbtraceId, GraphError, statusError, type ErrorCode } from './errors.js';
import { latencySampler, type LatencyModel } from './latency.js';
import { Ledger, normaliseWaId, type AcceptedMessage } from './ledger.js';
import { SimulatorMetrics } from './metrics.js';
import {
  DEFAULT_ACCESS_TOKEN,
  DEFAULT_WABA_ID,
  defaultFaults,
  defaultStatuses,
  defaultWebhook,
  faultProfile,
  copyRecipientFaults,
  parseRecipientFaults,
  type FaultProfile,
  type LimitsOptions,
  type RecipientFault,
  type SimulatorOptions,
  type StatusBehaviour,
  type WebhookOptions,
} from './options.js';
import { PairLimiter, PortfolioLimiter, TokenBucket } from './rate-limit.js';
import { asObject, checkKeys, show, loadTemplates, TemplateRegistry, type RenderedTemplate } from './templates.js';
import { WebhookSender } from './webhooks.js';

export type StartOptions = Partial<Omit<SimulatorOptions, 'limits' | 'webhook' | 'statuses' | 'faults'>> & {
  limits?: Partial<LimitsOptions>;
  webhook?: Partial<WebhookOptions>;
  statuses?: Partial<StatusBehaviour>;
  faults?: Partial<FaultProfile>;
  /** Path of a templates JSON file (used when `templates` is not given). */
  templatesFile?: string;
};

export type InboundRequest =
  | { kind: 'text'; from: string; text?: string; name?: string; phoneNumberId?: string }
  | { kind: 'button'; from: string; payload: string; text?: string; contextId?: string; name?: string; phoneNumberId?: string }
  | { kind: 'user_preferences'; from: string; value?: 'stop' | 'resume'; name?: string; phoneNumberId?: string };

const SEND_KEYS = [
  'messaging_product',
  'recipient_type',
  'to',
  'type',
  'template',
  'text',
  'context',
  'biz_opaque_callback_data',
  // Other message types: recognised (so they get 131051, not 100) but not simulated.
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'reaction',
] as const;
const MARKETING_KEYS = [...SEND_KEYS, 'product_policy', 'message_activity_sharing'] as const;
const GRAPH_ROUTE = /^\/(v\d+\.\d+)\/([^/]+)(?:\/([a-z_]+))?\/?$/;
const CUSTOMER_WINDOW_MS = 24 * 3600 * 1000;

interface Outcome {
  status: number;
  body: string;
  code: number;
}

export class Simulator {
  readonly ledger: Ledger;
  readonly templates: TemplateRegistry;
  readonly metrics: SimulatorMetrics;
  readonly webhooks: WebhookSender;
  readonly options: SimulatorOptions;
  faults: FaultProfile;
  statuses: StatusBehaviour;

  private server: Server | undefined;
  private sampleLatency: () => number;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly pairs: PairLimiter;
  private readonly portfolio: PortfolioLimiter;
  private readonly optedOut = new Set<string>();
  private readonly lastInbound = new Map<string, number>();
  private readonly held = new Set<ServerResponse>();
  private readonly wamidPrefix = randomBytes(4).toString('hex').toUpperCase();
  private wamidCounter = 0;
  private readonly initial: { faults: FaultProfile; statuses: StatusBehaviour; limits: LimitsOptions; latency: LatencyModel };

  constructor(start: StartOptions = {}) {
    const clock = start.clock ?? systemClock;
    const random = start.random ?? Math.random;
    const templates = start.templates ?? loadTemplates(start.templatesFile);
    this.options = {
      port: start.port ?? 0,
      host: start.host ?? '127.0.0.1',
      accessTokens: start.accessTokens ?? [DEFAULT_ACCESS_TOKEN],
      wabaId: start.wabaId ?? DEFAULT_WABA_ID,
      displayPhoneNumber: start.displayPhoneNumber ?? '15550783881',
      limits: { mps: 80, numbers: {}, pairIntervalMs: 6000, pairBurst: 45, portfolioLimit: Infinity, ...start.limits },
      latency: start.latency ?? { kind: 'none' },
      templates,
      webhook: { ...defaultWebhook(), ...start.webhook },
      statuses: { ...defaultStatuses(), ...start.statuses },
      faults: { ...defaultFaults(), ...start.faults },
      maxStoredMessages: start.maxStoredMessages ?? 1_000_000,
      processMetrics: start.processMetrics ?? false,
      clock,
      random,
    };
    this.initial = {
      faults: { ...this.options.faults, recipientFaults: copyRecipientFaults(this.options.faults.recipientFaults) },
      statuses: { ...this.options.statuses },
      limits: { ...this.options.limits, numbers: { ...this.options.limits.numbers } },
      latency: this.options.latency,
    };
    this.faults = { ...this.options.faults, recipientFaults: copyRecipientFaults(this.options.faults.recipientFaults) };
    this.statuses = { ...this.options.statuses };
    this.ledger = new Ledger(clock, this.options.maxStoredMessages);
    this.templates = new TemplateRegistry(templates);
    this.metrics = new SimulatorMetrics(this.options.processMetrics);
    this.sampleLatency = latencySampler(this.options.latency, random);
    this.pairs = new PairLimiter(this.options.limits.pairIntervalMs, this.options.limits.pairBurst, clock);
    this.portfolio = new PortfolioLimiter(this.options.limits.portfolioLimit, clock);
    this.webhooks = new WebhookSender(
      this.options.webhook,
      (id) => ({ display_phone_number: this.options.displayPhoneNumber, phone_number_id: id }),
      this.options.wabaId,
      this.metrics,
      random,
    );
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  get url(): string {
    return `http://${this.options.host}:${this.port}`;
  }

  async listen(): Promise<void> {
    const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) =>
      this.handle(req, res),
    );
    server.maxHeadersCount = 100;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.options.port, host: this.options.host, backlog: 8192 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    await this.webhooks.close();
    for (const res of this.held) res.destroy();
    this.held.clear();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // ---- runtime control ------------------------------------------------------------------------

  setFaults(patch: Record<string, unknown>): FaultProfile {
    const now = this.options.clock.now();
    const { throttleStorm, maintenance, recipientFaults, ...rest } = patch;
    if (recipientFaults !== undefined) this.faults.recipientFaults = parseRecipientFaults(recipientFaults);
    if (throttleStorm !== undefined) {
      const storm = asObject(throttleStorm, 'throttleStorm');
      this.faults.throttleStormUntil = now + Number(storm.durationMs ?? 30_000);
      if (storm.rate !== undefined) this.faults.throttleStormRate = Number(storm.rate);
    }
    if (maintenance !== undefined) {
      this.faults.maintenanceUntil = now + Number(asObject(maintenance, 'maintenance').durationMs ?? 60_000);
    }
    for (const [key, value] of Object.entries(rest)) {
      if (!(key in this.faults)) throw new Error(`unknown fault "${key}"`);
      (this.faults as unknown as Record<string, unknown>)[key] = value;
    }
    return this.faults;
  }

  applyProfile(name: string): { faults: FaultProfile; statuses: StatusBehaviour } {
    const profile = faultProfile(name, this.options.clock.now());
    if (name === 'none') this.templates.overrides.clear();
    Object.assign(this.faults, profile.faults);
    if (profile.statuses) Object.assign(this.statuses, profile.statuses);
    return { faults: this.faults, statuses: this.statuses };
  }

  setStatuses(patch: Partial<StatusBehaviour>): StatusBehaviour {
    for (const key of Object.keys(patch)) if (!(key in this.statuses)) throw new Error(`unknown status setting "${key}"`);
    Object.assign(this.statuses, patch);
    return this.statuses;
  }

  setLimits(patch: Partial<LimitsOptions>): LimitsOptions {
    const limits = this.options.limits;
    Object.assign(limits, patch);
    for (const [id, bucket] of this.buckets) {
      const mps = limits.numbers[id] ?? limits.mps;
      bucket.reconfigure(mps, limits.burst ?? mps);
    }
    if (patch.pairIntervalMs !== undefined || patch.pairBurst !== undefined) {
      this.pairs.reconfigure(limits.pairIntervalMs, limits.pairBurst);
    }
    if (patch.portfolioLimit !== undefined) this.portfolio.setLimit(limits.portfolioLimit);
    return limits;
  }

  setLatency(model: LatencyModel): void {
    this.sampleLatency = latencySampler(model, this.options.random);
    this.options.latency = model;
  }

  /** Clears the ledger, limiter state, opt-outs and runtime faults back to the startup settings. */
  reset(): void {
    this.ledger.reset();
    this.buckets.clear();
    this.pairs.clear();
    this.portfolio.clear();
    this.optedOut.clear();
    this.lastInbound.clear();
    this.templates.overrides.clear();
    this.webhooks.resetStats();
    this.faults = { ...this.initial.faults, recipientFaults: copyRecipientFaults(this.initial.faults.recipientFaults) };
    this.statuses = { ...this.initial.statuses };
    Object.assign(this.options.limits, this.initial.limits, { numbers: { ...this.initial.limits.numbers } });
    this.pairs.reconfigure(this.options.limits.pairIntervalMs, this.options.limits.pairBurst);
    this.portfolio.setLimit(this.options.limits.portfolioLimit);
    this.setLatency(this.initial.latency);
  }

  /** Injects an inbound event as the user's phone would cause it; delivered as a signed webhook. */
  inject(request: InboundRequest): { id?: string; webhook: boolean } {
    const from = normaliseWaId(request.from);
    if (!from) throw new GraphError(100, 'inbound: "from" must be a phone number');
    const phoneNumberId = request.phoneNumberId ?? this.defaultPhoneNumberId();
    const now = this.options.clock.now();
    const contacts = [{ profile: { name: request.name ?? 'Simulated User' }, wa_id: from }];
    const timestamp = String(Math.floor(now / 1000));
    switch (request.kind) {
      case 'text':
      case 'button': {
        // Inbound messages count against the number's throughput too (reference §3.1).
        this.bucketFor(phoneNumberId).forceTake();
        this.lastInbound.set(from, now);
        const id = this.newWamid(from);
        const message: Record<string, unknown> =
          request.kind === 'text'
            ? { from, id, timestamp, type: 'text', text: { body: request.text ?? 'STOP' } }
            : {
                context: { from: this.options.displayPhoneNumber, id: request.contextId ?? this.lastWamidTo(from) ?? this.newWamid(from) },
                from,
                id,
                timestamp,
                type: 'button',
                button: { payload: request.payload, text: request.text ?? request.payload },
              };
        this.webhooks.sendChange(phoneNumberId, 'messages', { contacts, messages: [message] }, `inbound_${request.kind}`);
        return { id, webhook: this.webhooks.enabled };
      }
      case 'user_preferences': {
        const value = request.value ?? 'stop';
        if (value === 'stop') this.optedOut.add(from);
        else this.optedOut.delete(from);
        this.webhooks.sendChange(phoneNumberId, 'user_preferences', {
          contacts,
          user_preferences: [
            {
              wa_id: from,
              detail: value === 'stop' ? 'User requested to stop marketing messages' : 'User requested to resume marketing messages',
              category: 'marketing_messages',
              value,
              timestamp: Math.floor(now / 1000),
            },
          ],
        });
        return { webhook: this.webhooks.enabled };
      }
    }
  }

  isOptedOut(recipient: string): boolean {
    return this.optedOut.has(normaliseWaId(recipient));
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q === -1 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
    if (path.startsWith('/_sim/') || path === '/metrics') {
      readBody(req, (body) => void handleControl(this, req.method ?? 'GET', path, query, body, res));
      return;
    }
    const m = GRAPH_ROUTE.exec(path);
    if (!m) {
      req.resume();
      this.sendJson(res, 404, JSON.stringify(errorEnvelope(100, `Unknown path components: ${path}`, { title: 'Unknown path components' })), 'v23.0');
      return;
    }
    const version = m[1]!;
    const objectId = m[2]!;
    const edge = m[3];
    if (req.method === 'POST' && (edge === 'messages' || edge === 'marketing_messages')) {
      readBody(req, (body) => this.handleSend(req, res, version, objectId, edge, body));
      return;
    }
    req.resume();
    if (req.method === 'GET' && edge === 'message_templates') {
      this.answerNow(res, version, 'message_templates', () => this.listTemplates(req, version, objectId, edge, query));
      return;
    }
    if (req.method === 'GET' && edge === undefined) {
      this.answerNow(res, version, 'object', () => this.readObject(req, objectId, query));
      return;
    }
    const err = new GraphError(100, `Unsupported ${req.method} request.`, 'Unsupported request - method type');
    this.answerNow(res, version, 'other', () => {
      throw err;
    });
  }

  private answerNow(res: ServerResponse, version: string, route: string, produce: () => unknown): void {
    let outcome: Outcome;
    try {
      outcome = { status: 200, body: JSON.stringify(produce()), code: 0 };
    } catch (error) {
      outcome = this.errorOutcome(error);
    }
    this.metrics.requests.inc({ route, outcome: outcome.code === 0 ? 'ok' : 'error', code: String(outcome.code) });
    this.sendJson(res, outcome.status, outcome.body, version);
  }

  private handleSend(req: IncomingMessage, res: ServerResponse, version: string, phoneNumberId: string, edge: string, body: Buffer): void {
    const arrived = performance.now();
    this.ledger.recordRequest();
    this.metrics.inFlight.inc();
    let outcome: Outcome | 'timeout';
    try {
      outcome = this.decideSend(req, phoneNumberId, edge, body);
    } catch (error) {
      outcome = this.errorOutcome(error);
    }
    if (outcome === 'timeout') {
      // Held forever: the client sees a timeout; the connection is released when it gives up.
      this.ledger.recordTimeout();
      this.metrics.requests.inc({ route: edge, outcome: 'timeout', code: '0' });
      this.held.add(res);
      res.on('close', () => {
        this.held.delete(res);
        this.metrics.inFlight.dec();
      });
      return;
    }
    if (outcome.code !== 0) this.ledger.recordError(outcome.code);
    this.metrics.requests.inc({ route: edge, outcome: outcome.code === 0 ? 'accepted' : 'error', code: String(outcome.code) });
    const delay = this.sampleLatency();
    this.metrics.latency.observe(delay / 1000);
    const final = outcome;
    const answer = (): void => {
      this.metrics.inFlight.dec();
      if (res.destroyed) return;
      // Drawn latency, and the simulator's own lateness beyond it (processing + timer/event-loop lag),
      // so a load generator can tell the simulated latency from the simulator's overhead.
      res.setHeader('x-sim-latency-ms', delay.toFixed(3));
      res.setHeader('x-sim-overhead-ms', (performance.now() - arrived - delay).toFixed(3));
      this.sendJson(res, final.status, final.body, version);
    };
    if (delay <= 0) answer();
    else setTimeout(answer, delay);
  }

  /** The whole decision for one send, in Meta's order of checks as far as it is known. */
  private decideSend(req: IncomingMessage, phoneNumberId: string, edge: string, body: Buffer): Outcome | 'timeout' {
    const faults = this.faults;
    const random = this.options.random;
    const now = this.options.clock.now();
    this.authenticate(req);
    if (now < faults.maintenanceUntil) throw new GraphError(131057);
    if (faults.appRateLimitRate > 0 && random() < faults.appRateLimitRate) throw new GraphError(4);

    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new GraphError(100, 'Invalid JSON in request body', 'Invalid parameter');
    }
    const msg = asObject(parsed, 'request body');
    checkKeys(msg, edge === 'marketing_messages' ? MARKETING_KEYS : SEND_KEYS, 'message');
    if (msg.messaging_product !== 'whatsapp') {
      throw new GraphError(100, 'The parameter messaging_product is required and must be "whatsapp".', 'The parameter messaging_product is required.');
    }
    if (msg.recipient_type !== undefined && msg.recipient_type !== 'individual') {
      throw new GraphError(100, `Invalid parameter recipient_type: ${show(msg.recipient_type)} (the simulator sends to individuals only)`);
    }
    if (typeof msg.to !== 'string') {
      throw new GraphError(100, 'The parameter to is required and must be one phone number as a string (one recipient per request).');
    }
    const to = msg.to;
    const waId = normaliseWaId(to);
    if (waId.length < 6 || waId.length > 15 || /[^\d+\-\s().]/.test(to)) {
      throw new GraphError(100, `Invalid parameter to: "${to}" is not a phone number`);
    }
    if (msg.biz_opaque_callback_data !== undefined && (typeof msg.biz_opaque_callback_data !== 'string' || msg.biz_opaque_callback_data.length > 512)) {
      throw new GraphError(100, 'Invalid parameter biz_opaque_callback_data: a string of at most 512 characters');
    }
    const type = msg.type === undefined ? 'text' : msg.type;
    let template: RenderedTemplate | undefined;
    let text: string | undefined;
    if (type === 'template') {
      if (msg.template === undefined) throw new GraphError(131008, 'Parameter template is required for type template');
      template = this.templates.validate(msg.template);
    } else if (type === 'text') {
      const t = asObject(msg.text, 'text');
      checkKeys(t, ['body', 'preview_url'], 'text');
      if (typeof t.body !== 'string' || t.body === '') throw new GraphError(131008, 'Parameter text.body is required');
      text = t.body;
    } else if (typeof type === 'string' && ['image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'interactive', 'reaction'].includes(type)) {
      throw new GraphError(131051, `Message type ${type} is not supported by the simulator (template and text only)`);
    } else {
      throw new GraphError(100, `Invalid parameter type: ${show(type)}`);
    }

    // Throughput: per-number token bucket, then the pair limit (reference §3.1, §3.2).
    if (now < faults.throttleStormUntil && random() < faults.throttleStormRate) throw new GraphError(130429);
    if (!this.bucketFor(phoneNumberId).tryTake()) throw new GraphError(130429);
    if (!this.pairs.tryTake(phoneNumberId, waId)) throw new GraphError(131056);

    if (faults.serverErrorRate > 0 && random() < faults.serverErrorRate) {
      const codes = faults.serverErrorCodes.length > 0 ? faults.serverErrorCodes : [131000];
      const code = codes[Math.floor(random() * codes.length)]!;
      throw new GraphError((code in ERROR_CATALOG ? code : 131000) as ErrorCode);
    }
    let timeout = false;
    const rule = this.takeRecipientFault(waId);
    if (rule?.code !== undefined) throw new GraphError((rule.code in ERROR_CATALOG ? rule.code : 131000) as ErrorCode);
    if (rule?.timeout === 'dropped') return 'timeout';
    if (rule?.timeout === 'accepted') timeout = true;
    else if (faults.timeoutRate > 0 && random() < faults.timeoutRate) {
      if (random() >= faults.timeoutAcceptedShare) return 'timeout';
      timeout = true;
    }

    const wamid = this.newWamid(waId);
    const message: AcceptedMessage = {
      wamid,
      phoneNumberId,
      to,
      waId,
      type,
      acceptedAt: now,
      ...(template ? { template } : {}),
      ...(text !== undefined ? { text } : {}),
      ...(typeof msg.biz_opaque_callback_data === 'string' ? { bizOpaqueCallbackData: msg.biz_opaque_callback_data } : {}),
    };
    this.ledger.recordAccepted(message);
    this.scheduleStatuses(message, now);
    if (timeout) return 'timeout';
    const response: Record<string, unknown> = {
      messaging_product: 'whatsapp',
      contacts: [{ input: to, wa_id: waId }],
      messages: [{ id: wamid, message_status: 'accepted' }],
    };
    if (edge === 'marketing_messages') response.success = true;
    return { status: 200, body: JSON.stringify(response), code: 0 };
  }

  /** The recipient's fault rule, if any, counting one use of it (removed when its `times` run out). */
  private takeRecipientFault(waId: string): RecipientFault | undefined {
    const rules = this.faults.recipientFaults;
    const rule = rules[waId];
    if (!rule) return undefined;
    if (rule.times !== undefined) {
      if (rule.times <= 1) delete rules[waId];
      else rules[waId] = { ...rule, times: rule.times - 1 };
    }
    return rule;
  }

  /** Decides this message's fate now; emits sent → delivered → read (or failed) via webhooks later. */
  private scheduleStatuses(message: AcceptedMessage, now: number): void {
    const s = this.statuses;
    const random = this.options.random;
    let failCode: number | undefined;
    if (!this.portfolio.admit(message.waId)) failCode = 131049;
    else if (message.template?.category === 'MARKETING' && this.optedOut.has(message.waId)) failCode = 131050;
    else if (message.type === 'text' && !(now - (this.lastInbound.get(message.waId) ?? -Infinity) < CUSTOMER_WINDOW_MS)) failCode = 131047;
    else if (s.failShare > 0 && random() < s.failShare && s.failCodes.length > 0) {
      failCode = s.failCodes[Math.floor(random() * s.failCodes.length)];
    }
    if (failCode !== undefined) this.ledger.recordAsyncFailure(failCode);
    if (!this.webhooks.enabled) return;

    const jitter = (ms: number): number => ms * (0.5 + random());
    const base = {
      id: message.wamid,
      recipient_id: message.waId,
      ...(message.bizOpaqueCallbackData !== undefined ? { biz_opaque_callback_data: message.bizOpaqueCallbackData } : {}),
    };
    const category = (message.template?.category ?? 'SERVICE').toLowerCase();
    const pricing = { billable: category !== 'service', pricing_model: 'PMP', category, type: category === 'service' ? 'free_customer_service' : 'regular' };
    const emit = (status: string, at: number, extra: Record<string, unknown> = {}): void => {
      const send = (): void => {
        const payload = { ...base, status, timestamp: String(Math.floor(this.options.clock.now() / 1000)), ...extra };
        this.webhooks.addStatus(message.phoneNumberId, payload);
      };
      this.webhooks.later(at, send);
      if (s.duplicateShare > 0 && random() < s.duplicateShare) this.webhooks.later(at + jitter(50), send);
    };
    const tSent = jitter(s.sentDelayMs);
    if (failCode !== undefined) {
      emit('failed', tSent, { errors: [statusError(failCode as ErrorCode)] });
      return;
    }
    let tDelivered = tSent + jitter(s.deliveredDelayMs);
    let tFirst = tSent;
    if (s.reorderShare > 0 && random() < s.reorderShare) [tFirst, tDelivered] = [tDelivered, tSent];
    emit('sent', tFirst, { pricing });
    const read = random() < s.readShare;
    const skipDelivered = read && s.skipDeliveredShare > 0 && random() < s.skipDeliveredShare;
    if (!skipDelivered) emit('delivered', tDelivered, { pricing });
    if (read) emit('read', Math.max(tFirst, tDelivered) + jitter(s.readDelayMs));
  }

  private authenticate(req: IncomingMessage): void {
    const header = req.headers.authorization;
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m || !this.options.accessTokens.includes(m[1]!)) {
      throw new GraphError(190, 'Invalid OAuth access token');
    }
    if (this.faults.tokenExpired) {
      throw new GraphError(
        190,
        'Access token has expired',
        `Error validating access token: Session has expired on ${new Date(this.options.clock.now() - 3600_000).toUTCString()}.`,
        463,
      );
    }
  }

  private listTemplates(req: IncomingMessage, version: string, wabaId: string, edge: string, query: URLSearchParams): unknown {
    this.authenticate(req);
    const page = this.templates.page(query);
    const fields = query.get('fields')?.split(',').map((f) => f.trim()).filter(Boolean);
    const data = fields?.length
      ? page.data.map((t) => Object.fromEntries(Object.entries(t).filter(([k]) => k === 'id' || fields.includes(k))))
      : page.data;
    if (!page.paging) return { data };
    const base = `${this.url}/${version}/${wabaId}/${edge}`;
    const keep = new URLSearchParams(query);
    keep.delete('after');
    keep.delete('before');
    const paging: Record<string, unknown> = { cursors: page.paging.cursors };
    if (page.end < this.templates.page(new URLSearchParams({ ...Object.fromEntries(keep), limit: '1000' })).data.length) {
      keep.set('after', page.paging.cursors.after);
      paging.next = `${base}?${keep.toString()}`;
      keep.delete('after');
    }
    if (page.start > 0) {
      keep.set('before', page.paging.cursors.before);
      paging.previous = `${base}?${keep.toString()}`;
    }
    return { data, paging };
  }

  /** GET /{phone-number-id}?fields=throughput (reference §3.1). */
  private readObject(req: IncomingMessage, objectId: string, query: URLSearchParams): unknown {
    this.authenticate(req);
    const mps = this.options.limits.numbers[objectId] ?? this.options.limits.mps;
    const all: Record<string, unknown> = {
      id: objectId,
      display_phone_number: this.options.displayPhoneNumber,
      verified_name: 'Simulated Business',
      quality_rating: 'GREEN',
      throughput: { level: mps >= 1000 ? 'HIGH' : mps <= 20 ? 'COEXISTENCE' : 'STANDARD' },
    };
    const fields = query.get('fields')?.split(',').map((f) => f.trim());
    if (!fields) return { id: objectId, display_phone_number: all.display_phone_number, verified_name: all.verified_name, quality_rating: all.quality_rating };
    return Object.fromEntries(Object.entries(all).filter(([k]) => k === 'id' || fields.includes(k)));
  }

  private errorOutcome(error: unknown): Outcome {
    if (error instanceof GraphError) {
      return {
        status: ERROR_CATALOG[error.code].http,
        code: error.code,
        body: JSON.stringify(
          errorEnvelope(error.code, error.details, {
            ...(error.title !== undefined ? { title: error.title } : {}),
            ...(error.subcode !== undefined ? { subcode: error.subcode } : {}),
          }),
        ),
      };
    }
    return { status: 500, code: 1, body: JSON.stringify({ error: { message: 'An unexpected error has occurred. Please retry your request later.', type: 'OAuthException', code: 1, is_transient: true, fbtrace_id: fbtraceId() } }) };
  }

  private sendJson(res: ServerResponse, status: number, body: string, version: string): void {
    res.writeHead(status, {
      'content-type': 'application/json; charset=UTF-8',
      'content-length': Buffer.byteLength(body),
      'facebook-api-version': version,
      'x-fb-trace-id': fbtraceId(),
      'x-fb-request-id': fbtraceId(),
    });
    res.end(body);
  }

  private bucketFor(phoneNumberId: string): TokenBucket {
    let bucket = this.buckets.get(phoneNumberId);
    if (!bucket) {
      const limits = this.options.limits;
      const mps = limits.numbers[phoneNumberId] ?? limits.mps;
      bucket = new TokenBucket(mps, limits.burst ?? mps, this.options.clock);
      this.buckets.set(phoneNumberId, bucket);
    }
    return bucket;
  }

  private defaultPhoneNumberId(): string {
    return this.buckets.keys().next().value ?? '106540352242922';
  }

  private lastWamidTo(waId: string): string | undefined {
    return this.ledger.messagesFor(waId).at(-1)?.wamid;
  }

  private newWamid(waId: string): string {
    this.wamidCounter++;
    return `wamid.${Buffer.from(`\u0015\u0002${waId}\u0015\u0002\u0000\u0012${this.wamidPrefix}${this.wamidCounter.toString(16).padStart(12, '0').toUpperCase()}\u0000`).toString('base64')}`;
  }
}

function readBody(req: IncomingMessage, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
}

/** Starts a simulator listening on loopback (port 0 = any free port). */
export async function startSimulator(options: StartOptions = {}): Promise<Simulator> {
  const simulator = new Simulator(options);
  await simulator.listen();
  return simulator;
}
