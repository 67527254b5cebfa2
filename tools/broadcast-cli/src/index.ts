export * from './client.ts';
export * from './progress.ts';
export * from './sse.ts';
export { main, follow, parseMap, isOver, type CliIo } from './cli.ts';
