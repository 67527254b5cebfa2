import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { SERVICE_CONFIG } from '@wab/service-runtime';
import type { GatewayConfig } from '../config.js';
import { extractApiKey, verifyApiKey } from '../domain/api-keys.js';
import { GatewayError } from '../domain/errors.js';
import { TenantRateLimiter } from '../domain/rate-limit.js';
import type { GatewayRequest } from './http-context.js';

/**
 * `Authorization: Bearer <key>` or `x-api-key: <key>` → the tenant, from the key alone (no header or
 * parameter can choose another tenant). 401 otherwise, with a message saying what to send. Then the
 * tenant's request rate limit: 429 with Retry-After beyond RATE_LIMIT_PER_MINUTE.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly limiter: TenantRateLimiter;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: GatewayConfig) {
    this.limiter = new TenantRateLimiter(config.RATE_LIMIT_PER_MINUTE, config.RATE_LIMIT_BURST);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<GatewayRequest>();
    const presented = extractApiKey(request.headers);
    switch (presented.kind) {
      case 'none':
        throw new GatewayError(
          'unauthenticated',
          'missing-api-key',
          'this API needs an API key: send "Authorization: Bearer <api key>" or "x-api-key: <api key>"',
        );
      case 'invalid':
        throw new GatewayError('unauthenticated', 'invalid-api-key', presented.reason);
      case 'key': {
        const tenantId = verifyApiKey(presented.key, this.config.API_KEYS);
        if (tenantId === undefined) {
          throw new GatewayError('unauthenticated', 'invalid-api-key', 'the API key is not valid');
        }
        request.tenantId = tenantId;
        // Per tenant, after authentication: one tenant's script cannot starve the others.
        const waitMs = this.limiter.take(tenantId);
        if (waitMs !== undefined) {
          const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
          throw new GatewayError(
            'rate-limited',
            'rate-limited',
            `too many requests for this API key: at most ${this.config.RATE_LIMIT_PER_MINUTE} a minute (bursts of ${this.config.RATE_LIMIT_BURST}); retry in ${retryAfterSeconds} s`,
            { retryAfterSeconds },
          );
        }
        return true;
      }
    }
  }
}
