import { WaveRows, WaveRowsUnavailableError } from '../ports/wave-rows.port.js';

/** WaveRows over status-tracker's internal API (`GET /internal/broadcasts/{id}/wave-rows`). */
export class HttpWaveRows extends WaveRows {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly timeoutMs: number,
    /** INTERNAL_API_TOKEN, sent as `authorization: Bearer` (never logged). */
    private readonly token: string,
  ) {
    super();
    this.base = baseUrl.replace(/\/+$/, '');
  }

  async page(
    tenantId: string,
    waveId: string,
    afterRowNumber: number,
    limit: number,
  ): Promise<number[]> {
    const url = `${this.base}/internal/broadcasts/${encodeURIComponent(waveId)}/wave-rows?after=${afterRowNumber}&limit=${limit}`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: {
          authorization: `Bearer ${this.token}`,
          'x-tenant-id': tenantId,
          accept: 'application/json',
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new WaveRowsUnavailableError(
        `status-tracker at ${this.base} could not be reached for the rows of wave ${waveId} (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new WaveRowsUnavailableError(
        `status-tracker answered HTTP ${response.status} for the rows of wave ${waveId}`,
      );
    }
    const body = (await response.json()) as { rows?: unknown };
    if (!Array.isArray(body.rows) || !body.rows.every((n) => Number.isInteger(n))) {
      throw new WaveRowsUnavailableError(`status-tracker answered no row list for wave ${waveId}`);
    }
    return body.rows as number[];
  }
}
