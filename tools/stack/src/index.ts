export * from './stack.ts';
export * from './processes.ts';
export * from './csv-fixture.ts';
export * from './gateway-client.ts';
