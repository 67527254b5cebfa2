import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOperation,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ResendService, type ResendAccepted } from '../resend.service.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { RequestId, Tenant } from './http-context.js';
import { ErrorSchema, openapi } from './openapi.schemas.js';

const error = (status: number, description: string) =>
  ApiResponse({ status, description, schema: openapi(ErrorSchema) });

/** `POST /v1/broadcasts/{id}/resend`: a new wave for the recipients whose failure is resendable. */
@ApiTags('broadcasts')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Controller('v1/broadcasts')
@UseGuards(ApiKeyGuard)
export class ResendController {
  constructor(private readonly resends: ResendService) {}

  @Post(':id/resend')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Resend to failed: start a new wave of the broadcast for its resendable failures',
    description:
      'Selects the recipients of the broadcast (and of its earlier waves) whose latest outcome is `failed` with a ' +
      'resendable error code (default 1, 2, 4, 80007, 130429, 131000, 131016, 131049, 131056, 131057; 131026 and ' +
      '131053 only when named in `errorCodes`) or `unknown` with no status webhook past the unknown window. Never: ' +
      'accepted, sent, delivered or read in any wave, skipped (invalid, duplicate, opted out), cancelled, permanent ' +
      'or account errors. The wave is a new broadcast (`id` in the answer; follow it like any broadcast) whose rows ' +
      "keep the original's row numbers; `GET /v1/broadcasts/{original}` lists the waves. 202 once its " +
      '`broadcast.uploaded` is durable in Kafka. Works on the original id or any wave id.',
  })
  @ApiBody({
    required: false,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        states: { type: 'array', items: { type: 'string', enum: ['failed', 'unknown'] } },
        errorCodes: { type: 'array', items: { type: 'integer' }, example: [131000, 131016] },
      },
    },
  })
  @ApiResponse({
    status: 202,
    schema: {
      type: 'object',
      required: ['id', 'parentBroadcastId', 'wave', 'selected', 'statusUrl'],
      properties: {
        id: { type: 'string', description: "The wave's broadcast id." },
        parentBroadcastId: { type: 'string' },
        wave: { type: 'integer', description: '2 for the first resend, ...' },
        selected: { type: 'integer', description: 'Recipients selected into the wave.' },
        statusUrl: { type: 'string' },
      },
    },
  })
  @error(400, 'A state or error code that is never resent, or a malformed body.')
  @error(404, 'No such broadcast for this tenant.')
  @error(
    409,
    'The broadcast or its latest wave is still running or paused (`broadcast-running`), or was never started (`broadcast-not-started`).',
  )
  @error(
    422,
    'No recipient is eligible (`nothing-to-resend`), or the broadcast has no CSV to re-read (`not-resendable`).',
  )
  resend(
    @Tenant() tenantId: string,
    @RequestId() requestId: string,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<ResendAccepted> {
    return this.resends.resend(tenantId, id, body, requestId);
  }
}
