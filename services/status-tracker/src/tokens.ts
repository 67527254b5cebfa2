/** DI token of the service's pino logger (classes take `.child({ component })` of it). */
export const LOGGER = Symbol('LOGGER');
