/**
 * OpenTelemetry tracing: W3C trace context carried in Kafka message headers (`traceparent`,
 * `tracestate`), so that one recipient's journey across services is one trace.
 *
 * Off by default. `startTracing` exports spans over OTLP/HTTP only when OTEL_SDK_DISABLED is not
 * "true" and an endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
 * the exporter reads the other standard OTEL_* variables itself (headers, timeout, compression).
 * Without a provider the API is a no-op, but the propagator is always registered: a service with
 * tracing off still passes the incoming trace context on to what it publishes.
 */
import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
  type Span,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { AsyncLocalStorageContextManager } from './tracing-context.js';

export type { Context, Span } from '@opentelemetry/api';

export interface TracingHandle {
  enabled: boolean;
  shutdown(): Promise<void>;
}

let contextManagerSet = false;
let enabled = false;

/**
 * Whether spans are recorded and exported. Code that would do extra work only for tracing (a span
 * per event of a batch, a stored trace context) checks this first, so tracing off costs nothing.
 */
export function isTracingEnabled(): boolean {
  return enabled;
}

function ensureGlobals(): void {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  if (!contextManagerSet) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    contextManagerSet = true;
  }
}

/**
 * Starts tracing for a service. `exporter` (tests: InMemorySpanExporter) forces it on and exports
 * each span as it ends; otherwise the OTEL_* variables of `env` decide (see the module note).
 */
export function startTracing(
  service: string,
  options: { env?: Record<string, string | undefined>; exporter?: SpanExporter } = {},
): TracingHandle {
  ensureGlobals();
  const env = options.env ?? {};
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const disabled = (env.OTEL_SDK_DISABLED ?? 'false').toLowerCase() === 'true';
  if (!options.exporter && (disabled || !endpoint)) {
    return { enabled: false, shutdown: () => Promise.resolve() };
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || service }),
    spanProcessors: [
      options.exporter
        ? new SimpleSpanProcessor(options.exporter)
        : new BatchSpanProcessor(new OTLPTraceExporter()),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  enabled = true;
  return {
    enabled: true,
    shutdown: async () => {
      enabled = false;
      await provider.shutdown();
      trace.disable();
    },
  };
}

/** Writes the active (or given) trace context into a carrier, e.g. Kafka message headers. */
export function injectTraceHeaders(
  carrier: Record<string, string> = {},
  ctx: Context = context.active(),
): Record<string, string> {
  propagation.inject(ctx, carrier);
  return carrier;
}

export type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

const headerGetter: TextMapGetter<Record<string, HeaderValue>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

/** The trace context of incoming headers (kafkajs: Buffer values), on top of the active context. */
export function extractContext(headers: Record<string, HeaderValue> | undefined): Context {
  return propagation.extract(context.active(), headers ?? {}, headerGetter);
}

/**
 * Runs `work` in a CONSUMER span that continues the trace of the message's headers; whatever
 * `work` publishes carries this span as its parent.
 */
export async function withConsumerSpan<T>(
  name: string,
  headers: Record<string, HeaderValue> | undefined,
  attributes: Record<string, string | number>,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = extractContext(headers);
  const span = tracer().startSpan(name, { kind: SpanKind.CONSUMER, attributes }, parent);
  return runInSpan(span, trace.setSpan(parent, span), work);
}

/** The tracer of our own spans (the API's no-op one while tracing is off). */
export function tracer(): Tracer {
  return trace.getTracer('@wab/service-runtime');
}

/**
 * Runs `work` in a new span (child of the active one), e.g. a CLIENT span around an outgoing call.
 * Callers that would only trace check isTracingEnabled() first to skip even this.
 */
export function withSpan<T>(
  name: string,
  kind: 'client' | 'internal',
  attributes: Record<string, string | number>,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tracer().startSpan(name, {
    kind: kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL,
    attributes,
  });
  return runInSpan(span, trace.setSpan(context.active(), span), work);
}

/**
 * Records a finished span whose parent is a stored `traceparent`: work that arrives without trace
 * context but belongs to a known trace (a delivery webhook of a recipient). No-op while tracing is
 * off.
 */
export function recordSpanUnder(
  traceparent: string,
  name: string,
  options: {
    startTime: number;
    endTime: number;
    attributes: Record<string, string | number | boolean>;
  },
): void {
  if (!enabled) return;
  tracer()
    .startSpan(
      name,
      { kind: SpanKind.INTERNAL, startTime: options.startTime, attributes: options.attributes },
      contextFromTraceparent(traceparent),
    )
    .end(options.endTime);
}

/** Marks a span as failed (an error outcome that is not an exception). */
export function markSpanError(span: Span, message?: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, ...(message ? { message } : {}) });
}

/** Runs `work` with `span` active in `ctx`; records a failure on the span and always ends it. */
export async function runInSpan<T>(
  span: Span,
  ctx: Context,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  try {
    return await context.with(ctx, () => work(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Work done for a whole batch of messages (one database transaction, one fetch): a CONSUMER span
 * with a link to every message's trace context, since a batch belongs to many traces. Without
 * tracing, `work` simply runs (no span, no header parsing).
 */
export async function withBatchSpan<T>(
  name: string,
  headersOfMessages: readonly (Record<string, HeaderValue> | undefined)[],
  attributes: Record<string, string | number>,
  work: () => Promise<T>,
): Promise<T> {
  if (!enabled) return work();
  const links: Link[] = [];
  for (const headers of headersOfMessages) {
    const linked = trace.getSpanContext(extractContext(headers));
    if (linked && isSpanContextValid(linked)) links.push({ context: linked });
  }
  const span = tracer().startSpan(
    name,
    {
      kind: SpanKind.CONSUMER,
      attributes: { ...attributes, 'messaging.batch.message_count': headersOfMessages.length },
      links,
    },
    // A new trace: the batch is no one message's child (its links say which traces it serves).
    trace.deleteSpan(context.active()),
  );
  return runInSpan(span, trace.setSpan(context.active(), span), () => work());
}

/**
 * One span per message for work done in bulk (one write applies the whole batch): each span's parent
 * is its message's trace context and it lasts as long as `work`, so every message's trace shows when
 * and how long it was applied. `work` gets each message's span context (undefined while tracing is
 * off: then no span is created at all), e.g. to store it for a later, unrelated event.
 */
export async function withMessageSpans<T>(
  name: string,
  headersOfMessages: readonly (Record<string, HeaderValue> | undefined)[],
  attributes: Record<string, string | number>,
  work: (contexts: readonly Context[] | undefined) => Promise<T>,
): Promise<T> {
  if (!enabled) return work(undefined);
  const spans: Span[] = [];
  const contexts: Context[] = [];
  for (const headers of headersOfMessages) {
    const parent = extractContext(headers);
    const span = tracer().startSpan(name, { kind: SpanKind.CONSUMER, attributes }, parent);
    spans.push(span);
    contexts.push(trace.setSpan(parent, span));
  }
  try {
    return await work(contexts);
  } catch (error) {
    for (const span of spans) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
}

/** The W3C `traceparent` of a context's span (to store it), or undefined when it has none. */
export function traceparentOf(ctx: Context): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

/** A context whose remote parent is a stored `traceparent` (see traceparentOf). */
export function contextFromTraceparent(traceparent: string): Context {
  return propagation.extract(ROOT_CONTEXT, { traceparent }, headerGetter);
}
