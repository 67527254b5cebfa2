#!/usr/bin/env node
// Creates the pipeline's Kafka topics (idempotent). Run by the Helm chart's topics Job and usable by
// hand: KAFKA_BROKERS=localhost:9092 node libs/kafka-runtime/dist/create-topics.cli.js
// Settings: KAFKA_BROKERS, KAFKA_TOPIC_PREFIX, TOPIC_PARTITIONS_<KEY>, KAFKA_REPLICATION_FACTOR.
import { ensureTopics, topicsConfigFromEnv } from './topics.js';

try {
  const { brokers, options } = topicsConfigFromEnv(process.env);
  await ensureTopics(brokers, { ...options, log: (line) => console.log(line) });
} catch (error) {
  console.error(`create-topics: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
