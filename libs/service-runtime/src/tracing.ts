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
  propagation,
  SpanKind,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
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

export interface TracingHandle {
  enabled: boolean;
  shutdown(): Promise<void>;
}

let contextManagerSet = false;

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
  return {
    enabled: true,
    shutdown: async () => {
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

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

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
  const tracer = trace.getTracer('@wab/service-runtime');
  const parent = extractContext(headers);
  const span = tracer.startSpan(name, { kind: SpanKind.CONSUMER, attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: 2 });
    throw error;
  } finally {
    span.end();
  }
}
