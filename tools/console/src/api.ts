// The public HTTP API as the console uses it, with the operator's API key (kept in sessionStorage,
// sent only in the Authorization header to this origin).

export interface Template {
  name: string;
  language: string;
  status: string;
  category?: string;
  parameterFormat: 'positional' | 'named';
  body: string;
  parameters: {
    body: { position?: number; name?: string; example?: string }[];
    header?: unknown;
    buttons?: unknown[];
  };
  unsupported?: string[];
}

export interface Status {
  id: string;
  name?: string;
  state: string;
  complete: boolean;
  totalRows?: number;
  recipients?: number;
  failureReason?: string;
  counts: Record<string, number>;
  skippedByReason: Record<string, number>;
  failedByReason: Record<string, { count: number; title?: string }>;
  ratePerSecond: number;
  etaSeconds?: number;
  /** On a resend wave: its number and the original broadcast. */
  wave?: { number: number; parentBroadcastId: string; selected: number; origin: string };
}

/** `POST /v1/broadcasts/{id}/resend` answer: the new wave, followed like any broadcast. */
export interface ResendWave {
  id: string;
  parentBroadcastId: string;
  wave: number;
  selected: number;
}

export interface DryRun {
  outcome: 'ok' | 'failed';
  failure?: { reason: string; message: string; column?: string };
  totalRows: number;
  recipients: number;
  skipped: number;
  skippedByReason: Record<string, number>;
  duplicates: number;
  invalidRows: { rowNumber: number; phone?: string; reason: string; message: string }[];
  invalidRowsTruncated: boolean;
  /** Valid rows whose number is on the tenant's suppression list (counted in skipped as `opted-out`). */
  suppressed: number;
  /** The first of them; `suppression` is the list's reason (`stop-reply`, `user-preferences`, `api`). */
  suppressedRows: {
    rowNumber: number;
    phone: string;
    e164: string;
    reason: 'opted-out';
    suppression: string;
  }[];
  suppressedRowsTruncated: boolean;
  samples: { rowNumber: number; to: string; text: string }[];
  estimate: { messagesPerSecond: number; seconds: number };
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  constructor(status: number, code: string | undefined, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function failure(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error?.message)
      return new ApiError(response.status, body.error.code, body.error.message);
  } catch {
    // not JSON
  }
  return new ApiError(response.status, undefined, `HTTP ${response.status}`);
}

export class Api {
  readonly #key: string;
  constructor(key: string) {
    this.#key = key;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${this.#key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw await failure(response);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async templates(): Promise<Template[]> {
    return (await this.call<{ data: Template[] }>('GET', '/v1/templates')).data;
  }

  create(request: unknown): Promise<{
    id: string;
    upload: { url: string; headers?: Record<string, string> };
    fileUrl: string;
  }> {
    return this.call('POST', '/v1/broadcasts', request);
  }

  dryRun(id: string): Promise<DryRun> {
    return this.call('POST', `/v1/broadcasts/${id}/dry-run`);
  }

  testSend(id: string, phone: string): Promise<{ to: string; fromRow: number; text: string }> {
    return this.call('POST', `/v1/broadcasts/${id}/test-send`, { phone });
  }

  /** `startAt` (RFC 3339): schedule the start instead of starting now. */
  start(id: string, startAt?: string): Promise<unknown> {
    return this.call(
      'POST',
      `/v1/broadcasts/${id}/start`,
      startAt === undefined ? undefined : { startAt },
    );
  }

  status(id: string): Promise<Status> {
    return this.call('GET', `/v1/broadcasts/${id}`);
  }

  control(id: string, action: 'pause' | 'resume' | 'cancel'): Promise<{ state: string }> {
    return this.call('POST', `/v1/broadcasts/${id}/${action}`, {});
  }

  /** Resend to failed: a new wave of the retryable failures (422 `nothing-to-resend` if none). */
  resend(id: string): Promise<ResendWave> {
    return this.call('POST', `/v1/broadcasts/${id}/resend`, {});
  }

  /**
   * Uploads the file with progress: straight to the object store through the pre-signed URL; if the
   * store refuses the browser (no CORS for this origin), streamed through the gateway instead.
   */
  async upload(
    created: { upload: { url: string; headers?: Record<string, string> }; fileUrl: string },
    file: File,
    onProgress: (share: number) => void,
  ): Promise<'direct' | 'gateway'> {
    try {
      await put(created.upload.url, created.upload.headers ?? {}, file, onProgress);
      return 'direct';
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      await put(
        created.fileUrl,
        { authorization: `Bearer ${this.#key}`, 'content-type': 'text/csv' },
        file,
        onProgress,
      );
      return 'gateway';
    }
  }

  /** The report as a file download (the key cannot go into a plain link). */
  async downloadReport(id: string): Promise<Blob> {
    const response = await fetch(`/v1/broadcasts/${id}/report.csv`, {
      headers: { authorization: `Bearer ${this.#key}` },
    });
    if (!response.ok) throw await failure(response);
    return response.blob();
  }

  /** Live progress over SSE (fetch, so the key travels in a header, not in the URL). */
  async follow(id: string, onStatus: (status: Status) => void, signal: AbortSignal): Promise<void> {
    const response = await fetch(`/v1/broadcasts/${id}/events`, {
      headers: { authorization: `Bearer ${this.#key}`, accept: 'text/event-stream' },
      signal,
    });
    if (!response.ok || !response.body) throw await failure(response);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if ((event === 'progress' || event === 'end') && data.length > 0)
          onStatus(JSON.parse(data.join('\n')) as Status);
        if (event === 'end') return;
      }
    }
  }
}

class NetworkError extends Error {}

function put(
  url: string,
  headers: Record<string, string>,
  file: File,
  onProgress: (share: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else
        reject(new ApiError(xhr.status, undefined, `the upload was refused (HTTP ${xhr.status})`));
    };
    xhr.onerror = () => reject(new NetworkError('the upload could not reach the server'));
    xhr.send(file);
  });
}
