import { isTracingEnabled, markSpanError, withSpan } from '@wab/service-runtime';
import { errors, Pool } from 'undici';
import { CloudApi, type SendOutcome, type SendTemplateRequest } from '../ports/cloud-api.port.js';

export interface UndiciCloudApiOptions {
  baseUrl: string;
  version: string;
  token: string;
  /** Concurrent connections: one in-flight request each (HTTP/1.1 without pipelining). */
  connections: number;
  timeoutMs: number;
}

/** Error codes of undici that mean the request was never written to the socket. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
]);

interface GraphErrorBody {
  error?: {
    message?: string;
    code?: number;
    error_subcode?: number;
    error_data?: { details?: string };
    fbtrace_id?: string;
  };
}

interface GraphSuccessBody {
  messages?: {
    id?: string;
    message_status?: 'accepted' | 'held_for_quality_assessment' | 'paused';
  }[];
}

/**
 * Cloud API over an undici Pool: keep-alive connections sized from the in-flight target, a
 * per-request deadline, and a precise split between "not sent" (safe to retry) and "unknown"
 * (may have reached Meta: reported, never resent blindly).
 */
export class UndiciCloudApi extends CloudApi {
  private readonly pool: Pool;
  private readonly authorization: string;
  private readonly host: string;

  constructor(private readonly options: UndiciCloudApiOptions) {
    super();
    this.pool = new Pool(options.baseUrl, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connect: { timeout: Math.min(10_000, options.timeoutMs) },
    });
    this.authorization = `Bearer ${options.token}`;
    this.host = new URL(options.baseUrl).host;
  }

  sendTemplate(request: SendTemplateRequest): Promise<SendOutcome> {
    if (!isTracingEnabled()) return this.post(request);
    // A CLIENT span per Cloud API call, child of the send request's span (its recipient's trace).
    // Our trace context is not sent to Meta; the span carries no phone number.
    return withSpan(
      'whatsapp send template',
      'client',
      {
        'http.request.method': 'POST',
        'server.address': this.host,
        'wab.phone_number_id': request.phoneNumberId,
        'wab.template': request.template.name,
      },
      async (span) => {
        const outcome = await this.post(request);
        span.setAttribute('wab.outcome', outcome.kind);
        if ('httpStatus' in outcome)
          span.setAttribute('http.response.status_code', outcome.httpStatus);
        if (outcome.kind === 'error') {
          span.setAttribute('wab.error_code', outcome.code);
          markSpanError(span, outcome.title);
        } else if (outcome.kind !== 'accepted') markSpanError(span, outcome.reason);
        return outcome;
      },
    );
  }

  private async post(request: SendTemplateRequest): Promise<SendOutcome> {
    const body = JSON.stringify({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: request.to,
      type: 'template',
      template: request.template,
      biz_opaque_callback_data: request.bizOpaqueCallbackData,
    });
    let response;
    try {
      response = await this.pool.request({
        method: 'POST',
        path: `/${this.options.version}/${encodeURIComponent(request.phoneNumberId)}/messages`,
        headers: { authorization: this.authorization, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      return this.classifyTransportError(error);
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      return { kind: 'unknown', reason: `response body lost: ${describe(error)}` };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      if (response.statusCode >= 500) {
        return {
          kind: 'error',
          httpStatus: response.statusCode,
          code: 131000,
          title: `HTTP ${response.statusCode} without a Graph error body`,
        };
      }
      return {
        kind: 'unknown',
        reason: `HTTP ${response.statusCode} with a body that is not JSON`,
      };
    }
    if (response.statusCode === 200) {
      const message = (parsed as GraphSuccessBody).messages?.[0];
      if (message?.id) {
        return {
          kind: 'accepted',
          wamid: message.id,
          httpStatus: 200,
          ...(message.message_status ? { messageStatus: message.message_status } : {}),
        };
      }
      return { kind: 'unknown', reason: 'HTTP 200 without messages[0].id' };
    }
    const graph = (parsed as GraphErrorBody).error;
    if (!graph || typeof graph.code !== 'number') {
      return {
        kind: 'error',
        httpStatus: response.statusCode,
        code: 131000,
        title: `HTTP ${response.statusCode} without a Graph error code`,
      };
    }
    return {
      kind: 'error',
      httpStatus: response.statusCode,
      code: graph.code,
      title: (graph.message ?? `error ${graph.code}`).slice(0, 1000),
      ...(graph.error_data?.details ? { details: graph.error_data.details.slice(0, 2000) } : {}),
      ...(typeof graph.error_subcode === 'number' ? { subcode: graph.error_subcode } : {}),
      ...(graph.fbtrace_id ? { fbtraceId: graph.fbtrace_id.slice(0, 128) } : {}),
    };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private classifyTransportError(error: unknown): SendOutcome {
    const code = (error as { code?: string }).code;
    if (
      error instanceof errors.ConnectTimeoutError ||
      (code !== undefined && NOT_SENT_CODES.has(code))
    ) {
      return { kind: 'not-sent', reason: describe(error) };
    }
    // Timeouts and resets after the request was (possibly) written: Meta may have accepted it.
    return { kind: 'unknown', reason: describe(error) };
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: string }).code;
    return code ? `${code}: ${error.message}` : `${error.name}: ${error.message}`;
  }
  return String(error);
}
