import { DEFAULT_PARTITIONS, TOPICS, topicName } from './topics.js';

describe('topics', () => {
  it('applies the deployment prefix', () => {
    expect(topicName('sendRequests', 'staging.')).toBe('staging.send-requests');
    expect(topicName('uploaded')).toBe('uploaded');
  });

  it('gives send-requests at least 12 partitions', () => {
    expect(DEFAULT_PARTITIONS.sendRequests).toBeGreaterThanOrEqual(12);
    expect(Object.keys(DEFAULT_PARTITIONS).sort()).toEqual(Object.keys(TOPICS).sort());
  });
});
