import { request } from 'undici';
import type { Simulator } from '../src/simulator.js';

export const PHONE = '106540352242922';
export const TOKEN = 'dev-token';

export interface Reply {
  status: number;
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Record<string, string | string[] | undefined>;
}

export async function send(sim: Simulator, body: unknown, opts: { token?: string | null; phone?: string; raw?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? TOKEN}`;
  const res = await request(`${sim.url}/v23.0/${opts.phone ?? PHONE}/messages`, {
    method: 'POST',
    headers,
    body: opts.raw ?? JSON.stringify(body),
  });
  return { status: res.statusCode, body: (await res.body.json()) as Reply['body'], headers: res.headers };
}

export async function get(sim: Simulator, path: string, token: string | null = TOKEN): Promise<Reply> {
  const res = await request(`${sim.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.statusCode, body: (await res.body.json()) as Reply['body'], headers: res.headers };
}

export function orderUpdate(to: string, name = 'Ann', order = 'A-1', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'template',
    template: {
      name: 'order_update',
      language: { code: 'en_US' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: name }, { type: 'text', text: order }] }],
    },
    ...extra,
  };
}

export function template(name: string, components: unknown[] = [], language = 'en_US'): Record<string, unknown> {
  return { messaging_product: 'whatsapp', to: '+16505551234', type: 'template', template: { name, language: { code: language }, components } };
}

/** Polls `probe` until it returns something other than undefined, or fails after the deadline. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined,
  { timeoutMs = 10_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
