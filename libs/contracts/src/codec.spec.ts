import {
  ContractViolationError,
  createDeadLetter,
  createEnvelope,
  decodeEvent,
  encodeEvent,
  eventKey,
  validateEvent,
} from './codec.js';
import { EVENT_DEFINITIONS, type EventsByTopic, type EventOf } from './catalogue.js';
import { MessageSendRequestedV1 } from './events/send-requests.js';
import { BroadcastRowsV1 } from './events/rows.js';
import { EVENT_HEADERS, UNKNOWN_TENANT } from './headers.js';

const context = { tenantId: 'acme', correlationId: 'corr-1' };

function sendRequest(): EventOf<'message.send-requested'> {
  return createEnvelope(
    'message.send-requested',
    structuredClone(MessageSendRequestedV1.example),
    context,
  );
}

function failure<T>(
  result: { ok: true; event: T } | { ok: false; reason: string; errors: string[] },
): {
  reason: string;
  errors: string[];
} {
  if (result.ok) throw new Error('expected a failure');
  return { reason: result.reason, errors: result.errors };
}

describe('createEnvelope', () => {
  it('fills id, occurredAt and the newest version', () => {
    const event = sendRequest();
    expect(event.type).toBe('message.send-requested');
    expect(event.version).toBe(1);
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(event.occurredAt))).toBe(false);
    expect(event.tenantId).toBe('acme');
    expect(event.correlationId).toBe('corr-1');
  });
});

describe('every example', () => {
  it.each(
    EVENT_DEFINITIONS.map(
      (definition) => [`${definition.type} v${definition.version}`, definition] as const,
    ),
  )('%s round-trips through encodeEvent and decodeEvent', (_name, definition) => {
    const event = createEnvelope(definition.type, definition.example as never, context);
    const encoded = encodeEvent(event);
    const decoded = decodeEvent(definition.topic, Buffer.from(encoded.value));
    expect(decoded).toEqual({ ok: true, event });
    expect(encoded.headers[EVENT_HEADERS.type]).toBe(definition.type);
    expect(encoded.headers[EVENT_HEADERS.version]).toBe(String(definition.version));
    expect(encoded.headers[EVENT_HEADERS.correlationId]).toBe('corr-1');
  });
});

describe('encodeEvent', () => {
  it('keys send-requests by recipient and rows by broadcast', () => {
    const request = sendRequest();
    expect(encodeEvent(request).key).toBe(request.payload.recipientId);
    const rows = createEnvelope('broadcast.rows', BroadcastRowsV1.example, context);
    expect(encodeEvent(rows).key).toBe(rows.payload.broadcastId);
    expect(eventKey(rows)).toBe(rows.payload.broadcastId);
  });

  it('refuses an invalid event, naming the field', () => {
    const event = sendRequest();
    event.payload.to = '+4915123456780';
    expect(() => encodeEvent(event)).toThrow(ContractViolationError);
    expect(() => encodeEvent(event)).toThrow(/\/payload\/to/);
  });
});

describe('decodeEvent', () => {
  it('accepts a string as well as a buffer and narrows by topic', () => {
    const result = decodeEvent('sendRequests', encodeEvent(sendRequest()).value);
    expect(result.ok).toBe(true);
    if (result.ok) {
      const event: EventsByTopic['sendRequests'] = result.event;
      expect(event.payload.to).toBe('4915123456780');
    }
  });

  it('rejects a value that is not JSON', () => {
    expect(failure(decodeEvent('sendRequests', '{"type":'))).toMatchObject({ reason: 'not-json' });
    expect(failure(decodeEvent('sendRequests', Buffer.from([0xff, 0xfe, 0x00])))).toMatchObject({
      reason: 'not-json',
      errors: ['value is not valid UTF-8'],
    });
    expect(failure(decodeEvent('sendRequests', null))).toMatchObject({ reason: 'not-json' });
  });

  it('rejects schema violations and names the field', () => {
    const event = sendRequest() as unknown as { payload: Record<string, unknown> };
    delete event.payload.phoneNumberId;
    event.payload.attempt = 0;
    const result = failure(decodeEvent('sendRequests', JSON.stringify(event)));
    expect(result.reason).toBe('schema');
    expect(result.errors.join('\n')).toContain('/payload/phoneNumberId');
    expect(result.errors.join('\n')).toContain('/payload/attempt');
  });

  it('names the field inside a discriminated union variant', () => {
    const event = createEnvelope(
      'message.send-result',
      {
        broadcastId: 'b1',
        recipientId: 'b1:1',
        rowNumber: 1,
        phoneNumberId: '1',
        outcome: {
          status: 'failed',
          error: { code: 131026, title: 'Message undeliverable' },
        } as never,
        attempts: 1,
        latencyMs: 3,
      },
      context,
    );
    const result = failure(decodeEvent('sendResults', JSON.stringify(event)));
    expect(result.reason).toBe('schema');
    expect(result.errors.join('\n')).toContain('/payload/outcome/category');
    expect(result.errors.join('\n')).toContain('/payload/outcome/retryable');

    const unknownStatus = { ...event, payload: { ...event.payload, outcome: { status: 'lost' } } };
    expect(failure(decodeEvent('sendResults', JSON.stringify(unknownStatus))).errors).toEqual([
      '/payload/outcome/status: Expected one of "accepted", "failed", "unknown"',
    ]);
  });

  it('checks envelope formats (uuid, date-time) and tenant ids', () => {
    const event = { ...sendRequest(), id: 'not-a-uuid', occurredAt: 'yesterday', tenantId: 'a b' };
    const errors = failure(decodeEvent('sendRequests', JSON.stringify(event))).errors.join('\n');
    expect(errors).toContain('/id');
    expect(errors).toContain('/occurredAt');
    expect(errors).toContain('/tenantId');
  });

  it('rejects an unknown type, and a known type on the wrong topic', () => {
    const event = { ...sendRequest(), type: 'message.teleported' };
    expect(failure(decodeEvent('sendRequests', JSON.stringify(event)))).toEqual({
      reason: 'unknown-type',
      errors: ["/type: unknown event type 'message.teleported'"],
    });
    const misplaced = failure(decodeEvent('uploaded', encodeEvent(sendRequest()).value));
    expect(misplaced.reason).toBe('unknown-type');
    expect(misplaced.errors[0]).toContain("not carried on topic 'uploaded'");
  });

  it('rejects an unknown version', () => {
    const event = { ...sendRequest(), version: 7 };
    expect(failure(decodeEvent('sendRequests', JSON.stringify(event)))).toEqual({
      reason: 'unknown-version',
      errors: ['/version: message.send-requested has no version 7 (known: 1)'],
    });
  });

  it('rejects a missing type or a non-object as a schema violation', () => {
    expect(failure(decodeEvent('rows', '[]'))).toMatchObject({ reason: 'schema' });
    expect(failure(decodeEvent('rows', '{"version":1}'))).toEqual({
      reason: 'schema',
      errors: ['/type: Expected string'],
    });
  });

  it('rejects oversized values before parsing, with a configurable limit', () => {
    const value = encodeEvent(sendRequest()).value;
    expect(decodeEvent('sendRequests', value, { maxBytes: value.length }).ok).toBe(true);
    const result = failure(decodeEvent('sendRequests', value, { maxBytes: value.length - 1 }));
    expect(result.reason).toBe('oversized');
    expect(failure(decodeEvent('sendRequests', 'x'.repeat(1_000_001))).reason).toBe('oversized');
  });

  it('tolerates unknown extra fields (additive changes within a version)', () => {
    const event = sendRequest();
    const extended = { ...event, payload: { ...event.payload, priority: 'high' }, extra: true };
    expect(decodeEvent('sendRequests', JSON.stringify(extended)).ok).toBe(true);
  });

  it('validateEvent returns the errors of any event', () => {
    expect(validateEvent(sendRequest())).toEqual([]);
    expect(validateEvent({ type: 'nope', version: 1 })).toEqual([
      "/type: unknown event type 'nope'",
    ]);
  });
});

describe('createDeadLetter', () => {
  it('wraps a rejected message with its reason, keeping tenant and correlation id', () => {
    const original = { ...sendRequest(), version: 9 };
    const raw = Buffer.from(JSON.stringify(original));
    const decoded = failure(decodeEvent('sendRequests', raw));
    const deadLetter = createDeadLetter(
      {
        topic: 'staging.send-requests',
        partition: 4,
        offset: '1200',
        key: Buffer.from(original.payload.recipientId),
        value: raw,
        headers: { traceparent: Buffer.from('00-abc-def-01') },
      },
      { reason: 'unknown-version', errors: decoded.errors },
      { consumer: 'dispatcher' },
    );
    expect(deadLetter.tenantId).toBe('acme');
    expect(deadLetter.correlationId).toBe('corr-1');
    expect(deadLetter.payload.value).toEqual({
      encoding: 'utf8',
      data: raw.toString('utf8'),
      sizeBytes: raw.length,
      truncated: false,
    });
    expect(deadLetter.payload.headers).toEqual({ traceparent: '00-abc-def-01' });
    const encoded = encodeEvent(deadLetter);
    expect(encoded.key).toBe(original.payload.recipientId);
    expect(encoded.headers[EVENT_HEADERS.deadLetterReason]).toBe('unknown-version');
    expect(encoded.headers[EVENT_HEADERS.deadLetterSourceTopic]).toBe('staging.send-requests');
    expect(decodeEvent('deadLetter', encoded.value).ok).toBe(true);
  });

  it('base64-encodes binary values, truncates big ones, and handles tombstones', () => {
    const binary = createDeadLetter(
      {
        topic: 'rows',
        partition: 0,
        offset: '1',
        key: null,
        value: Buffer.from([0xff, 0x00, 0x01, 0x02]),
      },
      { reason: 'not-json', errors: ['value is not valid UTF-8'] },
      { consumer: 'status-tracker', maxValueBytes: 2 },
    );
    expect(binary.tenantId).toBe(UNKNOWN_TENANT);
    expect(binary.payload.value).toEqual({
      encoding: 'base64',
      data: '/wA=',
      sizeBytes: 4,
      truncated: true,
    });
    expect(encodeEvent(binary).key).toBeNull();

    const tombstone = createDeadLetter(
      { topic: 'rows', partition: 0, offset: '2', value: null },
      { reason: 'not-json', errors: ['message has no value (tombstone)'] },
      { consumer: 'status-tracker' },
    );
    expect(tombstone.payload.value).toEqual({
      encoding: 'utf8',
      data: '',
      sizeBytes: 0,
      truncated: false,
    });
    expect(validateEvent(tombstone)).toEqual([]);
  });
});

describe('types', () => {
  it('tie topics to their events and payloads to their types (checked by tsc)', () => {
    const rows = createEnvelope('broadcast.rows', BroadcastRowsV1.example, context);
    // @ts-expect-error a rows event does not belong on send-requests
    const misplaced: EventsByTopic['sendRequests'] = rows;
    // @ts-expect-error the payload must match the type
    const wrongPayload = createEnvelope('message.send-result', { recipientId: 'b:1' }, context);
    const onRows: EventsByTopic['rows'] = rows;
    expect([misplaced, wrongPayload, onRows].length).toBe(3);
  });
});
