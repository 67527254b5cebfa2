// `broadcast suppressions list|add PHONE|remove PHONE|export`: the tenant's suppression (opt-out)
// list over the public API (`/v1/suppressions`). Recipients on it are skipped as `opted-out`.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ApiError } from './client.ts';

export interface Suppression {
  phone: string;
  reason: string;
  detail?: string;
  optedOutAt?: string;
  createdAt?: string;
}

export const SUPPRESSIONS_USAGE = `  suppressions list                  the suppression list (opt-outs), one number per line
  suppressions add PHONE [--reason TEXT]   never message PHONE (international format)
  suppressions remove PHONE          message PHONE again
  suppressions export > list.csv     the whole list as CSV
`;

export class SuppressionsApi {
  readonly #apiKey: string;
  readonly baseUrl: string;

  constructor(baseUrl: string, apiKey: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#apiKey = apiKey;
  }

  private async fetch(method: string, path: string, body?: unknown): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      const cause =
        error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
      throw new ApiError(
        0,
        'unreachable',
        `cannot reach ${this.baseUrl} (${cause?.code ?? String(error)})`,
      );
    }
    if (!response.ok) {
      const text = await response.text();
      let code: string | undefined;
      let message = `HTTP ${response.status}${text ? `: ${text.slice(0, 300)}` : ''}`;
      try {
        const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
        if (parsed.error?.message) {
          code = parsed.error.code;
          message = parsed.error.message;
        }
      } catch {
        // not JSON
      }
      throw new ApiError(response.status, code, message);
    }
    return response;
  }

  /** Every entry, page after page (one page in memory at a time). */
  async *all(): AsyncGenerator<Suppression> {
    let after: string | undefined;
    for (;;) {
      const query = new URLSearchParams({ limit: '1000', ...(after ? { after } : {}) });
      const response = await this.fetch('GET', `/v1/suppressions?${query.toString()}`);
      const page = (await response.json()) as { items: Suppression[]; nextCursor?: string };
      yield* page.items;
      if (!page.nextCursor || page.items.length === 0) return;
      after = page.nextCursor;
    }
  }

  async add(
    phone: string,
    detail?: string,
  ): Promise<{ created: boolean; suppression: Suppression }> {
    const response = await this.fetch(
      'PUT',
      `/v1/suppressions/${encodeURIComponent(phone)}`,
      detail === undefined ? {} : { detail },
    );
    return {
      created: response.status === 201,
      suppression: (await response.json()) as Suppression,
    };
  }

  async remove(phone: string): Promise<void> {
    const response = await this.fetch('DELETE', `/v1/suppressions/${encodeURIComponent(phone)}`);
    await response.body?.cancel();
  }

  async export(): Promise<Readable> {
    const response = await this.fetch('GET', '/v1/suppressions.csv');
    if (!response.body) throw new ApiError(response.status, undefined, 'empty answer');
    return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  }
}

/** Runs one `suppressions` sub-command; throws a usage message (string) for bad arguments. */
export async function suppressionsCommand(
  api: SuppressionsApi,
  args: readonly string[],
  options: { reason?: string },
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  const [action, phone, ...extra] = args;
  const say = (line: string) => io.stderr.write(`${line}\n`);
  if (extra.length > 0)
    throw new SuppressionsUsageError(`unexpected arguments: ${extra.join(' ')}`);
  switch (action ?? '') {
    case 'list': {
      let n = 0;
      for await (const entry of api.all()) {
        io.stdout.write(
          `${entry.phone}\t${entry.reason}${entry.detail ? `\t${entry.detail}` : ''}\n`,
        );
        n += 1;
      }
      say(`${n} number${n === 1 ? '' : 's'} on the suppression list`);
      return 0;
    }
    case 'add': {
      if (!phone) throw new SuppressionsUsageError('suppressions add needs a PHONE');
      const { created, suppression } = await api.add(phone, options.reason);
      io.stdout.write(`${suppression.phone}\n`);
      say(
        created
          ? `${suppression.phone} added to the suppression list`
          : `${suppression.phone} was already on the list (${suppression.reason})`,
      );
      return 0;
    }
    case 'remove': {
      if (!phone) throw new SuppressionsUsageError('suppressions remove needs a PHONE');
      await api.remove(phone);
      say(`${phone} removed from the suppression list`);
      return 0;
    }
    case 'export':
      if (phone) throw new SuppressionsUsageError(`unexpected argument: ${phone}`);
      await pipeline(await api.export(), io.stdout, { end: false });
      return 0;
    default:
      throw new SuppressionsUsageError(
        `suppressions needs list, add PHONE, remove PHONE or export${action ? ` (not "${action}")` : ''}`,
      );
  }
}

export class SuppressionsUsageError extends Error {}
