export * from './config.js';
export * from './tokens.js';
export * from './health.controller.js';
export * from './runtime.module.js';
export * from './bootstrap.js';
export * from './logger.js';
export * from './metrics.js';
export * from './readiness.js';
