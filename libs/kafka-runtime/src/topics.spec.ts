import { DEFAULT_PARTITIONS } from '@wab/contracts';
import { envSuffix, plannedPartitions, topicsConfigFromEnv } from './topics.js';

describe('topicsConfigFromEnv', () => {
  it('reads brokers, prefix, partition overrides and replication factor', () => {
    const cfg = topicsConfigFromEnv({
      KAFKA_BROKERS: 'a:9092, b:9092',
      KAFKA_TOPIC_PREFIX: 'stg.',
      TOPIC_PARTITIONS_SEND_REQUESTS: '48',
      TOPIC_PARTITIONS_DEAD_LETTER: '1',
      KAFKA_REPLICATION_FACTOR: '3',
    });
    expect(cfg.brokers).toEqual(['a:9092', 'b:9092']);
    expect(cfg.options).toEqual({
      prefix: 'stg.',
      partitions: { sendRequests: 48, deadLetter: 1 },
      replicationFactor: 3,
    });
  });

  it('names the bad variable', () => {
    expect(() => topicsConfigFromEnv({})).toThrow(/KAFKA_BROKERS/);
    expect(() =>
      topicsConfigFromEnv({ KAFKA_BROKERS: 'x:1', TOPIC_PARTITIONS_ROWS: 'many' }),
    ).toThrow(/TOPIC_PARTITIONS_ROWS/);
    expect(() =>
      topicsConfigFromEnv({ KAFKA_BROKERS: 'x:1', KAFKA_REPLICATION_FACTOR: '0' }),
    ).toThrow(/KAFKA_REPLICATION_FACTOR/);
  });
});

describe('plannedPartitions', () => {
  it('defaults to the contract and applies overrides', () => {
    expect(plannedPartitions()).toEqual(DEFAULT_PARTITIONS);
    expect(plannedPartitions({ rows: 2 }).rows).toBe(2);
    expect(() => plannedPartitions({ rows: 0 })).toThrow(/rows/);
  });

  it('maps keys to env suffixes', () => {
    expect(envSuffix('sendRequests')).toBe('SEND_REQUESTS');
    expect(envSuffix('uploaded')).toBe('UPLOADED');
  });
});
