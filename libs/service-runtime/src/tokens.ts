/** DI token for the service's name (used in health answers and logs). */
export const SERVICE_NAME = Symbol('SERVICE_NAME');
/** DI token for the service's validated configuration object. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
