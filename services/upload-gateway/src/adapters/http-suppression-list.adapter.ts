/**
 * HttpSuppressionList: status-tracker's `/internal/suppressions` over fetch, `x-tenant-id` on every
 * request. The CSV export is returned as the response stream (the timeout covers its headers only).
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { upstreamFailed, upstreamUnavailable } from '../domain/errors.js';
import {
  SuppressionList,
  type Suppression,
  type SuppressionPage,
} from '../ports/suppression-list.port.js';

export class HttpSuppressionList extends SuppressionList {
  private readonly base: string;

  /** `token`: INTERNAL_API_TOKEN, sent as `authorization: Bearer` (never logged). */
  constructor(private readonly options: { baseUrl: string; timeoutMs: number; token: string }) {
    super();
    this.base = options.baseUrl.replace(/\/+$/, '');
  }

  async list(
    tenantId: string,
    query: { limit?: number; after?: string },
  ): Promise<SuppressionPage> {
    const params = new URLSearchParams();
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.after) params.set('after', query.after);
    const search = params.toString();
    const response = await this.call(
      'GET',
      `/internal/suppressions${search ? `?${search}` : ''}`,
      tenantId,
    );
    if (!response.ok) throw await this.failure(response, 'list the suppressions');
    return (await response.json()) as SuppressionPage;
  }

  async exportCsv(tenantId: string): Promise<Readable> {
    const response = await this.call('GET', '/internal/suppressions?format=csv', tenantId, {
      headersOnlyTimeout: true,
    });
    if (!response.ok || !response.body)
      throw await this.failure(response, 'export the suppressions');
    return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  }

  async add(
    tenantId: string,
    phone: string,
    detail?: string,
  ): Promise<{ created: boolean; suppression: Suppression }> {
    const response = await this.call(
      'PUT',
      `/internal/suppressions/${encodeURIComponent(phone)}`,
      tenantId,
      { body: JSON.stringify(detail === undefined ? {} : { detail }) },
    );
    if (response.status !== 200 && response.status !== 201) {
      throw await this.failure(response, 'add the suppression');
    }
    return {
      created: response.status === 201,
      suppression: (await response.json()) as Suppression,
    };
  }

  async remove(tenantId: string, phone: string): Promise<boolean> {
    const response = await this.call(
      'DELETE',
      `/internal/suppressions/${encodeURIComponent(phone)}`,
      tenantId,
    );
    if (response.status === 404) {
      await response.body?.cancel();
      return false;
    }
    if (!response.ok) throw await this.failure(response, 'remove the suppression');
    await response.body?.cancel();
    return true;
  }

  async check(tenantId: string, phones: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (phones.length === 0) return found;
    const response = await this.call('POST', '/internal/suppressions/check', tenantId, {
      body: JSON.stringify({ phones }),
    });
    if (!response.ok) throw await this.failure(response, 'check the suppression list');
    const body = (await response.json()) as { suppressed?: { phone: string; reason: string }[] };
    for (const entry of body.suppressed ?? []) found.set(entry.phone, entry.reason);
    return found;
  }

  private async call(
    method: 'GET' | 'PUT' | 'DELETE' | 'POST',
    path: string,
    tenantId: string,
    { body, headersOnlyTimeout = false }: { body?: string; headersOnlyTimeout?: boolean } = {},
  ): Promise<Response> {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error('timed out')),
      this.options.timeoutMs,
    );
    timer.unref();
    try {
      return await fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.token}`,
          'x-tenant-id': tenantId,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body }),
        signal: controller.signal,
      });
    } catch (error) {
      throw upstreamUnavailable(
        'status-tracker',
        `status-tracker at ${this.base} could not be reached (${controller.signal.aborted ? 'timed out' : error instanceof Error ? error.message : String(error)})`,
      );
    } finally {
      if (headersOnlyTimeout) clearTimeout(timer);
    }
  }

  private async failure(response: Response, what: string) {
    const text = await response.text().catch(() => '');
    return upstreamFailed(
      'status-tracker',
      `status-tracker could not ${what} (HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''})`,
      { status: response.status },
    );
  }
}
