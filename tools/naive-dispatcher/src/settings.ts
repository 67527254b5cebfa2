import { topicName } from '@wab/contracts';

// Read once at start (the @EventPattern topic must be known when the decorator runs).
const env = process.env;

export const settings = {
  brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  groupId: env.NAIVE_GROUP_ID ?? 'naive-dispatcher',
  sendRequestsTopic: topicName('sendRequests', env.KAFKA_TOPIC_PREFIX ?? ''),
  sendResultsTopic: topicName('sendResults', env.KAFKA_TOPIC_PREFIX ?? ''),
  apiBaseUrl: env.WHATSAPP_API_BASE_URL ?? 'http://127.0.0.1:3100',
  apiVersion: env.WHATSAPP_API_VERSION ?? 'v23.0',
  token: env.WHATSAPP_TOKEN ?? 'dev-token',
};
