import type { ServerResponse } from 'node:http';
import {
  BadRequestException,
  Controller,
  Get,
  Headers,
  HttpCode,
  Post,
  Query,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { SIGNATURE_HEADER } from '../domain/webhook-signature.js';
import {
  InvalidSignatureError,
  MalformedWebhookError,
  WebhookService,
} from '../webhook.service.js';
import type { RequestWithBody } from './body.middleware.js';

/**
 * Meta's webhook endpoint (the callback URL configured in the app dashboard). Thin: the handshake,
 * and the signed POST mapped onto HTTP (bad signature → 401 with nothing stored; a storage failure →
 * 500, which Meta retries with backoff).
 */
@Controller('webhooks/whatsapp')
export class WebhookController {
  constructor(private readonly webhooks: WebhookService) {}

  @Get()
  verify(
    @Query('hub.mode') mode: unknown,
    @Query('hub.verify_token') token: unknown,
    @Query('hub.challenge') challenge: unknown,
    @Res() res: ServerResponse,
  ): void {
    const answer = this.webhooks.verifySubscription(mode, token, challenge);
    res.statusCode = answer === undefined ? 403 : 200;
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end(answer ?? 'verification failed');
  }

  @Post()
  @HttpCode(200)
  async receive(
    @Req() req: RequestWithBody,
    @Headers(SIGNATURE_HEADER) signature: string | undefined,
  ): Promise<{ received: number }> {
    try {
      const { statuses } = await this.webhooks.receive(req.rawBody ?? Buffer.alloc(0), signature);
      return { received: statuses };
    } catch (error) {
      if (error instanceof InvalidSignatureError) throw new UnauthorizedException(error.message);
      if (error instanceof MalformedWebhookError) throw new BadRequestException(error.message);
      throw error;
    }
  }
}
