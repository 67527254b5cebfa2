import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Get,
  Headers,
  NotFoundException,
  Param,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { z } from 'zod';
import { isRecipientState } from '../domain/recipient-state.js';
import { ResendFilterError } from '../domain/resend-eligibility.js';
import { waveUploadedPayload } from '../domain/wave-event.js';
import { InvalidCursorError } from '../ports/broadcast-store.port.js';
import {
  MAX_PAGE_SIZE,
  ProgressService,
  type BroadcastProgress,
  type BroadcastSummary,
  type RecipientView,
} from '../progress.service.js';
import { WavesService } from '../waves.service.js';

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

export const WaveBody = z
  .object({
    states: z.array(z.string().max(32)).max(8).optional(),
    errorCodes: z
      .array(z.union([z.string().regex(/^[0-9]{1,9}$/), z.number().int().nonnegative()]))
      .max(64)
      .optional(),
  })
  .strict();

/** Largest page of GET .../wave-rows (row numbers only: 10,000 is about 70 KB of JSON). */
const MAX_WAVE_ROWS_PAGE = 10_000;

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
  constructor(
    private readonly progress: ProgressService,
    private readonly waves: WavesService,
  ) {}

  /**
   * Creates the next resend wave of a broadcast (or returns the latest one when it was never started,
   * so that a retried request publishes it again). 201 created, 200 existing unstarted wave; 409 the
   * broadcast or its latest wave is still running (or never started); 422 nothing eligible, or the
   * broadcast has no CSV object. The body's `uploaded` is the payload of the wave's broadcast.uploaded.
   */
  @Post(':id/waves')
  async createWave(
    @Headers('x-tenant-id') tenantHeader: string | undefined,
    @Param('id') id: string,
    @Body() body: unknown,
    @Res() res: ServerResponse,
  ): Promise<void> {
    const tenantId = tenantOf(tenantHeader);
    const parsed = WaveBody.safeParse(body ?? {});
    if (!parsed.success) {
      throw new BadRequestException(
        parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`),
      );
    }
    if (!BROADCAST_ID.test(id)) throw notFound(id);
    let outcome;
    try {
      outcome = await this.waves.create(tenantId, id, {
        ...(parsed.data.states ? { states: parsed.data.states } : {}),
        ...(parsed.data.errorCodes ? { errorCodes: parsed.data.errorCodes } : {}),
      });
    } catch (error) {
      if (error instanceof ResendFilterError) throw new BadRequestException(error.message);
      throw error;
    }
    const unprocessable = (code: string, message: string) => {
      res.statusCode = 422;
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ statusCode: 422, code, message }));
    };
    switch (outcome.kind) {
      case 'not-found':
        throw notFound(id);
      case 'not-started':
        throw new ConflictException({
          statusCode: 409,
          code: 'broadcast-not-started',
          message: `broadcast ${id} has not been started: there is nothing to resend`,
        });
      case 'running':
        throw new ConflictException({
          statusCode: 409,
          code: 'broadcast-running',
          message: `broadcast ${outcome.broadcastId} is still ${outcome.state}: resend once it is over`,
          broadcastId: outcome.broadcastId,
          state: outcome.state,
        });
      case 'not-resendable':
        return unprocessable('not-resendable', outcome.reason);
      case 'nothing-eligible':
        return unprocessable(
          'nothing-to-resend',
          `no recipient of broadcast ${id} is eligible for a resend (failed with a resendable error code, or unknown past the window)`,
        );
      case 'created':
      case 'not-yet-started': {
        const { wave } = outcome;
        res.statusCode = outcome.kind === 'created' ? 201 : 200;
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(
          JSON.stringify({
            id: wave.id,
            parentBroadcastId: wave.parentBroadcastId,
            wave: wave.number,
            selected: wave.selected,
            origin: wave.origin,
            created: outcome.kind === 'created',
            uploaded: waveUploadedPayload(wave),
          }),
        );
        return;
      }
    }
  }

  /** The rows selected for a wave, ascending, keyset-paged (csv-splitter reads them while splitting). */
  @Get(':id/wave-rows')
  async waveRows(
    @Headers('x-tenant-id') tenantHeader: string | undefined,
    @Param('id') id: string,
    @Query('after') after: string | undefined,
    @Query('limit') limit: string | undefined,
  ): Promise<{ rows: number[]; nextCursor?: string }> {
    const tenantId = tenantOf(tenantHeader);
    const afterRowNumber = after === undefined || after === '' ? 0 : Number(after);
    if (!Number.isInteger(afterRowNumber) || afterRowNumber < 0) {
      throw new BadRequestException('after must be a row number (the nextCursor of a page)');
    }
    const size = limit === undefined || limit === '' ? MAX_WAVE_ROWS_PAGE : Number(limit);
    if (!Number.isInteger(size) || size < 1 || size > MAX_WAVE_ROWS_PAGE) {
      throw new BadRequestException(`limit must be a whole number from 1 to ${MAX_WAVE_ROWS_PAGE}`);
    }
    const rows = BROADCAST_ID.test(id)
      ? await this.waves.waveRows(tenantId, id, { afterRowNumber, limit: size })
      : undefined;
    if (!rows) throw notFound(id);
    const last = rows[rows.length - 1];
    return { rows, ...(rows.length === size && last !== undefined ? { nextCursor: String(last) } : {}) };
  }

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
