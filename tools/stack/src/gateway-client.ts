// A small client of the public HTTP API (upload-gateway), used by the demo, the end-to-end tests and
// the benchmarks. It speaks only HTTP: what an operator's script could do.
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';

export interface BroadcastStatus {
  id: string;
  state:
    | 'created'
    | 'scheduled'
    | 'splitting'
    | 'sending'
    | 'paused'
    | 'completed'
    | 'failed'
    | 'cancelled';
  /** While `scheduled`: when it starts. */
  startAt?: string;
  failureReason?: string;
  complete: boolean;
  totalRows?: number;
  recipients?: number;
  counts: Record<
    'pending' | 'accepted' | 'sent' | 'delivered' | 'read' | 'failed' | 'skipped' | 'unknown',
    number
  > &
    Partial<Record<'cancelled', number>>;
  skippedByReason: Record<string, number>;
  failedByReason: Record<string, { count: number; title?: string }>;
  ratePerSecond: number;
  etaSeconds?: number;
  startedAt?: string;
  completedAt?: string;
  /** On a resend wave: its number and the original broadcast. */
  wave?: { number: number; parentBroadcastId: string; selected: number; origin: string };
  /** On an original broadcast that was resent: its waves, in order. */
  waves?: { id: string; number: number; state: string; selected: number; origin: string }[];
}

export interface CreateBroadcastRequest {
  name?: string;
  template: { name: string; language: string };
  phoneNumberId: string;
  mapping: Record<string, unknown>;
  defaultCountry?: string;
}

/** The simulator's default business number (tools/wa-simulator's seeded account). */
export const FIXTURE_PHONE_NUMBER_ID = '106540352242922';

/**
 * The broadcast every stack test, the demo and the chaos suite send: the simulator's approved
 * template `order_update` (en_US) with the fixture CSV's `first_name` and `order_id` as its two body
 * parameters (tools/stack/src/csv-fixture.ts writes such files).
 */
export function fixtureBroadcast(
  overrides: Partial<CreateBroadcastRequest> = {},
): CreateBroadcastRequest {
  return {
    template: { name: 'order_update', language: 'en_US' },
    phoneNumberId: FIXTURE_PHONE_NUMBER_ID,
    mapping: {
      phoneColumn: 'phone',
      body: [
        { position: 1, column: 'first_name' },
        { position: 2, column: 'order_id' },
      ],
    },
    defaultCountry: 'IN',
    ...overrides,
  };
}

export class ApiError extends Error {
  readonly status: number;
  readonly body: string;
  constructor(status: number, body: string) {
    super(`HTTP ${status}: ${body.slice(0, 500)}`);
    this.status = status;
    this.body = body;
  }
}

export class GatewayClient {
  readonly baseUrl: string;
  private readonly apiKey: string;
  constructor(baseUrl: string, apiKey: string) {
    this.baseUrl = baseUrl;
    this.apiKey = apiKey;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new ApiError(response.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  createBroadcast(request: CreateBroadcastRequest): Promise<{
    id: string;
    upload: { method: string; url: string; headers?: Record<string, string> };
  }> {
    return this.call('POST', '/v1/broadcasts', request);
  }

  /** Streams a file through the gateway (PUT /v1/broadcasts/{id}/file), never reading it whole. */
  async uploadFile(id: string, file: string): Promise<void> {
    const size = statSync(file).size;
    const response = await fetch(`${this.baseUrl}/v1/broadcasts/${id}/file`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        'content-type': 'text/csv',
        'content-length': String(size),
      },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream,
      duplex: 'half',
    });
    if (!response.ok) throw new ApiError(response.status, await response.text());
  }

  /** Uploads straight to the object store through the pre-signed URL. */
  async uploadPresigned(
    upload: { url: string; headers?: Record<string, string> },
    file: string,
  ): Promise<void> {
    const size = statSync(file).size;
    const response = await fetch(upload.url, {
      method: 'PUT',
      headers: { ...upload.headers, 'content-length': String(size) },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream,
      duplex: 'half',
    });
    if (!response.ok) throw new ApiError(response.status, await response.text());
  }

  /** pause | resume | cancel (publishes broadcast.control; 202). */
  control(
    id: string,
    action: 'pause' | 'resume' | 'cancel',
    reason = 'operator',
  ): Promise<unknown> {
    return this.call('POST', `/v1/broadcasts/${id}/${action}`, { reason });
  }

  /** `startAt` (RFC 3339 with offset): schedules the start instead (202, state `scheduled`). */
  start(id: string, startAt?: string): Promise<unknown> {
    return this.call(
      'POST',
      `/v1/broadcasts/${id}/start`,
      startAt === undefined ? undefined : { startAt },
    );
  }

  /** Resend to failed: the next wave of the broadcast (202 `{id, parentBroadcastId, wave, selected, statusUrl}`). */
  resend(
    id: string,
    body: { states?: string[]; errorCodes?: (number | string)[] } = {},
  ): Promise<{
    id: string;
    parentBroadcastId: string;
    wave: number;
    selected: number;
    statusUrl: string;
  }> {
    return this.call('POST', `/v1/broadcasts/${id}/resend`, body);
  }

  status(id: string): Promise<BroadcastStatus> {
    return this.call('GET', `/v1/broadcasts/${id}`);
  }

  async reportCsv(id: string): Promise<string> {
    const response = await fetch(`${this.baseUrl}/v1/broadcasts/${id}/report.csv`, {
      headers: { authorization: `Bearer ${this.apiKey}` },
    });
    if (!response.ok) throw new ApiError(response.status, await response.text());
    return response.text();
  }

  /** Polls until the broadcast is complete or failed, calling `onProgress` with each status. */
  async follow(
    id: string,
    onProgress: (status: BroadcastStatus) => void,
    { timeoutMs = 30 * 60_000, intervalMs = 500 } = {},
  ): Promise<BroadcastStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.status(id);
      onProgress(status);
      if (
        status.complete ||
        status.state === 'completed' ||
        status.state === 'failed' ||
        status.state === 'cancelled'
      )
        return status;
      if (Date.now() > deadline)
        throw new Error(
          `broadcast ${id} not complete after ${timeoutMs} ms (state ${status.state})`,
        );
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
