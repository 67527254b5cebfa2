import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { SERVICE_CONFIG } from '@wab/service-runtime';
import type { TrackerConfig } from '../config.js';

/**
 * Authenticates the callers of the internal API (`/internal/*`: upload-gateway, csv-splitter). The
 * routes trust `x-tenant-id`, so without this any pod that can reach the tracker (its network policy
 * must admit Meta's webhooks) could read or change any tenant's data. Each caller sends
 * `authorization: Bearer <INTERNAL_API_TOKEN>`.
 *
 * Runs before the body is read (an unauthenticated caller costs no buffering). The token is compared
 * as SHA-256 digests with timingSafeEqual: equal lengths whatever was sent, so neither the time taken
 * nor an early length check tells how much of a guess was right. Neither the header nor the token is
 * ever logged.
 */
@Injectable()
export class InternalAuthMiddleware implements NestMiddleware {
  private readonly expected: Buffer;

  constructor(@Inject(SERVICE_CONFIG) config: TrackerConfig) {
    this.expected = digest(config.INTERNAL_API_TOKEN);
  }

  use(req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void {
    const presented = bearerToken(req.headers.authorization);
    if (presented !== undefined && timingSafeEqual(digest(presented), this.expected)) {
      next();
      return;
    }
    // Nest's error body (as every other refusal of this API), plus the scheme the caller must use.
    res.statusCode = 401;
    res.setHeader('www-authenticate', 'Bearer realm="status-tracker internal API"');
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(
      JSON.stringify({
        message:
          presented === undefined
            ? 'the internal API requires authorization: Bearer <INTERNAL_API_TOKEN>'
            : 'the internal API token is not valid',
        error: 'Unauthorized',
        statusCode: 401,
      }),
    );
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The credentials of `Bearer <token>` (scheme case-insensitive, RFC 9110 §11.1); else undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1];
}
