import {
  Catch,
  HttpException,
  Inject,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from '@wab/service-runtime';
import { GatewayError, type ErrorKind } from '../domain/errors.js';
import { LOGGER } from '../tokens.js';
import type { GatewayRequest } from './http-context.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown>; requestId?: string };
}

const STATUS: Record<ErrorKind, number> = {
  'invalid-request': 400,
  unauthenticated: 401,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  'rate-limited': 429,
  unprocessable: 422,
  upstream: 502,
  unavailable: 503,
};

const CODE_BY_STATUS: Record<number, string> = {
  400: 'invalid-request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'body-too-large',
  415: 'unsupported-media-type',
  429: 'rate-limited',
};

/** Errors of express middleware (body-parser sets `type` and `status`). */
interface ParserError {
  type?: string;
  status?: number;
  expose?: boolean;
  limit?: number;
  message?: string;
}

/**
 * The one place errors become HTTP answers: every error, from guards, handlers, body parsing or
 * unknown routes, is `{ error: { code, message, details? } }`. Business errors map by kind;
 * anything unexpected is a 500 that says only "internal error" with the request id (the details
 * go to the log, once, here).
 */
export function toHttpError(
  exception: unknown,
  requestId: string,
): { status: number; body: ErrorBody } {
  if (exception instanceof GatewayError) {
    return {
      status: STATUS[exception.kind],
      body: {
        error: {
          code: exception.code,
          message: exception.message,
          ...(exception.details ? { details: exception.details } : {}),
        },
      },
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const message =
      typeof response === 'object' && response !== null && 'message' in response
        ? String(response.message)
        : exception.message;
    return {
      status,
      body: { error: { code: CODE_BY_STATUS[status] ?? `http-${status}`, message } },
    };
  }
  const parser = exception as ParserError | undefined;
  if (
    parser &&
    typeof parser.type === 'string' &&
    typeof parser.status === 'number' &&
    parser.status < 500
  ) {
    switch (parser.type) {
      case 'entity.too.large':
        return {
          status: 413,
          body: {
            error: {
              code: 'body-too-large',
              message: `the JSON body is larger than the limit of ${parser.limit ?? '?'} bytes`,
              ...(parser.limit === undefined ? {} : { details: { limitBytes: parser.limit } }),
            },
          },
        };
      case 'entity.parse.failed':
        return {
          status: 400,
          body: {
            error: {
              code: 'invalid-json',
              message: `the body is not valid JSON: ${parser.message ?? ''}`,
            },
          },
        };
      default:
        return {
          status: parser.status,
          body: {
            error: {
              code: CODE_BY_STATUS[parser.status] ?? 'invalid-request',
              message: parser.message ?? parser.type,
            },
          },
        };
    }
  }
  return {
    status: 500,
    body: {
      error: { code: 'internal', message: `internal error (request id ${requestId})`, requestId },
    },
  };
}

/** Writes an error answer; closes the connection when the request body was not read (an upload). */
export function sendHttpError(
  request: GatewayRequest,
  response: Response,
  status: number,
  body: ErrorBody,
): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  // An unread request body (a refused upload) would otherwise be read to its end to keep the
  // connection alive: close it instead.
  if (!request.readableEnded && hasBody(request)) response.setHeader('connection', 'close');
  if (status === 401) response.setHeader('www-authenticate', 'Bearer realm="wab"');
  const retryAfter = body.error.details?.retryAfterSeconds;
  if (status === 429 && typeof retryAfter === 'number')
    response.setHeader('retry-after', String(retryAfter));
  response.status(status).json(body);
}

function hasBody(request: GatewayRequest): boolean {
  const length = request.headers['content-length'];
  return (
    request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
  );
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly log: Logger;

  constructor(@Inject(LOGGER) logger: Logger) {
    this.log = logger.child({ component: 'HttpErrorFilter' });
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<GatewayRequest>();
    const response = http.getResponse<Response>();
    const { status, body } = toHttpError(exception, request.requestId);
    const context = {
      requestId: request.requestId,
      tenantId: request.tenantId,
      method: request.method,
      path: request.path,
      status,
    };
    if (status >= 500) {
      this.log.error({ ...context, err: exception, code: body.error.code }, 'request failed');
    } else if (status !== 404 && status !== 401) {
      this.log.info({ ...context, code: body.error.code }, body.error.message);
    }
    sendHttpError(request, response, status, body);
  }
}
