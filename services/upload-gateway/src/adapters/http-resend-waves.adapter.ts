import type { PayloadOf } from '@wab/contracts';
import { upstreamFailed, upstreamUnavailable } from '../domain/errors.js';
import {
  ResendWaves,
  type CreatedWave,
  type ResendRequest,
  type WaveAnswer,
} from '../ports/resend-waves.port.js';

/** ResendWaves over status-tracker's internal API; `x-tenant-id` scopes it like every other call. */
export class HttpResendWaves extends ResendWaves {
  private readonly base: string;

  /** `token`: INTERNAL_API_TOKEN, sent as `authorization: Bearer` (never logged). */
  constructor(private readonly options: { baseUrl: string; timeoutMs: number; token: string }) {
    super();
    this.base = options.baseUrl.replace(/\/+$/, '');
  }

  async create(tenantId: string, broadcastId: string, request: ResendRequest): Promise<WaveAnswer> {
    let response: Response;
    try {
      response = await fetch(
        `${this.base}/internal/broadcasts/${encodeURIComponent(broadcastId)}/waves`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.options.token}`,
            'x-tenant-id': tenantId,
            accept: 'application/json',
            'content-type': 'application/json',
          },
          body: JSON.stringify(request),
          signal: AbortSignal.timeout(this.options.timeoutMs),
        },
      );
    } catch (error) {
      throw upstreamUnavailable(
        'status-tracker',
        `status-tracker at ${this.base} could not be reached (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON: handled by status below
    }
    const message = Array.isArray(body.message)
      ? body.message.map(String).join('; ')
      : typeof body.message === 'string'
        ? body.message
        : text.slice(0, 200);
    switch (response.status) {
      case 200:
      case 201:
        return {
          kind: 'created',
          wave: {
            id: String(body.id),
            parentBroadcastId: String(body.parentBroadcastId),
            wave: Number(body.wave),
            selected: Number(body.selected),
            created: body.created === true,
            uploaded: body.uploaded as PayloadOf<'broadcast.uploaded'>,
          } satisfies CreatedWave,
        };
      case 400:
        return { kind: 'invalid', message };
      case 404:
        return { kind: 'not-found' };
      case 409: {
        const { code, message: _m, statusCode: _s, ...details } = body;
        return {
          kind: 'conflict',
          code: typeof code === 'string' ? code : 'conflict',
          message,
          details,
        };
      }
      case 422:
        return {
          kind: 'unprocessable',
          code: typeof body.code === 'string' ? body.code : 'nothing-to-resend',
          message,
        };
      default:
        throw upstreamFailed(
          'status-tracker',
          `status-tracker could not create a resend wave (HTTP ${response.status}: ${message})`,
          { status: response.status },
        );
    }
  }
}
