/**
 * Business errors of the gateway, independent of HTTP: each carries a stable machine-readable `code`
 * (part of the public API: never renamed, only added), a message a person can act on, optional
 * details, and a `kind` that each edge maps once (the HTTP filter: kind → status).
 */
export type ErrorKind =
  | 'invalid-request' // 400
  | 'unauthenticated' // 401
  | 'not-found' // 404
  | 'conflict' // 409
  | 'too-large' // 413
  | 'rate-limited' // 429
  | 'unprocessable' // 422
  | 'upstream' // 502
  | 'unavailable'; // 503

export class GatewayError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

export const broadcastNotFound = (id: string): GatewayError =>
  new GatewayError(
    'not-found',
    'broadcast-not-found',
    `broadcast "${id.length > 80 ? `${id.slice(0, 80)}…` : id}" does not exist`,
  );

export const invalidRequest = (message: string, errors?: readonly string[]): GatewayError =>
  new GatewayError('invalid-request', 'invalid-request', message, errors ? { errors } : undefined);

export const uploadTooLarge = (limitBytes: number, sizeBytes?: number): GatewayError =>
  new GatewayError(
    'too-large',
    'file-too-large',
    sizeBytes === undefined
      ? `the file is larger than the limit of ${limitBytes} bytes`
      : `the file is ${sizeBytes} bytes, over the limit of ${limitBytes} bytes`,
    { limitBytes, ...(sizeBytes === undefined ? {} : { sizeBytes }) },
  );

/** A dependency answered with something we cannot use (status-tracker, Cloud API, object store). */
export const upstreamFailed = (
  dependency: string,
  message: string,
  details?: Record<string, unknown>,
): GatewayError =>
  new GatewayError('upstream', `${dependency}-failed`, message, { dependency, ...details });

/** A dependency could not be reached at all. */
export const upstreamUnavailable = (dependency: string, message: string): GatewayError =>
  new GatewayError('unavailable', `${dependency}-unavailable`, message, { dependency });
