export * from './delimiter.js';
export * from './evaluate-csv.js';
export * from './parameters.js';
export * from './phone-index.js';
export * from './phone.js';
export * from './row-evaluator.js';
export * from './sniff.js';
