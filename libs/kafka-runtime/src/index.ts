export * from './topics.js';
export * from './bus/kafka.js';
export * from './bus/connection.js';
export * from './bus/publisher.js';
export * from './bus/event-consumer.js';
export * from './parallel/offset-tracker.js';
export * from './parallel/key-lanes.js';
export * from './parallel/parallel-consumer.js';
