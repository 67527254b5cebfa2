import {
  Type,
  type Static,
  type TLiteral,
  type TObject,
  type TSchema,
  type TString,
} from '@sinclair/typebox';
import { CorrelationId, TenantId } from './primitives.js';
import type { TopicKey } from './topics.js';

/**
 * The envelope every event shares. Trace context (W3C `traceparent`/`tracestate`) is deliberately not
 * in it: it travels in Kafka message headers, where OpenTelemetry propagators look for it.
 */
export function envelopeSchema<
  const TType extends string,
  const TVersion extends number,
  TPayload extends TSchema,
>(
  type: TType,
  version: TVersion,
  payload: TPayload,
  description: string,
): TObject<{
  type: TLiteral<TType>;
  version: TLiteral<TVersion>;
  id: TString;
  occurredAt: TString;
  tenantId: typeof TenantId;
  correlationId: typeof CorrelationId;
  payload: TPayload;
}> {
  return Type.Object(
    {
      type: Type.Literal(type, { description: 'Event type: selects the payload schema.' }),
      version: Type.Literal(version, {
        description:
          'Schema version of this event type (integer). A breaking change publishes a new version alongside the old.',
      }),
      id: Type.String({
        format: 'uuid',
        description:
          'Unique id of this event (UUID). Kafka delivers at least once: consumers use it, or the business key, to ' +
          'make handling idempotent.',
      }),
      occurredAt: Type.String({
        format: 'date-time',
        description: 'When the fact happened (RFC 3339 date-time, UTC recommended).',
      }),
      tenantId: TenantId,
      correlationId: CorrelationId,
      payload,
    },
    { title: `${type} v${version}`, description },
  );
}

export type EnvelopeSchema<
  TType extends string,
  TVersion extends number,
  TPayload extends TSchema,
> = ReturnType<typeof envelopeSchema<TType, TVersion, TPayload>>;

/** Everything known about one (type, version): the one source from which types, validators and docs come. */
export interface EventDefinition<
  TType extends string = string,
  TVersion extends number = number,
  TTopic extends TopicKey = TopicKey,
  TPayload extends TSchema = TSchema,
> {
  readonly type: TType;
  readonly version: TVersion;
  readonly topic: TTopic;
  /** One line for the AsyncAPI `summary`. */
  readonly summary: string;
  /** Who produces it, who consumes it, and what they rely on. */
  readonly description: string;
  readonly payload: TPayload;
  readonly schema: EnvelopeSchema<TType, TVersion, TPayload>;
  /** How the Kafka message key is derived; also documented in AsyncAPI. */
  readonly keyDescription: string;
  readonly key: (payload: Static<TPayload>) => string | null;
  /** Extra Kafka headers derived from the payload (besides the standard ones). */
  readonly headers?: (payload: Static<TPayload>) => Record<string, string>;
  /** A realistic payload: shown in README and AsyncAPI, and checked by the tests. */
  readonly example: Static<TPayload>;
}

export function defineEvent<
  const TType extends string,
  const TVersion extends number,
  const TTopic extends TopicKey,
  TPayload extends TSchema,
>(
  spec: Omit<EventDefinition<TType, TVersion, TTopic, TPayload>, 'schema'>,
): EventDefinition<TType, TVersion, TTopic, TPayload> {
  return {
    ...spec,
    schema: envelopeSchema(spec.type, spec.version, spec.payload, spec.description),
  };
}
