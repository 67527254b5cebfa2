// The public HTTP API (upload-gateway) as the CLI uses it: nothing else. The API key goes only into
// the Authorization header; it is never printed, and error messages quote the server's answer only.
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { readServerSentEvents, type ServerSentEvent } from './sse.ts';

export type BroadcastState =
  | 'created'
  | 'scheduled'
  | 'splitting'
  | 'sending'
  | 'paused'
  | 'completed'
  | 'failed'
  | 'cancelled';

export interface BroadcastStatus {
  id: string;
  name?: string;
  state: BroadcastState;
  failureReason?: string;
  complete: boolean;
  totalRows?: number;
  recipients?: number;
  counts: Record<
    'pending' | 'accepted' | 'sent' | 'delivered' | 'read' | 'failed' | 'skipped' | 'unknown',
    number
  > &
    Record<string, number>;
  skippedByReason: Record<string, number>;
  failedByReason: Record<string, { count: number; title?: string }>;
  ratePerSecond: number;
  etaSeconds?: number;
  startedAt?: string;
  completedAt?: string;
  /** While `scheduled`: when it starts. */
  startAt?: string;
}

export interface TemplateParameter {
  position?: number;
  name?: string;
}

export interface Template {
  name: string;
  language: string;
  parameterFormat: 'positional' | 'named';
  body?: string;
  parameters: { body: TemplateParameter[]; [part: string]: unknown };
}

export interface CreateBroadcastRequest {
  name?: string;
  template: { name: string; language: string };
  phoneNumberId: string;
  mapping: {
    phoneColumn: string;
    body: ({ position: number; column: string } | { name: string; column: string })[];
  };
  defaultCountry?: string;
}

export interface CreatedBroadcast {
  id: string;
  upload: { method: string; url: string; headers?: Record<string, string> };
}

export interface DryRunReport {
  id: string;
  outcome: 'ok' | 'failed';
  failure?: { reason: string; message: string; column?: string };
  totalRows: number;
  recipients: number;
  skipped: number;
  skippedByReason: Record<string, number>;
  duplicates: number;
  invalidRows: {
    rowNumber: number;
    phone?: string;
    reason: string;
    message: string;
    column?: string;
  }[];
  invalidRowsTruncated: boolean;
  /** Recipients on the tenant's suppression list (also in skipped as `opted-out`). */
  suppressed?: number;
  suppressedRows?: { rowNumber: number; e164: string; reason: string; suppression: string }[];
  suppressedRowsTruncated?: boolean;
  samples: { rowNumber: number; to: string; text: string }[];
  estimate: { messagesPerSecond: number; seconds: number };
}

export interface Recipient {
  rowNumber: number;
  phone: string;
  e164?: string;
  state: string;
  errorCode?: string | number;
  errorReason?: string;
}

/** An error answered by the API, with its stable code when it has one. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  constructor(status: number, code: string | undefined, message: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.name = 'ApiError';
  }
}

export class BroadcastApi {
  readonly baseUrl: string;
  readonly #apiKey: string;

  constructor(baseUrl: string, apiKey: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#apiKey = apiKey;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.#apiKey}`, ...extra };
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw unreachable(this.baseUrl, error);
    }
    const text = await response.text();
    if (!response.ok) throw apiError(response.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async templates(): Promise<Template[]> {
    return (await this.call<{ data: Template[] }>('GET', '/v1/templates')).data;
  }

  createBroadcast(request: CreateBroadcastRequest): Promise<CreatedBroadcast> {
    return this.call('POST', '/v1/broadcasts', request);
  }

  /** Streams the file straight to the object store through the pre-signed URL (never read whole). */
  async uploadPresigned(
    upload: CreatedBroadcast['upload'],
    file: string,
    onProgress?: (sentBytes: number, totalBytes: number) => void,
  ): Promise<void> {
    const size = statSync(file).size;
    let sent = 0;
    const source = createReadStream(file);
    source.on('data', (chunk: Buffer | string) => {
      sent += chunk.length;
      onProgress?.(sent, size);
    });
    let response: Response;
    try {
      response = await fetch(upload.url, {
        method: 'PUT',
        headers: { ...upload.headers, 'content-length': String(size) },
        body: Readable.toWeb(source) as ReadableStream,
        duplex: 'half',
      });
    } catch (error) {
      throw unreachable(new URL(upload.url).origin, error);
    }
    if (!response.ok) {
      throw new ApiError(
        response.status,
        undefined,
        `the object store refused the upload (HTTP ${response.status})`,
      );
    }
    await response.body?.cancel();
  }

  dryRun(id: string, mps?: number): Promise<DryRunReport> {
    return this.call(
      'POST',
      `/v1/broadcasts/${encodeURIComponent(id)}/dry-run${mps === undefined ? '' : `?mps=${mps}`}`,
    );
  }

  testSend(
    id: string,
    phone: string,
  ): Promise<{ to: string; messageId: string; fromRow: number; text: string }> {
    return this.call('POST', `/v1/broadcasts/${encodeURIComponent(id)}/test-send`, { phone });
  }

  /** `startAt` (RFC 3339 with offset): schedule the start instead of starting now. */
  start(
    id: string,
    startAt?: string,
  ): Promise<{ id: string; state: BroadcastState; startAt?: string }> {
    return this.call(
      'POST',
      `/v1/broadcasts/${encodeURIComponent(id)}/start`,
      startAt === undefined ? undefined : { startAt },
    );
  }

  status(id: string): Promise<BroadcastStatus> {
    return this.call('GET', `/v1/broadcasts/${encodeURIComponent(id)}`);
  }

  /** POST /v1/broadcasts/{id}/resend: the next wave of the broadcast for its resendable failures. */
  resend(
    id: string,
    body: { states?: string[]; errorCodes?: number[] } = {},
  ): Promise<{ id: string; parentBroadcastId: string; wave: number; selected: number }> {
    return this.call('POST', `/v1/broadcasts/${encodeURIComponent(id)}/resend`, body);
  }

  control(
    id: string,
    action: 'pause' | 'resume' | 'cancel',
    reason?: string,
  ): Promise<{ id: string; action: string; eventId: string; state: BroadcastState }> {
    return this.call(
      'POST',
      `/v1/broadcasts/${encodeURIComponent(id)}/${action}`,
      reason === undefined ? {} : { reason },
    );
  }

  recipients(
    id: string,
    query: { state?: string; limit?: number; after?: string },
  ): Promise<{ items: Recipient[]; nextCursor?: string | number }> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query))
      if (value !== undefined) params.set(key, String(value));
    return this.call(
      'GET',
      `/v1/broadcasts/${encodeURIComponent(id)}/recipients?${params.toString()}`,
    );
  }

  /** Every recipient in a state, page after page (bounded memory: one page at a time). */
  async *allRecipients(id: string, state: string): AsyncGenerator<Recipient> {
    let after: string | undefined;
    for (;;) {
      const page = await this.recipients(id, {
        state,
        limit: 1000,
        ...(after === undefined ? {} : { after }),
      });
      yield* page.items;
      if (page.nextCursor === undefined || page.nextCursor === null || page.items.length === 0)
        return;
      after = String(page.nextCursor);
    }
  }

  /** The report CSV as a stream, as the server produces it. */
  async report(id: string): Promise<Readable> {
    const response = await this.raw(`/v1/broadcasts/${encodeURIComponent(id)}/report.csv`);
    return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  }

  /** Live progress: the SSE stream of `GET /v1/broadcasts/{id}/events`. */
  async *events(id: string, signal?: AbortSignal): AsyncGenerator<ServerSentEvent> {
    const response = await this.raw(
      `/v1/broadcasts/${encodeURIComponent(id)}/events`,
      { accept: 'text/event-stream' },
      signal,
    );
    yield* readServerSentEvents(response.body as WebReadableStream<Uint8Array>);
  }

  private async raw(
    path: string,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        headers: this.headers(headers),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw unreachable(this.baseUrl, error);
    }
    if (!response.ok || !response.body) throw apiError(response.status, await response.text());
    return response;
  }
}

function apiError(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error?.message) return new ApiError(status, body.error.code, body.error.message);
  } catch {
    // not JSON
  }
  return new ApiError(status, undefined, `HTTP ${status}${text ? `: ${text.slice(0, 300)}` : ''}`);
}

function unreachable(url: string, error: unknown): ApiError {
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  return new ApiError(
    0,
    'unreachable',
    `cannot reach ${url} (${cause?.code ?? (error instanceof Error ? error.message : String(error))})`,
  );
}
