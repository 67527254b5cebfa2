import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';

export type RuntimeLog = (
  level: 'debug' | 'info' | 'warn' | 'error',
  msg: string,
  fields?: object,
) => void;

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  log?: RuntimeLog;
  /** Extra kafkajs settings (ssl, sasl, ...). */
  extra?: Partial<KafkaConfig>;
}

/** One kafkajs client per process, with its log lines routed to the service's logger. */
export function createKafka({ brokers, clientId, log, extra }: KafkaConnection): Kafka {
  return new Kafka({
    brokers,
    clientId,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        if (!log) return;
        const { message, ...fields } = entry;
        log(
          level <= logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : 'info',
          `kafka: ${message}`,
          fields,
        );
      },
    retry: { initialRetryTime: 200, retries: 10 },
    ...extra,
  });
}
