import type { Static, TSchema } from '@sinclair/typebox';
import { BroadcastControlV1 } from './events/control.js';
import { EventDeadLetteredV1 } from './events/dead-letter.js';
import {
  BroadcastRowSkippedV1,
  BroadcastRowsV1,
  BroadcastSplitCompletedV1,
  BroadcastSplitFailedV1,
  BroadcastSplitStartedV1,
} from './events/rows.js';
import { MessageSendRequestedV1 } from './events/send-requests.js';
import { MessageSendResultV1 } from './events/send-results.js';
import { BroadcastRequestedV1, BroadcastUploadedV1 } from './events/uploaded.js';
import type { TopicKey } from './topics.js';

/**
 * Every (type, version) the platform knows. Adding a version: add its definition here next to the old
 * one; consumers keep accepting the old version until no producer emits it any more.
 */
export const EVENT_DEFINITIONS = [
  BroadcastUploadedV1,
  BroadcastRequestedV1,
  BroadcastSplitStartedV1,
  BroadcastRowsV1,
  BroadcastRowSkippedV1,
  BroadcastSplitCompletedV1,
  BroadcastSplitFailedV1,
  MessageSendRequestedV1,
  MessageSendResultV1,
  EventDeadLetteredV1,
  BroadcastControlV1,
] as const;

export type AnyEventDefinition = (typeof EVENT_DEFINITIONS)[number];

/** Any event of any type and version, envelope included. */
export type ContractEvent = StaticOf<AnyEventDefinition>;
/** Distributes over a union of definitions. */
type StaticOf<D> = D extends { schema: TSchema } ? Static<D['schema']> : never;

export type EventType = ContractEvent['type'];
/** Every version of one event type. */
export type EventOf<TType extends EventType> = Extract<ContractEvent, { type: TType }>;
export type PayloadOf<TType extends EventType> = EventOf<TType>['payload'];

type DefinitionsOnTopic<K extends TopicKey> = Extract<AnyEventDefinition, { topic: K }>;
/** Producers and consumers of a topic type-check against this: the events it may carry. */
export type EventsByTopic = {
  [K in TopicKey]: StaticOf<DefinitionsOnTopic<K>>;
};
/** Event types per topic. */
export type EventTypesByTopic = { [K in TopicKey]: EventsByTopic[K]['type'] };

const byTypeAndVersion = new Map<string, AnyEventDefinition>();
const versionsByType = new Map<string, number[]>();
for (const definition of EVENT_DEFINITIONS) {
  const id = `${definition.type}@${definition.version}`;
  if (byTypeAndVersion.has(id)) throw new Error(`duplicate event definition ${id}`);
  byTypeAndVersion.set(id, definition);
  versionsByType.set(definition.type, [
    ...(versionsByType.get(definition.type) ?? []),
    definition.version,
  ]);
}

export function findDefinition(type: string, version: number): AnyEventDefinition | undefined {
  return byTypeAndVersion.get(`${type}@${version}`);
}

/** Known versions of a type, ascending; empty for an unknown type. */
export function knownVersions(type: string): readonly number[] {
  return [...(versionsByType.get(type) ?? [])].sort((a, b) => a - b);
}

/** The newest version of a known type: what createEnvelope produces. */
export function latestVersion(type: EventType): number {
  const versions = knownVersions(type);
  const latest = versions[versions.length - 1];
  if (latest === undefined) throw new Error(`unknown event type ${type}`);
  return latest;
}

export function definitionsForTopic(topic: TopicKey): AnyEventDefinition[] {
  return EVENT_DEFINITIONS.filter((definition) => definition.topic === topic);
}
