import type { Request } from 'express';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** The express request as the gateway sees it: a request id always, a tenant once authenticated. */
export interface GatewayRequest extends Request {
  requestId: string;
  tenantId?: string;
}

/** The authenticated tenant (set by ApiKeyGuard; the tenant comes only from the API key). */
export const Tenant = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const tenantId = context.switchToHttp().getRequest<GatewayRequest>().tenantId;
  if (tenantId === undefined) throw new Error('Tenant() used on a route without ApiKeyGuard');
  return tenantId;
});

/** The request id (from a sane `x-request-id`, or generated). */
export const RequestId = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string =>
    context.switchToHttp().getRequest<GatewayRequest>().requestId,
);

/** The route whose body is streamed to the object store: no body parser may touch it. */
export const FILE_UPLOAD_ROUTE = /^\/v1\/broadcasts\/[^/]+\/file\/?$/;
