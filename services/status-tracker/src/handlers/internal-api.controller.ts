import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  NotFoundException,
  Param,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { z } from 'zod';
import { isRecipientState } from '../domain/recipient-state.js';
import { InvalidCursorError } from '../ports/broadcast-store.port.js';
import {
  MAX_PAGE_SIZE,
  ProgressService,
  type BroadcastProgress,
  type BroadcastSummary,
  type RecipientView,
} from '../progress.service.js';

/**
 * The internal HTTP API that upload-gateway proxies (not exposed publicly). upload-gateway
 * authenticates the API key and sets `x-tenant-id`; every query here is scoped to it, and a broadcast
 * of another tenant answers 404 exactly like a missing one.
 */
const TENANT_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;
const BROADCAST_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const DEFAULT_PAGE_SIZE = 100;

const DraftBody = z.object({
  tenantId: z.string().regex(TENANT_ID),
  name: z.string().max(200).optional(),
  phoneNumberId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  template: z.object({
    name: z.string().min(1).max(512),
    language: z.string().min(1).max(16),
    parameterFormat: z.enum(['positional', 'named']).optional(),
  }),
  mapping: z.record(z.string(), z.unknown()),
  defaultCountry: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .optional(),
  object: z.object({ bucket: z.string().min(1).max(255), key: z.string().min(1).max(1024) }),
});

export function tenantOf(header: string | undefined): string {
  if (header === undefined || header === '') {
    throw new BadRequestException('the x-tenant-id header is required');
  }
  if (!TENANT_ID.test(header)) throw new BadRequestException('x-tenant-id is not a tenant id');
  return header;
}

function notFound(id: string): NotFoundException {
  return new NotFoundException(`broadcast ${id} not found`);
}

function pageSize(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_PAGE_SIZE;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new BadRequestException(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  return limit;
}

@Controller('internal/broadcasts')
export class InternalApiController {
  constructor(private readonly progress: ProgressService) {}

  @Put(':id')
  async register(
    @Headers('x-tenant-id') tenantHeader: string | undefined,
    @Param('id') id: string,
    @Body() body: unknown,
    @Res() res: ServerResponse,
  ): Promise<void> {
    const tenantId = tenantOf(tenantHeader);
    if (!BROADCAST_ID.test(id)) {
      throw new BadRequestException('the broadcast id must be 1-64 letters, digits, _ or -');
    }
    const parsed = DraftBody.safeParse(body);
    if (!parsed.success) {
      throw new BadRequestException(
        parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`),
      );
    }
    if (parsed.data.tenantId !== tenantId) {
      throw new BadRequestException('tenantId in the body differs from x-tenant-id');
    }
    const { created, broadcast } = await this.progress.register({ ...parsed.data, id });
    res.statusCode = created ? 201 : 200;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(broadcast));
  }

  @Get()
  async list(
    @Headers('x-tenant-id') tenantHeader: string | undefined,
    @Query('limit') limit: string | undefined,
    @Query('after') after: string | undefined,
  ): Promise<{ items: BroadcastSummary[]; nextCursor?: string }> {
    const tenantId = tenantOf(tenantHeader);
    try {
      return await this.progress.list(tenantId, {
        limit: pageSize(limit),
        ...(after ? { after } : {}),
      });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new BadRequestException(error.message);
      throw error;
    }
  }

  @Get(':id')
  async get(
    @Headers('x-tenant-id') tenantHeader: string | undefined,
    @Param('id') id: string,
  ): Promise<BroadcastProgress> {
    const tenantId = tenantOf(tenantHeader);
    const progress = BROADCAST_ID.test(id) ? await this.progress.progress(tenantId, id) : undefined;
    if (!progress) throw notFound(id);
    return progress;
  }

  @Get(':id/recipients')
  async recipients(
    @Headers('x-tenant-id') tenantHeader: string | undefined,
    @Param('id') id: string,
    @Query('state') state: string | undefined,
    @Query('limit') limit: string | undefined,
    @Query('after') after: string | undefined,
  ): Promise<{ items: RecipientView[]; nextCursor?: string }> {
    const tenantId = tenantOf(tenantHeader);
    if (state !== undefined && state !== '' && !isRecipientState(state)) {
      throw new BadRequestException(`unknown state "${state}"`);
    }
    let afterRowNumber: number | undefined;
    if (after !== undefined && after !== '') {
      afterRowNumber = Number(after);
      if (!Number.isInteger(afterRowNumber) || afterRowNumber < 0) {
        throw new BadRequestException('after must be a row number (the nextCursor of a page)');
      }
    }
    const page = BROADCAST_ID.test(id)
      ? await this.progress.recipients(tenantId, id, {
          limit: pageSize(limit),
          ...(state && isRecipientState(state) ? { state } : {}),
          ...(afterRowNumber !== undefined ? { afterRowNumber } : {}),
        })
      : undefined;
    if (!page) throw notFound(id);
    return page;
  }

  /** Streamed from keyset batches: never the whole report in memory; paced by the client. */
  @Get(':id/report.csv')
  async report(
    @Headers('x-tenant-id') tenantHeader: string | undefined,
    @Param('id') id: string,
    @Res() res: ServerResponse,
  ): Promise<void> {
    const tenantId = tenantOf(tenantHeader);
    const report = BROADCAST_ID.test(id) ? await this.progress.report(tenantId, id) : undefined;
    if (!report) throw notFound(id);
    res.statusCode = 200;
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="${id}-report.csv"`);
    try {
      for await (const chunk of report) {
        if (res.destroyed) return; // the client went away: stop reading the database
        if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
      res.end();
    } catch (error) {
      // Headers are gone already: all we can do is cut the response so the client sees it broken.
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
