/** DI tokens for values that are not classes. */
export const KAFKA = Symbol('KAFKA');
export const LOGGER = Symbol('LOGGER');
