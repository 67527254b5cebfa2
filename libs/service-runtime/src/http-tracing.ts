/**
 * A SERVER span per HTTP request, continuing the caller's W3C `traceparent` when it sends one.
 *
 * Two pieces, installed by bootService only while tracing is enabled (tracing off: neither runs):
 * - `httpTracingMiddleware` (Express, before everything else) starts the span, names it after the
 *   matched route template once the response is finished (`POST /v1/broadcasts/:id/start`, never
 *   the raw URL, so ids do not end up in span names) and records the status code.
 * - `HttpTracingInterceptor` (Nest, global) runs the route handler with that span active. The
 *   middleware alone is not enough: Nest's body parsers run after app.use() middleware and resume
 *   from stream callbacks, which loses the async context; the interceptor restores it right where
 *   the handler starts, so whatever the handler publishes to Kafka carries this trace.
 * Probes and scrapes (/healthz, /readyz, /metrics) are not traced.
 */
import type {
  CallHandler,
  ExecutionContext,
  INestApplication,
  NestInterceptor,
} from '@nestjs/common';
import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
} from '@opentelemetry/api';
import { Observable } from 'rxjs';
import { tracer } from './tracing.js';

const TRACE_CONTEXT = Symbol('wab.traceContext');

interface RequestLike {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  route?: { path?: string };
  baseUrl?: string;
  [TRACE_CONTEXT]?: Context;
}
interface ResponseLike {
  statusCode: number;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

export function httpTracingMiddleware(req: RequestLike, res: ResponseLike, next: () => void): void {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  if (UNTRACED.has(path)) {
    next();
    return;
  }
  const method = req.method ?? 'GET';
  const parent = propagation.extract(context.active(), req.headers);
  const span = tracer().startSpan(
    method,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': method, 'url.path': path },
    },
    parent,
  );
  const ctx = trace.setSpan(parent, span);
  req[TRACE_CONTEXT] = ctx;
  let ended = false;
  const end = (finished: boolean) => {
    if (ended) return;
    ended = true;
    const route = req.route?.path ? `${req.baseUrl ?? ''}${req.route.path}` : undefined;
    if (route) {
      span.updateName(`${method} ${route}`);
      span.setAttribute('http.route', route);
    }
    span.setAttribute('http.response.status_code', res.statusCode);
    if (!finished)
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'connection closed early' });
    else if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  res.once('finish', () => end(true));
  res.once('close', () => end(false));
  context.with(ctx, next);
}

export class HttpTracingInterceptor implements NestInterceptor {
  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (execution.getType() !== 'http') return next.handle();
    const ctx = execution.switchToHttp().getRequest<RequestLike>()[TRACE_CONTEXT];
    if (!ctx) return next.handle();
    // The handler runs on subscription: subscribe inside the span's context.
    return new Observable((subscriber) =>
      context.with(ctx, () => next.handle().subscribe(subscriber)),
    );
  }
}

/** Installs both pieces on an app (bootService does, when tracing is enabled). */
export function installHttpTracing(app: INestApplication): void {
  app.use(httpTracingMiddleware);
  app.useGlobalInterceptors(new HttpTracingInterceptor());
}
