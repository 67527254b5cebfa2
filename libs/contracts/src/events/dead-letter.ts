import { Type } from '@sinclair/typebox';
import { defineEvent } from '../envelope.js';
import { EVENT_HEADERS } from '../headers.js';

/**
 * LOUD WARNING: persisted in dead-letter events and their `x-dead-letter-reason` header, and alerted
 * on. Add reasons; never rename one.
 */
export const DEAD_LETTER_REASONS = [
  'not-json',
  'schema',
  'unknown-type',
  'unknown-version',
  'oversized',
  'processing',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export const EventDeadLetteredV1 = defineEvent({
  type: 'event.dead-lettered',
  version: 1,
  topic: 'deadLetter',
  summary: 'A consumed message that could not be handled, with the original and the reason.',
  description:
    'Produced by any consumer for a message it will never be able to handle (invalid per these contracts, or a ' +
    'permanent processing error), after which it commits the offset and carries on. The reason is also in the ' +
    '`x-dead-letter-reason` header. Operators inspect, fix and re-publish `value` to `source.topic`.',
  keyDescription: 'the original message key (null when it had none)',
  key: (payload) => payload.source.key,
  headers: (payload) => ({
    [EVENT_HEADERS.deadLetterReason]: payload.reason,
    [EVENT_HEADERS.deadLetterSourceTopic]: payload.source.topic,
  }),
  payload: Type.Object({
    source: Type.Object(
      {
        topic: Type.String({
          minLength: 1,
          description: 'Topic the message was consumed from (with any prefix).',
        }),
        partition: Type.Integer({ minimum: 0 }),
        offset: Type.String({
          pattern: '^[0-9]+$',
          description: 'Offset as a decimal string (int64).',
        }),
        key: Type.Union([Type.String(), Type.Null()], {
          description: 'Original key as UTF-8, or null.',
        }),
        timestamp: Type.Optional(
          Type.String({ description: 'Original Kafka timestamp (ms since epoch).' }),
        ),
      },
      { description: 'Where the original message was.' },
    ),
    consumer: Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'Consumer group (or service) that gave up on it.',
    }),
    reason: Type.Union(
      DEAD_LETTER_REASONS.map((reason) => Type.Literal(reason)),
      {
        description:
          'Why: `not-json`, `schema` (violates the event schema), `unknown-type`, `unknown-version`, `oversized` ' +
          '(over the size limit), `processing` (valid, but handling failed permanently).',
      },
    ),
    errors: Type.Array(Type.String({ maxLength: 2000 }), {
      maxItems: 50,
      description: 'Specifics, e.g. `/payload/rows/0/e164: Expected string to match ...`.',
    }),
    value: Type.Object(
      {
        encoding: Type.Union([Type.Literal('utf8'), Type.Literal('base64')], {
          description: '`utf8` when the original was valid UTF-8 text, else `base64`.',
        }),
        data: Type.String({ description: 'The original value (possibly truncated).' }),
        sizeBytes: Type.Integer({ minimum: 0, description: 'Size of the original value.' }),
        truncated: Type.Boolean({
          description: 'Whether `data` holds only the first bytes of the original.',
        }),
      },
      { description: 'The original message value (empty for a tombstone, a null value).' },
    ),
    headers: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'Original Kafka headers, decoded as UTF-8.',
      }),
    ),
  }),
  example: {
    source: {
      topic: 'send-requests',
      partition: 3,
      offset: '18234',
      key: '3f1c2b9e-8f4d-4a51-9a7e-2b6f1d0c9a11:1',
    },
    consumer: 'dispatcher',
    reason: 'schema',
    errors: ["/payload/to: Expected string to match '^[1-9][0-9]{6,14}$'"],
    value: {
      encoding: 'utf8',
      data: '{"type":"message.send-requested","version":1,"payload":{"to":"+49 151"}}',
      sizeBytes: 72,
      truncated: false,
    },
  },
});
