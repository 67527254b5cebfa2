import type { ServerResponse } from 'node:http';
import { GraphError } from './errors.js';
import { parseLatency, type LatencyModel } from './latency.js';
import type { InboundRequest, Simulator } from './simulator.js';
import { loadTemplatesFromJson, type TemplateDefinition } from './templates.js';

/**
 * The control API under /_sim (test and operator use only, no auth: the simulator listens on
 * loopback). Every answer is JSON. See README.md for the list.
 */
export async function handleControl(
  sim: Simulator,
  method: string,
  path: string,
  query: URLSearchParams,
  rawBody: Buffer,
  res: ServerResponse,
): Promise<void> {
  try {
    if (path === '/metrics' && method === 'GET') {
      const text = await sim.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': sim.metrics.registry.contentType });
      res.end(text);
      return;
    }
    const body = rawBody.length > 0 ? (JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>) : {};
    const result = route(sim, method, path, query, body);
    if (result === undefined) {
      json(res, 404, { error: `no control route ${method} ${path}` });
      return;
    }
    json(res, 200, result);
  } catch (error) {
    const message = error instanceof GraphError ? (error.details ?? error.message) : error instanceof Error ? error.message : String(error);
    json(res, 400, { error: message });
  }
}

function route(sim: Simulator, method: string, path: string, query: URLSearchParams, body: Record<string, unknown>): unknown {
  const int = (name: string, fallback: number): number => {
    const v = Number(query.get(name) ?? fallback);
    return Number.isFinite(v) && v >= 0 ? Math.floor(v) : fallback;
  };
  const key = `${method} ${path}`;
  switch (key) {
    case 'GET /_sim/health':
      return { ok: true };
    case 'GET /_sim/ledger':
      return { ...sim.ledger.summary(), webhooks: sim.webhooks.getStats() };
    case 'GET /_sim/ledger/duplicates':
      return { duplicates: sim.ledger.duplicateRecipients(int('limit', 1000)) };
    case 'GET /_sim/ledger/recipients':
      return { recipients: sim.ledger.recipients(int('offset', 0), int('limit', 1000)) };
    case 'GET /_sim/ledger/messages': {
      const to = query.get('to');
      return { messages: to ? sim.ledger.messagesFor(to) : sim.ledger.listMessages(int('offset', 0), int('limit', 1000)) };
    }
    case 'GET /_sim/ledger/rate':
      return { perSecond: sim.ledger.ratePerSecond() };
    case 'POST /_sim/reset':
      sim.reset();
      return { ok: true };
    case 'GET /_sim/faults':
      return sim.faults;
    case 'PATCH /_sim/faults':
    case 'POST /_sim/faults':
      return sim.setFaults(body);
    case 'GET /_sim/statuses':
      return sim.statuses;
    case 'PATCH /_sim/statuses':
      return sim.setStatuses(body);
    case 'GET /_sim/limits':
      return sim.options.limits;
    case 'PATCH /_sim/limits':
      return sim.setLimits(body);
    case 'GET /_sim/latency':
      return sim.options.latency;
    case 'PUT /_sim/latency': {
      const model = typeof body.spec === 'string' ? parseLatency(body.spec) : (body as unknown as LatencyModel);
      sim.setLatency(model);
      return sim.options.latency;
    }
    case 'GET /_sim/webhooks':
      return { ...sim.webhooks.getStats(), url: sim.options.webhook.url ?? null };
    case 'PATCH /_sim/webhooks':
      sim.webhooks.updateOptions(body);
      return { ...sim.webhooks.getStats(), url: sim.options.webhook.url ?? null };
    case 'GET /_sim/templates':
      return { data: sim.templates.all() };
    case 'PUT /_sim/templates':
      sim.templates.replace(loadTemplatesFromJson(body));
      return { data: sim.templates.all() };
    case 'POST /_sim/inbound':
      return sim.inject(body as unknown as InboundRequest);
  }
  let m = /^\/_sim\/faults\/profile\/([a-z-]+)$/.exec(path);
  if (m && (method === 'PUT' || method === 'POST')) return sim.applyProfile(m[1]!);
  m = /^\/_sim\/ledger\/recipients\/([^/]+)$/.exec(path);
  if (m && method === 'GET') {
    const to = decodeURIComponent(m[1]!);
    return { recipient: to, count: sim.ledger.countFor(to), messages: sim.ledger.messagesFor(to) };
  }
  m = /^\/_sim\/templates\/([^/]+)\/status$/.exec(path);
  if (m && (method === 'PUT' || method === 'POST')) {
    const name = decodeURIComponent(m[1]!);
    const status = typeof body.status === 'string' ? body.status.toUpperCase() : '';
    if (status === 'PAUSED' || status === 'DISABLED') sim.templates.overrides.set(name, status);
    else if (status === 'APPROVED') sim.templates.overrides.delete(name);
    else throw new Error('status must be PAUSED, DISABLED or APPROVED');
    return { name, status };
  }
  return undefined;
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export type { TemplateDefinition };
