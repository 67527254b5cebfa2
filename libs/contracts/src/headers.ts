/**
 * Kafka header names set by encodeEvent. They repeat envelope fields so that tools (and routing)
 * can read them without parsing the value; the value stays the source of truth. W3C trace context
 * (`traceparent`, `tracestate`) is added beside them by the observability layer.
 */
export const EVENT_HEADERS = {
  contentType: 'content-type',
  type: 'x-event-type',
  version: 'x-event-version',
  tenantId: 'x-tenant-id',
  correlationId: 'x-correlation-id',
  deadLetterReason: 'x-dead-letter-reason',
  deadLetterSourceTopic: 'x-dead-letter-source-topic',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

export const EVENT_CONTENT_TYPE = 'application/json';

/** Tenant id used for dead letters whose original tenant cannot be read. Reserved. */
export const UNKNOWN_TENANT = '_unknown';
