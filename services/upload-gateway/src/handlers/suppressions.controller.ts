import { pipeline } from 'node:stream/promises';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Put,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from '@sinclair/typebox';
import type { Response } from 'express';
import type { Logger } from '@wab/service-runtime';
import { invalidRequest } from '../domain/errors.js';
import { SuppressionsService } from '../suppressions.service.js';
import { LOGGER } from '../tokens.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { Tenant } from './http-context.js';
import { ErrorSchema, openapi } from './openapi.schemas.js';

const SuppressionSchema = Type.Object({
  phone: Type.String({ description: 'E.164', examples: ['+4915123456789'] }),
  reason: Type.Union(
    [Type.Literal('stop-reply'), Type.Literal('user-preferences'), Type.Literal('api')],
    {
      description:
        '`stop-reply`: the recipient replied STOP (or tapped an opt-out button); `user-preferences`: they stopped ' +
        'marketing messages in WhatsApp; `api`: added through this API.',
    },
  ),
  detail: Type.Optional(
    Type.String({ description: "The keyword, Meta's detail text or the operator's note." }),
  ),
  phoneNumberId: Type.Optional(
    Type.String({ description: 'The business number that received the opt-out.' }),
  ),
  messageId: Type.Optional(
    Type.String({ description: 'The inbound message (wamid) of a STOP reply.' }),
  ),
  optedOutAt: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
});
const SuppressionPageSchema = Type.Object({
  items: Type.Array(SuppressionSchema),
  nextCursor: Type.Optional(
    Type.String({ description: 'Pass as `after` for the next page; absent on the last one.' }),
  ),
});
const AddBodySchema = Type.Object({
  detail: Type.Optional(
    Type.String({ maxLength: 500, description: 'A note kept with the entry.' }),
  ),
});

const error = (status: number, description: string) =>
  ApiResponse({ status, description, schema: openapi(ErrorSchema) });
const phoneParam = ApiParam({
  name: 'phone',
  description:
    'The number in international format (`+4915123456789`, `004915123456789` or `4915123456789`; URL-encode the `+` as `%2B`).',
});

/**
 * The tenant's suppression (opt-out) list. Recipients on it are skipped with reason `opted-out` when a
 * broadcast is composed, and counted by the dry run. Thin edge: the service normalises numbers and
 * status-tracker keeps the list.
 */
@ApiTags('suppressions')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class SuppressionsController {
  private readonly log: Logger;

  constructor(
    private readonly suppressions: SuppressionsService,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'SuppressionsController' });
  }

  @Get('suppressions')
  @ApiOperation({
    summary: 'The suppression list: JSON pages in number order, or the whole list as CSV',
    description:
      'Fed by STOP replies and WhatsApp marketing opt-outs (webhooks) and by `PUT /v1/suppressions/{phone}`. ' +
      '`format=csv` (or `GET /v1/suppressions.csv`) streams every entry: ' +
      '`phone,reason,detail,phone_number_id,message_id,opted_out_at,created_at`.',
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    type: Number,
    description: '1 to 1000 (default 100)',
  })
  @ApiQuery({
    name: 'after',
    required: false,
    type: String,
    description: 'nextCursor of the previous page',
  })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @ApiResponse({ status: 200, schema: openapi(SuppressionPageSchema) })
  @error(400, 'Bad limit, cursor or format.')
  async list(
    @Tenant() tenantId: string,
    @Query() query: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const format = single(query.format, 'format');
    if (format === 'csv') return this.exportCsv(tenantId, response);
    if (format !== undefined && format !== 'json')
      throw invalidRequest('format must be json or csv');
    const limit = single(query.limit, 'limit');
    if (
      limit !== undefined &&
      (!/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > 1000)
    ) {
      throw invalidRequest('limit must be a whole number from 1 to 1000');
    }
    const after = single(query.after, 'after');
    const page = await this.suppressions.page(tenantId, {
      ...(limit !== undefined ? { limit: Number(limit) } : {}),
      ...(after ? { after } : {}),
    });
    response.status(200).json(page);
  }

  @Get('suppressions.csv')
  @ApiOperation({ summary: 'The whole suppression list as CSV, streamed' })
  @ApiProduces('text/csv')
  @ApiResponse({ status: 200, content: { 'text/csv': { schema: { type: 'string' } } } })
  async csv(@Tenant() tenantId: string, @Res() response: Response): Promise<void> {
    return this.exportCsv(tenantId, response);
  }

  @Put('suppressions/:phone')
  @ApiOperation({
    summary: 'Add a number (reason `api`)',
    description:
      'Normalised to E.164 first. 201 when added, 200 when it was listed already (left as it was, whatever its reason).',
  })
  @phoneParam
  @ApiBody({ required: false, schema: openapi(AddBodySchema) })
  @ApiResponse({ status: 201, schema: openapi(SuppressionSchema) })
  @ApiResponse({ status: 200, schema: openapi(SuppressionSchema) })
  @error(422, 'Not a phone number in international format (`invalid-phone`).')
  async add(
    @Tenant() tenantId: string,
    @Param('phone') phone: string,
    @Body() body: unknown,
    @Res() response: Response,
  ): Promise<void> {
    let detail: string | undefined;
    if (body !== undefined && body !== null && typeof body === 'object' && 'detail' in body) {
      if (typeof body.detail !== 'string' || body.detail.length > 500) {
        throw invalidRequest('detail must be a string of at most 500 characters');
      }
      detail = body.detail;
    }
    const { created, suppression } = await this.suppressions.add(tenantId, phone, detail);
    response.status(created ? 201 : 200).json(suppression);
  }

  @Delete('suppressions/:phone')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Remove a number, whatever its reason',
    description: 'Later broadcasts message it again. 404 when it is not listed.',
  })
  @phoneParam
  @ApiResponse({ status: 204, description: 'Removed.' })
  @error(404, 'Not on the list (`suppression-not-found`).')
  @error(422, 'Not a phone number in international format (`invalid-phone`).')
  async remove(@Tenant() tenantId: string, @Param('phone') phone: string): Promise<void> {
    await this.suppressions.remove(tenantId, phone);
  }

  private async exportCsv(tenantId: string, response: Response): Promise<void> {
    const body = await this.suppressions.exportCsv(tenantId);
    response.status(200);
    response.setHeader('content-type', 'text/csv; charset=utf-8');
    response.setHeader('content-disposition', 'attachment; filename="suppressions.csv"');
    response.setHeader('cache-control', 'no-store');
    try {
      await pipeline(body, response);
    } catch (err) {
      this.log.warn(
        { tenantId, err: err instanceof Error ? err.message : String(err) },
        'suppression export ended early',
      );
    }
  }
}

function single(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`give the query parameter "${name}" once`);
  return value;
}
