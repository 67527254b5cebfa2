import { EVENT_DEFINITIONS, type AnyEventDefinition } from './catalogue.js';
import { encodeEvent } from './codec.js';
import type { EventDefinition } from './envelope.js';
import { EVENT_CONTENT_TYPE, EVENT_HEADERS } from './headers.js';
import { DEFAULT_PARTITIONS, TOPICS, type TopicKey } from './topics.js';

/**
 * Builds the AsyncAPI 3 document and the JSON Schema files from the event definitions. Pure: the
 * generator writes the result to disk, and a test compares it with the committed files.
 */

/** Bump the minor version when events or fields are added; event versions carry breaking changes. */
export const CONTRACTS_DOCUMENT_VERSION = '1.0.0';
const KAFKA_BINDING_VERSION = '0.5.0';

/** Fixed envelope values for examples, so the generated files are deterministic. */
const EXAMPLE_CONTEXT = {
  id: '0b6f5e0e-6c1a-4f55-9d1e-1d6a7c1e2f30',
  occurredAt: '2025-06-01T09:30:00.000Z',
  tenantId: 'acme',
  correlationId: '3f1c2b9e-8f4d-4a51-9a7e-2b6f1d0c9a11',
};

const TOPIC_DESCRIPTIONS: Record<TopicKey, string> = {
  uploaded:
    'Broadcasts to split: from upload-gateway (a CSV in the object store) or from upstream systems (inline ' +
    'recipients, or their own CSV in the object store). Consumed by csv-splitter. Key: broadcastId.',
  rows:
    "csv-splitter's findings per broadcast: split-started, chunks of valid recipients, skipped rows with reasons, " +
    'then split-completed with totals (or split-failed). Consumed by the compose stage and status-tracker. ' +
    "Key: broadcastId, so one broadcast's events stay ordered.",
  sendRequests:
    'One rendered template message per recipient, for the dispatcher. Key: recipientId, so one recipient stays on ' +
    'one partition and dispatchers scale with partitions.',
  sendResults: 'The outcome of each Cloud API call, for status-tracker. Key: recipientId.',
  deadLetter:
    'Messages a consumer could not handle (invalid per these contracts, or failed permanently), with the original ' +
    'value and the reason (also in the `x-dead-letter-reason` header). Key: the original key.',
  broadcastControl:
    'Pause, resume or cancel a broadcast or a sender. Key: broadcastId or phoneNumberId.',
};

/** Which topics the platform produces to and consumes from (all of them are also open to upstream readers). */
const OPERATIONS: Record<TopicKey, { send?: string; receive?: string }> = {
  uploaded: {
    send: 'upload-gateway publishes broadcast.uploaded when an operator starts a broadcast.',
    receive:
      'csv-splitter consumes broadcasts to split. Upstream systems start broadcasts by sending ' +
      'broadcast.requested (or broadcast.uploaded) here.',
  },
  rows: {
    send: 'csv-splitter publishes what it found in each broadcast.',
    receive: "csv-splitter's compose stage and status-tracker consume rows and outcomes.",
  },
  sendRequests: {
    send: "csv-splitter's compose stage publishes one request per recipient.",
    receive:
      'The dispatcher consumes requests, many in flight per partition, and calls the Cloud API.',
  },
  sendResults: {
    send: 'The dispatcher publishes the outcome of each request.',
    receive: 'status-tracker records outcomes.',
  },
  deadLetter: { send: 'Every consumer publishes messages it cannot handle.' },
  broadcastControl: {
    send: 'upload-gateway (operators) and the dispatcher (account-level errors) publish control commands.',
    receive: 'The dispatcher, csv-splitter and status-tracker obey and show them.',
  },
};

export function schemaName(definition: Pick<EventDefinition, 'type' | 'version'>): string {
  return `${definition.type}.v${definition.version}`;
}

function messageName(definition: AnyEventDefinition): string {
  const camel = definition.type.replace(/[.-]([a-z])/g, (_match, letter: string) =>
    letter.toUpperCase(),
  );
  return `${camel}V${definition.version}`;
}

/** A definition's envelope schema as plain JSON Schema (TypeBox's symbol keys do not survive JSON). */
export function jsonSchemaOf(definition: AnyEventDefinition): Record<string, unknown> {
  return JSON.parse(JSON.stringify(definition.schema)) as Record<string, unknown>;
}

export function exampleEvent(definition: AnyEventDefinition): Record<string, unknown> {
  return {
    type: definition.type,
    version: definition.version,
    ...EXAMPLE_CONTEXT,
    payload: definition.example,
  };
}

const headerProperty = (description: string): Record<string, unknown> => ({
  type: 'string',
  description,
});

function headersSchema(definition: AnyEventDefinition): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    [EVENT_HEADERS.contentType]: {
      type: 'string',
      const: EVENT_CONTENT_TYPE,
      description: 'Always JSON.',
    },
    [EVENT_HEADERS.type]: headerProperty('Copy of the envelope `type`.'),
    [EVENT_HEADERS.version]: headerProperty('Copy of the envelope `version`, as a decimal string.'),
    [EVENT_HEADERS.tenantId]: headerProperty('Copy of the envelope `tenantId`.'),
    [EVENT_HEADERS.correlationId]: headerProperty('Copy of the envelope `correlationId`.'),
    [EVENT_HEADERS.traceparent]: headerProperty(
      'W3C trace context; optional, propagated across hops.',
    ),
    [EVENT_HEADERS.tracestate]: headerProperty('W3C trace state; optional.'),
  };
  if (definition.type === 'event.dead-lettered') {
    properties[EVENT_HEADERS.deadLetterReason] = headerProperty('Copy of `payload.reason`.');
    properties[EVENT_HEADERS.deadLetterSourceTopic] = headerProperty(
      'Copy of `payload.source.topic`.',
    );
  }
  return {
    type: 'object',
    description:
      'Kafka headers. Set by our producers; optional for upstream producers (the envelope in the value is ' +
      'authoritative).',
    properties,
  };
}

/** The AsyncAPI 3.0 document, as a plain object. */
export function buildAsyncApiDocument(): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};

  for (const definition of EVENT_DEFINITIONS) {
    schemas[schemaName(definition)] = jsonSchemaOf(definition);
    const example = exampleEvent(definition);
    const encoded = encodeEvent(example as never);
    messages[messageName(definition)] = {
      name: definition.type,
      title: `${definition.type} v${definition.version}`,
      summary: definition.summary,
      description: definition.description,
      contentType: EVENT_CONTENT_TYPE,
      headers: headersSchema(definition),
      payload: { $ref: `#/components/schemas/${schemaName(definition)}` },
      correlationId: {
        description: 'Correlation id of the envelope.',
        location: '$message.payload#/correlationId',
      },
      bindings: {
        kafka: {
          key: { type: 'string', description: `Kafka message key: ${definition.keyDescription}.` },
          bindingVersion: KAFKA_BINDING_VERSION,
        },
      },
      examples: [{ name: 'example', headers: encoded.headers, payload: example }],
    };
  }

  for (const topic of Object.keys(TOPICS) as TopicKey[]) {
    const onTopic = EVENT_DEFINITIONS.filter((definition) => definition.topic === topic);
    const channelMessages = Object.fromEntries(
      onTopic.map((definition) => [
        messageName(definition),
        { $ref: `#/components/messages/${messageName(definition)}` },
      ]),
    );
    channels[topic] = {
      address: TOPICS[topic],
      title: TOPICS[topic],
      description:
        `${TOPIC_DESCRIPTIONS[topic]} Deployments may prefix every topic name (KAFKA_TOPIC_PREFIX), ` +
        `e.g. \`staging.${TOPICS[topic]}\`.`,
      messages: channelMessages,
      bindings: {
        kafka: {
          topic: TOPICS[topic],
          partitions: DEFAULT_PARTITIONS[topic],
          bindingVersion: KAFKA_BINDING_VERSION,
        },
      },
    };
    const operationMessages = onTopic.map((definition) => ({
      $ref: `#/channels/${topic}/messages/${messageName(definition)}`,
    }));
    for (const action of ['send', 'receive'] as const) {
      const description = OPERATIONS[topic][action];
      if (description === undefined) continue;
      const capitalised = topic.charAt(0).toUpperCase() + topic.slice(1);
      operations[`${action}${capitalised}`] = {
        action,
        channel: { $ref: `#/channels/${topic}` },
        summary: description,
        messages: operationMessages,
      };
    }
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'WhatsApp broadcast platform events',
      version: CONTRACTS_DOCUMENT_VERSION,
      description:
        'Kafka topics and events of the broadcast pipeline (upload-gateway → csv-splitter → dispatcher → ' +
        'status-tracker). Generated from `libs/contracts` (TypeBox schemas); do not edit by hand. Every event ' +
        'is a JSON envelope `{type, version, id, occurredAt, tenantId, correlationId, payload}`; consumers accept ' +
        'unknown extra fields and dead-letter events that fail validation. Upstream systems start a broadcast ' +
        'by publishing `broadcast.requested` to `uploaded` (see the README of libs/contracts).',
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    defaultContentType: EVENT_CONTENT_TYPE,
    servers: {
      local: {
        host: 'localhost:9092',
        protocol: 'kafka',
        description: 'The local broker started by `npm run infra:up` (KRaft, plaintext).',
      },
    },
    channels,
    operations,
    components: { schemas, messages },
  };
}
