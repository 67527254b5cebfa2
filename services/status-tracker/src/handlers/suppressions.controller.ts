import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { z } from 'zod';
import {
  suppressionView,
  SuppressionService,
  type SuppressionView,
} from '../suppression.service.js';
import { tenantOf } from './internal-api.controller.js';

/**
 * The suppression list on the internal API (upload-gateway proxies it; csv-splitter checks against
 * it). Scoped to `x-tenant-id` like every internal route. Numbers are E.164: the gateway normalises
 * what operators type before calling here.
 */
const E164 = /^\+[1-9]\d{4,16}$/;
const MAX_PAGE = 1000;
/** Numbers per check: a broadcast.rows chunk is at most 2000. */
export const MAX_CHECK = 5000;

const AddBody = z
  .object({ detail: z.string().max(500).optional() })
  .strict()
  .optional();
const CheckBody = z.object({ phones: z.array(z.string().regex(E164)).max(MAX_CHECK) });

function phoneOf(raw: string): string {
  if (!E164.test(raw)) throw new BadRequestException('the phone must be in E.164 (+ and digits)');
  return raw;
}

function issues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
}

@Controller('internal/suppressions')
export class SuppressionsController {
  constructor(private readonly suppressions: SuppressionService) {}

  /** JSON keyset pages (phone order), or the whole list as streamed CSV with `format=csv`. */
  @Get()
  async list(
    @Headers('x-tenant-id') tenantHeader: string | undefined,
    @Query('limit') limit: string | undefined,
    @Query('after') after: string | undefined,
    @Query('format') format: string | undefined,
    @Res() res: ServerResponse,
  ): Promise<void> {
    const tenantId = tenantOf(tenantHeader);
    if (format === 'csv') {
      await this.streamCsv(tenantId, res);
      return;
    }
    if (format !== undefined && format !== '' && format !== 'json') {
      throw new BadRequestException('format must be json or csv');
    }
    let size = 100;
    if (limit !== undefined && limit !== '') {
      size = Number(limit);
      if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) {
        throw new BadRequestException(`limit must be a whole number from 1 to ${MAX_PAGE}`);
      }
    }
    if (after !== undefined && after !== '' && !E164.test(after)) {
      throw new BadRequestException('after must be the nextCursor of a page');
    }
    const page = await this.suppressions.list(tenantId, {
      limit: size,
      ...(after ? { after } : {}),
    });
    res.statusCode = 200;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(page));
  }

  /** The listed ones among up to MAX_CHECK numbers, with their reason (csv-splitter, dry run). */
  @Post('check')
  @HttpCode(200)
  async check(
    @Headers('x-tenant-id') tenantHeader: string | undefined,
    @Body() body: unknown,
  ): Promise<{ suppressed: { phone: string; reason: string }[] }> {
    const tenantId = tenantOf(tenantHeader);
    const parsed = CheckBody.safeParse(body);
    if (!parsed.success) throw new BadRequestException(issues(parsed.error));
    return { suppressed: await this.suppressions.check(tenantId, parsed.data.phones) };
  }

  @Get(':phone')
  async get(
    @Headers('x-tenant-id') tenantHeader: string | undefined,
    @Param('phone') phone: string,
  ): Promise<SuppressionView> {
    const tenantId = tenantOf(tenantHeader);
    const record = await this.suppressions.get(tenantId, phoneOf(phone));
    if (!record) throw new NotFoundException(`${phone} is not on the suppression list`);
    return suppressionView(record);
  }

  /** Adds with reason `api`: 201 created, 200 when listed already (kept as it was: idempotent). */
  @Put(':phone')
  async add(
    @Headers('x-tenant-id') tenantHeader: string | undefined,
    @Param('phone') phone: string,
    @Body() body: unknown,
    @Res() res: ServerResponse,
  ): Promise<void> {
    const tenantId = tenantOf(tenantHeader);
    const parsed = AddBody.safeParse(body ?? undefined);
    if (!parsed.success) throw new BadRequestException(issues(parsed.error));
    const { created, record } = await this.suppressions.add(
      tenantId,
      phoneOf(phone),
      parsed.data?.detail,
    );
    res.statusCode = created ? 201 : 200;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(suppressionView(record)));
  }

  @Delete(':phone')
  @HttpCode(204)
  async remove(
    @Headers('x-tenant-id') tenantHeader: string | undefined,
    @Param('phone') phone: string,
  ): Promise<void> {
    const tenantId = tenantOf(tenantHeader);
    if (!(await this.suppressions.remove(tenantId, phoneOf(phone)))) {
      throw new NotFoundException(`${phone} is not on the suppression list`);
    }
  }

  private async streamCsv(tenantId: string, res: ServerResponse): Promise<void> {
    res.statusCode = 200;
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', 'attachment; filename="suppressions.csv"');
    try {
      for await (const chunk of this.suppressions.exportCsv(tenantId)) {
        if (res.destroyed) return;
        if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
      res.end();
    } catch (error) {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
