import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { SERVICE_CONFIG } from '@wab/service-runtime';
import type { GatewayConfig } from '../config.js';
import { extractApiKey, verifyApiKey } from '../domain/api-keys.js';
import { GatewayError } from '../domain/errors.js';
import type { GatewayRequest } from './http-context.js';

/**
 * `Authorization: Bearer <key>` or `x-api-key: <key>` → the tenant, from the key alone (no header or
 * parameter can choose another tenant). 401 otherwise, with a message saying what to send.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: GatewayConfig) {}

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
        return true;
      }
    }
  }
}
