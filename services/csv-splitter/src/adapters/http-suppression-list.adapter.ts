import { SuppressionList } from '../ports/suppression-list.port.js';

/** Thrown when status-tracker cannot answer: the chunk is retried, never sent unchecked. */
export class SuppressionListUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuppressionListUnavailableError';
  }
}

/**
 * status-tracker's `POST /internal/suppressions/check` over fetch, with the tenant in `x-tenant-id`.
 * One call per chunk; a failure (unreachable, timeout, non-200) throws, so the compose batch fails and
 * is retried: sending to a number that opted out is worse than sending a little later.
 */
export class HttpSuppressionList extends SuppressionList {
  private readonly base: string;

  /** `token`: INTERNAL_API_TOKEN, sent as `authorization: Bearer` (never logged). */
  constructor(private readonly options: { baseUrl: string; timeoutMs: number; token: string }) {
    super();
    this.base = options.baseUrl.replace(/\/+$/, '');
  }

  async find(tenantId: string, phones: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (phones.length === 0) return found;
    let response: Response;
    try {
      response = await fetch(`${this.base}/internal/suppressions/check`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.options.token}`,
          'x-tenant-id': tenantId,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ phones }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new SuppressionListUnavailableError(
        `status-tracker at ${this.base} could not be asked for the suppression list (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw new SuppressionListUnavailableError(
        `status-tracker answered the suppression check with HTTP ${response.status}: ${text.slice(0, 200)}`,
      );
    }
    const body = (await response.json()) as { suppressed?: { phone: string; reason: string }[] };
    for (const entry of body.suppressed ?? []) found.set(entry.phone, entry.reason);
    return found;
  }
}

/** SUPPRESSION_CHECK=false: nobody is suppressed (tests of the splitter alone; no status-tracker). */
export class NoSuppressionList extends SuppressionList {
  find(): Promise<Map<string, string>> {
    return Promise.resolve(new Map<string, string>());
  }
}
