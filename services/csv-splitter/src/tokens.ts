/** DI token of the service's pino logger. */
export const LOGGER = Symbol('LOGGER');

/** Tunables of the split stage (from config). */
export class SplitSettings {
  constructor(
    readonly chunkSize: number,
    readonly maxRecordBytes: number,
    readonly strictWhitespace: boolean,
  ) {}
}
