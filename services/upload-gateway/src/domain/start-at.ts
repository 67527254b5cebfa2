/**
 * The optional body of `POST /v1/broadcasts/{id}/start`: `{ "startAt": "2026-11-27T10:00:00Z" }`.
 * Pure: the caller passes the clock. RFC 3339 with an explicit offset (`Z` or `±hh:mm`): a time
 * without one would be read in some server's zone. Not in the past, at most MAX_SCHEDULE_DAYS ahead
 * (a schedule is a promise the platform keeps; months ahead, the template or the list has changed).
 */
import { GatewayError, invalidRequest } from './errors.js';

export const MAX_SCHEDULE_DAYS = 30;

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

export const invalidStartTime = (message: string, details?: Record<string, unknown>) =>
  new GatewayError('unprocessable', 'invalid-start-time', message, details);

/** undefined: start now. Throws 400 for a malformed body, 422 `invalid-start-time` for a bad time. */
export function parseStartRequest(body: unknown, now: Date): Date | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw invalidRequest('the start body must be a JSON object such as {"startAt": "…"}');
  }
  const unknown = Object.keys(body).filter((key) => key !== 'startAt');
  if (unknown.length > 0) {
    throw invalidRequest(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`, [
      ...unknown.map((key) => `${key}: unknown field`),
    ]);
  }
  const given = (body as { startAt?: unknown }).startAt;
  if (given === undefined || given === null) return undefined;
  if (typeof given !== 'string') {
    throw invalidStartTime('startAt must be a string: an RFC 3339 time with offset');
  }
  const match = RFC3339.exec(given);
  const startAt = new Date(given);
  if (
    !match ||
    Number.isNaN(startAt.getTime()) ||
    Number(match[2]) > 12 ||
    Number(match[3]) > 31 ||
    Number(match[4]) > 23 ||
    Number(match[5]) > 59 ||
    Number(match[6]) > 60
  ) {
    throw invalidStartTime(
      `startAt "${given.slice(0, 64)}" is not an RFC 3339 time with offset, e.g. 2026-11-27T10:00:00Z or 2026-11-27T11:00:00+01:00`,
    );
  }
  if (startAt.getTime() < now.getTime()) {
    throw invalidStartTime(
      `startAt ${startAt.toISOString()} is in the past (now ${now.toISOString()}): leave it out to start now`,
      { now: now.toISOString() },
    );
  }
  const latest = new Date(now.getTime() + MAX_SCHEDULE_DAYS * 86_400_000);
  if (startAt.getTime() > latest.getTime()) {
    throw invalidStartTime(
      `startAt ${startAt.toISOString()} is more than ${MAX_SCHEDULE_DAYS} days ahead (latest ${latest.toISOString()})`,
      { latest: latest.toISOString() },
    );
  }
  return startAt;
}
