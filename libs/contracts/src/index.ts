export * from './topics.js';
export * from './headers.js';
export * from './ids.js';
export * from './primitives.js';
export {
  envelopeSchema,
  defineEvent,
  type EventDefinition,
  type EnvelopeSchema,
} from './envelope.js';
export * from './events/uploaded.js';
export * from './events/rows.js';
export * from './events/send-requests.js';
export * from './events/send-results.js';
export * from './events/dead-letter.js';
export * from './events/control.js';
export * from './catalogue.js';
export * from './codec.js';
export * from './render.js';
