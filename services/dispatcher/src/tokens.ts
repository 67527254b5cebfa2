/** DI tokens for values that are not classes. */
export const KAFKA = Symbol('KAFKA');
export const LOGGER = Symbol('LOGGER');
/** `{ count(): number }`: send requests in flight, for the in-flight gauge. */
export const IN_FLIGHT = Symbol('IN_FLIGHT');
/** The dispatcher's SqlDatabase: attempt record and parked requests. */
export const SQL_DATABASE = Symbol('SQL_DATABASE');
