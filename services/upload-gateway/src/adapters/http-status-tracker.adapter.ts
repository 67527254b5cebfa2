/**
 * HttpStatusTracker: status-tracker's internal HTTP API over fetch. Every request carries
 * `x-tenant-id`; status-tracker answers 404 for another tenant's broadcast, and so do we.
 * The report is returned as a stream straight from the response body (never buffered): the
 * timeout covers waiting for the response headers only, not reading a long report.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { invalidRequest, upstreamFailed, upstreamUnavailable } from '../domain/errors.js';
import {
  StatusTracker,
  type BroadcastRegistration,
  type BroadcastStatus,
  type ClaimedSchedule,
  type PageQuery,
  type ScheduleChange,
  type ScheduleView,
  type RecipientsQuery,
  type ReportStream,
} from '../ports/status-tracker.port.js';

export interface HttpStatusTrackerOptions {
  baseUrl: string;
  timeoutMs: number;
  /** INTERNAL_API_TOKEN: status-tracker refuses any /internal request without it (never logged). */
  token: string;
}

export class HttpStatusTracker extends StatusTracker {
  private readonly base: string;

  constructor(private readonly options: HttpStatusTrackerOptions) {
    super();
    this.base = options.baseUrl.replace(/\/+$/, '');
  }

  async register(broadcastId: string, registration: BroadcastRegistration): Promise<void> {
    const response = await this.call(
      'PUT',
      `/internal/broadcasts/${encodeURIComponent(broadcastId)}`,
      registration.tenantId,
      {
        body: JSON.stringify(registration),
      },
    );
    if (!response.ok) {
      throw await this.failure(
        response,
        `status-tracker refused to register broadcast ${broadcastId}`,
      );
    }
    await response.body?.cancel();
  }

  async get(tenantId: string, broadcastId: string): Promise<BroadcastStatus | undefined> {
    return (await this.getJson(
      `/internal/broadcasts/${encodeURIComponent(broadcastId)}`,
      tenantId,
    )) as BroadcastStatus | undefined;
  }

  async list(tenantId: string, query: PageQuery): Promise<unknown> {
    return this.getJson(`/internal/broadcasts${queryString(query)}`, tenantId);
  }

  async recipients(
    tenantId: string,
    broadcastId: string,
    query: RecipientsQuery,
  ): Promise<unknown> {
    return this.getJson(
      `/internal/broadcasts/${encodeURIComponent(broadcastId)}/recipients${queryString(query)}`,
      tenantId,
    );
  }

  async report(tenantId: string, broadcastId: string): Promise<ReportStream | undefined> {
    const response = await this.call(
      'GET',
      `/internal/broadcasts/${encodeURIComponent(broadcastId)}/report.csv`,
      tenantId,
      {
        headersOnlyTimeout: true,
      },
    );
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok || !response.body) {
      throw await this.failure(
        response,
        `status-tracker could not produce the report of broadcast ${broadcastId}`,
      );
    }
    const disposition = response.headers.get('content-disposition');
    return {
      body: Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      contentType: response.headers.get('content-type') ?? 'text/csv; charset=utf-8',
      ...(disposition ? { contentDisposition: disposition } : {}),
    };
  }

  async schedule(tenantId: string, broadcastId: string, startAt: Date): Promise<ScheduleChange> {
    const response = await this.call(
      'PUT',
      `/internal/broadcasts/${encodeURIComponent(broadcastId)}/schedule`,
      tenantId,
      { body: JSON.stringify({ startAt: startAt.toISOString() }) },
    );
    return this.scheduleChange(response, `schedule broadcast ${broadcastId}`);
  }

  async unschedule(tenantId: string, broadcastId: string, final: boolean): Promise<ScheduleChange> {
    const response = await this.call(
      'DELETE',
      `/internal/broadcasts/${encodeURIComponent(broadcastId)}/schedule${final ? '?final=true' : ''}`,
      tenantId,
    );
    return this.scheduleChange(response, `unschedule broadcast ${broadcastId}`);
  }

  async claimSchedules(
    claimToken: string,
    limit: number,
    leaseSeconds: number,
  ): Promise<ClaimedSchedule[]> {
    const response = await this.call('POST', '/internal/schedules/claim', undefined, {
      body: JSON.stringify({ claimToken, limit, leaseSeconds }),
    });
    if (!response.ok) throw await this.failure(response, 'status-tracker refused the claim');
    return ((await response.json()) as { items: ClaimedSchedule[] }).items;
  }

  async finishSchedule(
    claim: ClaimedSchedule,
    outcome:
      { status: 'started' } | { status: 'failed'; failureCode: string; failureMessage: string },
  ): Promise<boolean> {
    const response = await this.call('POST', '/internal/schedules/finish', undefined, {
      body: JSON.stringify({
        tenantId: claim.tenantId,
        broadcastId: claim.broadcastId,
        claimToken: claim.claimToken,
        ...outcome,
      }),
    });
    if (!response.ok) throw await this.failure(response, 'status-tracker refused to end the claim');
    return ((await response.json()) as { finished: boolean }).finished;
  }

  private async scheduleChange(response: Response, what: string): Promise<ScheduleChange> {
    if (response.ok) return { kind: 'ok', schedule: (await response.json()) as ScheduleView };
    if (response.status === 404) {
      await response.body?.cancel();
      return { kind: 'not-found' };
    }
    if (response.status === 409) {
      const body = (await response.json().catch(() => ({}))) as {
        code?: string;
        message?: string;
        state?: string;
      };
      const code =
        body.code === 'not-draft' || body.code === 'starting' ? body.code : 'not-scheduled';
      return {
        kind: 'conflict',
        code,
        message: body.message ?? `status-tracker refused to ${what}`,
        ...(body.state ? { state: body.state } : {}),
      };
    }
    throw await this.failure(response, `status-tracker refused to ${what}`);
  }

  private async getJson(path: string, tenantId: string): Promise<unknown> {
    const response = await this.call('GET', path, tenantId);
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (response.status === 400) {
      const message = await errorMessage(response);
      throw invalidRequest(message ?? 'status-tracker refused the query');
    }
    if (!response.ok)
      throw await this.failure(
        response,
        `status-tracker failed to answer GET ${path.split('?')[0]}`,
      );
    try {
      return await response.json();
    } catch {
      throw upstreamFailed(
        'status-tracker',
        `status-tracker answered GET ${path.split('?')[0]} with something other than JSON`,
      );
    }
  }

  private async call(
    method: 'GET' | 'PUT' | 'POST' | 'DELETE',
    path: string,
    tenantId: string | undefined,
    { body, headersOnlyTimeout = false }: { body?: string; headersOnlyTimeout?: boolean } = {},
  ): Promise<Response> {
    const controller = new AbortController();
    // The timeout covers the whole exchange of small JSON calls (the timer is left armed while the
    // caller reads the body: aborting a finished fetch is harmless), but only the headers of the
    // streamed report.
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
          ...(tenantId === undefined ? {} : { 'x-tenant-id': tenantId }),
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body }),
        signal: controller.signal,
      });
    } catch (error) {
      throw upstreamUnavailable(
        'status-tracker',
        `status-tracker at ${this.base} could not be reached (${describe(error, controller)})`,
      );
    } finally {
      if (headersOnlyTimeout) clearTimeout(timer);
    }
  }

  private async failure(response: Response, what: string) {
    const message = await errorMessage(response);
    return upstreamFailed(
      'status-tracker',
      `${what} (HTTP ${response.status}${message ? `: ${message}` : ''})`,
      {
        status: response.status,
      },
    );
  }
}

function queryString(query: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function errorMessage(response: Response): Promise<string | undefined> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof body.error === 'object' && typeof body.error?.message === 'string')
      return body.error.message;
    if (typeof body.message === 'string') return body.message;
    // Nest's BadRequestException with several issues: `message` is a list.
    if (Array.isArray(body.message)) return body.message.map(String).join('; ');
    if (typeof body.error === 'string') return body.error;
  } catch {
    // not JSON
  }
  return text ? text.slice(0, 200) : undefined;
}

function describe(error: unknown, controller: AbortController): string {
  if (controller.signal.aborted) return 'timed out';
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  return cause?.code ?? (error instanceof Error ? error.message : String(error));
}
