import { randomUUID } from 'node:crypto';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import type { TSchema } from '@sinclair/typebox';
import {
  findDefinition,
  knownVersions,
  latestVersion,
  definitionsForTopic,
  EVENT_DEFINITIONS,
  type AnyEventDefinition,
  type ContractEvent,
  type EventOf,
  type EventsByTopic,
  type EventType,
  type PayloadOf,
} from './catalogue.js';
import type { EventDefinition } from './envelope.js';
import type { DeadLetterReason } from './events/dead-letter.js';
import { registerFormats } from './formats.js';
import { EVENT_CONTENT_TYPE, EVENT_HEADERS, UNKNOWN_TENANT } from './headers.js';
import { TOPICS, type TopicKey } from './topics.js';

/**
 * Encoding and decoding of events. Consumers call decodeEvent on every message and dead-letter the
 * failures (createDeadLetter) instead of crashing or retrying: an invalid event never becomes valid,
 * so retrying it would only block its partition.
 */

registerFormats();

/** Kafka's default `max.message.bytes` is 1 MiB; stay under it with room for headers. */
export const DEFAULT_MAX_EVENT_BYTES = 1_000_000;
const MAX_REPORTED_ERRORS = 20;

export type DecodeFailureReason = Exclude<DeadLetterReason, 'processing'>;

export type DecodeResult<TEvent> =
  { ok: true; event: TEvent } | { ok: false; reason: DecodeFailureReason; errors: string[] };

export interface DecodeOptions {
  /** Reject values larger than this many bytes as `oversized` (default DEFAULT_MAX_EVENT_BYTES). */
  maxBytes?: number;
}

/** A message ready for a Kafka producer (kafkajs `messages: [record]`). */
export interface EncodedEvent {
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/** Thrown by encodeEvent: producing an invalid event is a programmer error, never retried. */
export class ContractViolationError extends Error {
  readonly retriable = false;
  constructor(
    message: string,
    readonly errors: readonly string[],
  ) {
    super(`${message}: ${errors.join('; ')}`);
    this.name = 'ContractViolationError';
  }
}

const validators = new Map<AnyEventDefinition, TypeCheck<TSchema>>();
function validatorFor(definition: AnyEventDefinition): TypeCheck<TSchema> {
  let validator = validators.get(definition);
  if (!validator) {
    validator = TypeCompiler.Compile(definition.schema);
    validators.set(definition, validator);
  }
  return validator;
}

/** Validation errors of an event against its own (type, version) schema; empty when valid. */
export function validateEvent(event: unknown): string[] {
  const check = identify(event, undefined);
  if (!check.ok) return check.errors;
  return schemaErrors(check.definition, event);
}

/**
 * Decodes one Kafka message value consumed from `topic` (a TopicKey, not the prefixed name). Never
 * throws: every failure comes back as a reason for the dead-letter topic.
 */
export function decodeEvent<K extends TopicKey>(
  topic: K,
  raw: Uint8Array | string | null | undefined,
  options: DecodeOptions = {},
): DecodeResult<EventsByTopic[K]> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_EVENT_BYTES;
  if (raw === null || raw === undefined) {
    return { ok: false, reason: 'not-json', errors: ['message has no value (tombstone)'] };
  }
  const size = typeof raw === 'string' ? Buffer.byteLength(raw, 'utf8') : raw.byteLength;
  if (size > maxBytes) {
    return {
      ok: false,
      reason: 'oversized',
      errors: [`value is ${size} bytes, the limit is ${maxBytes}`],
    };
  }
  let text: string;
  try {
    text = typeof raw === 'string' ? raw : new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return { ok: false, reason: 'not-json', errors: ['value is not valid UTF-8'] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: 'not-json', errors: [(error as Error).message] };
  }
  const identified = identify(value, topic);
  if (!identified.ok) return identified;
  const errors = schemaErrors(identified.definition, value);
  if (errors.length > 0) return { ok: false, reason: 'schema', errors };
  return { ok: true, event: value as EventsByTopic[K] };
}

/**
 * Validates and serialises an event for `producer.send`. The key follows the event's contract
 * (send-requests by recipient, rows by broadcast, ...); headers carry type, version, tenant and
 * correlation id. Throws ContractViolationError for an invalid event.
 */
export function encodeEvent(
  event: ContractEvent,
  options: { validate?: boolean } = {},
): EncodedEvent {
  const identified = identify(event, undefined);
  if (!identified.ok) throw new ContractViolationError('cannot encode event', identified.errors);
  const definition = identified.definition as EventDefinition;
  if (options.validate !== false) {
    const errors = schemaErrors(identified.definition, event);
    if (errors.length > 0)
      throw new ContractViolationError(`invalid ${event.type} v${event.version}`, errors);
  }
  return {
    key: definition.key(event.payload),
    value: JSON.stringify(event),
    headers: {
      [EVENT_HEADERS.contentType]: EVENT_CONTENT_TYPE,
      [EVENT_HEADERS.type]: event.type,
      [EVENT_HEADERS.version]: String(event.version),
      [EVENT_HEADERS.tenantId]: event.tenantId,
      [EVENT_HEADERS.correlationId]: event.correlationId,
      ...definition.headers?.(event.payload),
    },
  };
}

/** The Kafka key an event is published under (see each event's `keyDescription`). */
export function eventKey(event: ContractEvent): string | null {
  const definition = findDefinition(event.type, event.version) as EventDefinition | undefined;
  if (!definition)
    throw new ContractViolationError('cannot key event', [
      `unknown event ${event.type} v${event.version}`,
    ]);
  return definition.key(event.payload);
}

export interface EnvelopeContext {
  tenantId: string;
  correlationId: string;
  /** Defaults to a random UUID. Pass a deterministic one to make re-publishing idempotent downstream. */
  id?: string;
  /** Defaults to now. */
  occurredAt?: Date | string;
}

/** Wraps a payload in the envelope of the newest version of `type`. Does not validate (encodeEvent does). */
export function createEnvelope<TType extends EventType>(
  type: TType,
  payload: PayloadOf<TType>,
  context: EnvelopeContext,
): EventOf<TType> {
  const occurredAt = context.occurredAt ?? new Date();
  return {
    type,
    version: latestVersion(type),
    id: context.id ?? randomUUID(),
    occurredAt: typeof occurredAt === 'string' ? occurredAt : occurredAt.toISOString(),
    tenantId: context.tenantId,
    correlationId: context.correlationId,
    payload,
  } as unknown as EventOf<TType>;
}

/** The parts of a consumed Kafka message a dead letter needs (a kafkajs KafkaMessage plus topic/partition fits). */
export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key?: Uint8Array | string | null;
  value: Uint8Array | string | null;
  headers?: Record<string, Uint8Array | string | (Uint8Array | string)[] | undefined>;
  timestamp?: string;
}

export interface DeadLetterOptions {
  /** Consumer group or service name. */
  consumer: string;
  /** Keep at most this many bytes of the original value (default 256 KiB; base64 grows it by a third). */
  maxValueBytes?: number;
  occurredAt?: Date;
}

/**
 * Builds the dead-letter event for a message that cannot be handled. Tenant and correlation id are
 * taken from the original when it is readable JSON with those fields, so the dead letter shows up in
 * the same traces and tenant views; otherwise UNKNOWN_TENANT and a fresh id.
 */
export function createDeadLetter(
  message: ConsumedMessage,
  failure: { reason: DeadLetterReason; errors: readonly string[] },
  options: DeadLetterOptions,
): EventOf<'event.dead-lettered'> {
  const maxValueBytes = options.maxValueBytes ?? 256 * 1024;
  const value = toBuffer(message.value);
  const original = readEnvelopeFields(value);
  const kept = value.subarray(0, maxValueBytes);
  const utf8 = decodeUtf8(value);
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(message.headers ?? {})) {
    if (header === undefined) continue;
    const values = Array.isArray(header) ? header : [header];
    headers[name] = values.map((item) => toBuffer(item).toString('utf8')).join(',');
  }
  return createEnvelope(
    'event.dead-lettered',
    {
      source: {
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        key:
          message.key === null || message.key === undefined
            ? null
            : toBuffer(message.key).toString('utf8'),
        ...(message.timestamp === undefined ? {} : { timestamp: message.timestamp }),
      },
      consumer: options.consumer,
      reason: failure.reason,
      errors: failure.errors.slice(0, 50).map((error) => error.slice(0, 2000)),
      value: {
        encoding: utf8 === undefined ? 'base64' : 'utf8',
        data: utf8 === undefined ? kept.toString('base64') : kept.toString('utf8'),
        sizeBytes: value.byteLength,
        truncated: kept.byteLength < value.byteLength,
      },
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
    },
    {
      tenantId: original.tenantId ?? UNKNOWN_TENANT,
      correlationId: original.correlationId ?? randomUUID(),
      ...(options.occurredAt ? { occurredAt: options.occurredAt } : {}),
    },
  );
}

/** Every event definition with its topic's unprefixed name, e.g. for documentation tooling. */
export function describeEvents(): { type: string; version: number; topic: string }[] {
  return EVENT_DEFINITIONS.map((definition) => ({
    type: definition.type,
    version: definition.version,
    topic: TOPICS[definition.topic],
  }));
}

type Identified =
  | { ok: true; definition: AnyEventDefinition }
  | { ok: false; reason: DecodeFailureReason; errors: string[] };

/** Reads `type` and `version` and finds the definition; `topic` restricts the types accepted. */
function identify(value: unknown, topic: TopicKey | undefined): Identified {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'schema', errors: ['/: Expected an object (the event envelope)'] };
  }
  const { type, version } = value as { type?: unknown; version?: unknown };
  if (typeof type !== 'string')
    return { ok: false, reason: 'schema', errors: ['/type: Expected string'] };
  const versions = knownVersions(type);
  if (versions.length === 0) {
    return { ok: false, reason: 'unknown-type', errors: [`/type: unknown event type '${type}'`] };
  }
  if (topic !== undefined) {
    const onTopic = definitionsForTopic(topic);
    if (!onTopic.some((definition) => definition.type === type)) {
      const expected = [...new Set(onTopic.map((definition) => definition.type))].join(', ');
      return {
        ok: false,
        reason: 'unknown-type',
        errors: [
          `/type: '${type}' is not carried on topic '${TOPICS[topic]}' (expected one of: ${expected})`,
        ],
      };
    }
  }
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    return { ok: false, reason: 'schema', errors: ['/version: Expected integer'] };
  }
  const definition = findDefinition(type, version);
  if (!definition) {
    return {
      ok: false,
      reason: 'unknown-version',
      errors: [`/version: ${type} has no version ${version} (known: ${versions.join(', ')})`],
    };
  }
  return { ok: true, definition };
}

function schemaErrors(definition: AnyEventDefinition, value: unknown): string[] {
  const validator = validatorFor(definition);
  if (validator.Check(value)) return [];
  const errors: string[] = [];
  collect(validator.Errors(value), errors);
  return errors.length > 0 ? errors : ['/: does not match the schema'];
}

function collect(iterator: Iterable<ValueError>, into: string[]): void {
  for (const error of iterator) {
    if (into.length >= MAX_REPORTED_ERRORS) return;
    if (error.type === ValueErrorType.Union && explainUnion(error, into)) continue;
    const line = `${error.path || '/'}: ${error.message}`;
    if (!into.includes(line)) into.push(line);
  }
}

/**
 * TypeBox reports a failed union only as "Expected union value". Our unions are discriminated by a
 * literal property (`type`, `status`, `kind`): when the value names one variant, report that
 * variant's errors, which name the actual field.
 */
function explainUnion(error: ValueError, into: string[]): boolean {
  const variants = (error.schema as { anyOf?: TSchema[] }).anyOf;
  const value = error.value as Record<string, unknown> | null;
  if (!variants || typeof value !== 'object' || value === null) return false;
  const matching: number[] = [];
  const discriminators = new Map<string, unknown[]>();
  variants.forEach((variant, index) => {
    const properties =
      (variant as { properties?: Record<string, { const?: unknown }> }).properties ?? {};
    const literals = Object.entries(properties).filter(
      ([, property]) => property.const !== undefined,
    );
    for (const [name, property] of literals) {
      discriminators.set(name, [...(discriminators.get(name) ?? []), property.const]);
    }
    if (
      literals.length > 0 &&
      literals.every(([name, property]) => value[name] === property.const)
    ) {
      matching.push(index);
    }
  });
  const only = matching.length === 1 ? matching[0] : undefined;
  const variantErrors = only === undefined ? undefined : error.errors[only];
  if (variantErrors) {
    collect(variantErrors, into);
    return true;
  }
  const [name, allowed] =
    [...discriminators.entries()].find(([, values]) => values.length === variants.length) ?? [];
  if (name === undefined || allowed === undefined) return false;
  into.push(
    `${error.path}/${name}: Expected one of ${allowed.map((item) => JSON.stringify(item)).join(', ')}`,
  );
  return true;
}

function toBuffer(value: Uint8Array | string | null | undefined): Buffer {
  if (value === null || value === undefined) return Buffer.alloc(0);
  return typeof value === 'string'
    ? Buffer.from(value, 'utf8')
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function decodeUtf8(value: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(value);
  } catch {
    return undefined;
  }
}

function readEnvelopeFields(value: Buffer): { tenantId?: string; correlationId?: string } {
  if (value.byteLength > 16 * 1024 * 1024) return {};
  try {
    const parsed = JSON.parse(value.toString('utf8')) as {
      tenantId?: unknown;
      correlationId?: unknown;
    };
    const result: { tenantId?: string; correlationId?: string } = {};
    if (
      typeof parsed.tenantId === 'string' &&
      /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/.test(parsed.tenantId)
    ) {
      result.tenantId = parsed.tenantId;
    }
    if (
      typeof parsed.correlationId === 'string' &&
      parsed.correlationId.length > 0 &&
      parsed.correlationId.length <= 128
    ) {
      result.correlationId = parsed.correlationId;
    }
    return result;
  } catch {
    return {};
  }
}
