/**
 * Kafka topics of the pipeline.
 *
 * LOUD WARNING: these names are persisted identifiers. Renaming one strands every event already in
 * the old topic and every committed consumer offset for it. Add a new topic and migrate instead.
 * Deployments may prefix all of them (KAFKA_TOPIC_PREFIX) to share a cluster.
 */
export const TOPICS = {
  /** upload-gateway → csv-splitter: a broadcast's file is in the object store, start splitting. */
  uploaded: 'uploaded',
  /** csv-splitter → csv-splitter (compose stage) and status-tracker: validated recipient rows. */
  rows: 'rows',
  /** csv-splitter → dispatcher: one rendered template message per recipient, keyed by recipient. */
  sendRequests: 'send-requests',
  /** dispatcher → status-tracker: the outcome of each send (wamid or classified error). */
  sendResults: 'send-results',
  /** any consumer → operators: events that failed validation, with the reason in a header. */
  deadLetter: 'dead-letter',
  /** upload-gateway, dispatcher → dispatcher, csv-splitter, status-tracker: pause/resume/cancel. */
  broadcastControl: 'broadcast-control',
} as const;

export type TopicKey = keyof typeof TOPICS;
export type TopicName = (typeof TOPICS)[TopicKey];

/**
 * Default partition counts. send-requests carries the dispatcher's parallelism across replicas, so it
 * gets the most; partitions can be added later but never removed, and adding them moves keys.
 */
export const DEFAULT_PARTITIONS: Record<TopicKey, number> = {
  uploaded: 3,
  rows: 12,
  sendRequests: 24,
  sendResults: 12,
  deadLetter: 3,
  broadcastControl: 3,
};

/** The concrete topic name for a key under an optional deployment prefix. */
export function topicName(key: TopicKey, prefix = ''): string {
  return `${prefix}${TOPICS[key]}`;
}
