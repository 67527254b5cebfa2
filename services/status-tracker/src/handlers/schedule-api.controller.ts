import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Delete,
  Headers,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { z } from 'zod';
import type { ClaimedSchedule, ScheduleRecord } from '../ports/schedule-store.port.js';
import { ScheduleStore } from '../ports/schedule-store.port.js';

/**
 * Scheduled starts, for upload-gateway (internal, never public). Per broadcast (with `x-tenant-id`,
 * another tenant's broadcast is 404): PUT/DELETE `internal/broadcasts/:id/schedule`. For the
 * gateway replicas' poller (no tenant: it starts every tenant's due broadcasts): POST
 * `internal/schedules/claim` and `internal/schedules/finish`. The store makes every transition one
 * conditional update, so racing callers get one winner and the others a 409 or an empty claim.
 */
const TENANT_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;
const BROADCAST_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const ScheduleBody = z.object({ startAt: z.iso.datetime({ offset: true }) });
const ClaimBody = z.object({
  claimToken: z.string().min(8).max(128),
  limit: z.number().int().min(1).max(100).default(10),
  leaseSeconds: z.number().int().min(1).max(3600).default(60),
});
const FinishBody = z.discriminatedUnion('status', [
  z.object({
    tenantId: z.string().regex(TENANT_ID),
    broadcastId: z.string().regex(BROADCAST_ID),
    claimToken: z.string().min(8).max(128),
    status: z.literal('started'),
  }),
  z.object({
    tenantId: z.string().regex(TENANT_ID),
    broadcastId: z.string().regex(BROADCAST_ID),
    claimToken: z.string().min(8).max(128),
    status: z.literal('failed'),
    failureCode: z.string().min(1).max(100),
    failureMessage: z.string().min(1).max(2000),
  }),
]);

export interface ScheduleView {
  broadcastId: string;
  startAt: string;
  status: ScheduleRecord['status'];
  attempts: number;
  failureCode?: string;
  failureReason?: string;
}

function view(record: ScheduleRecord): ScheduleView {
  return {
    broadcastId: record.broadcastId,
    startAt: record.startAt.toISOString(),
    status: record.status,
    attempts: record.attempts,
    ...(record.failureCode ? { failureCode: record.failureCode } : {}),
    ...(record.failureMessage ? { failureReason: record.failureMessage } : {}),
  };
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    throw new BadRequestException(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`),
    );
  }
  return parsed.data;
}

function target(tenantHeader: string | undefined, id: string): { tenantId: string } {
  if (tenantHeader === undefined || tenantHeader === '') {
    throw new BadRequestException('the x-tenant-id header is required');
  }
  if (!TENANT_ID.test(tenantHeader))
    throw new BadRequestException('x-tenant-id is not a tenant id');
  if (!BROADCAST_ID.test(id)) throw new NotFoundException(`broadcast ${id} not found`);
  return { tenantId: tenantHeader };
}

@Controller('internal')
export class ScheduleApiController {
  constructor(private readonly schedules: ScheduleStore) {}

  @Put('broadcasts/:id/schedule')
  async schedule(
    @Headers('x-tenant-id') tenantHeader: string | undefined,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<ScheduleView> {
    const { tenantId } = target(tenantHeader, id);
    const { startAt } = parse(ScheduleBody, body);
    const result = await this.schedules.schedule(tenantId, id, new Date(startAt));
    switch (result.kind) {
      case 'scheduled':
        return view(result.schedule);
      case 'not-found':
        throw new NotFoundException(`broadcast ${id} not found`);
      case 'not-draft':
        throw new ConflictException({
          code: 'not-draft',
          state: result.state,
          message: `broadcast ${id} is ${result.state}: only a draft can be scheduled`,
        });
      case 'starting':
        throw new ConflictException({
          code: 'starting',
          message: `broadcast ${id} is being started now`,
        });
    }
  }

  /** `?final=true`: cancel (final); otherwise back to a draft. */
  @Delete('broadcasts/:id/schedule')
  async unschedule(
    @Headers('x-tenant-id') tenantHeader: string | undefined,
    @Param('id') id: string,
    @Query('final') final: string | undefined,
  ): Promise<ScheduleView> {
    const { tenantId } = target(tenantHeader, id);
    const result = await this.schedules.unschedule(tenantId, id, final === 'true');
    switch (result.kind) {
      case 'unscheduled':
      case 'cancelled':
        return view(result.schedule);
      case 'not-found':
      case 'not-scheduled':
        throw new ConflictException({
          code: 'not-scheduled',
          message: `broadcast ${id} has no start time to remove`,
        });
      case 'starting':
        throw new ConflictException({
          code: 'starting',
          message: `broadcast ${id} is being started now`,
        });
    }
  }

  @Post('schedules/claim')
  @HttpCode(200)
  async claim(@Body() body: unknown): Promise<{ items: (ClaimedSchedule & { startAt: Date })[] }> {
    const { claimToken, limit, leaseSeconds } = parse(ClaimBody, body);
    return { items: await this.schedules.claimDue(limit, leaseSeconds, claimToken) };
  }

  @Post('schedules/finish')
  @HttpCode(200)
  async finish(@Body() body: unknown): Promise<{ finished: boolean }> {
    const request = parse(FinishBody, body);
    const finished = await this.schedules.finish(
      request.tenantId,
      request.broadcastId,
      request.claimToken,
      request.status === 'started'
        ? { status: 'started' }
        : {
            status: 'failed',
            failureCode: request.failureCode,
            failureMessage: request.failureMessage,
          },
    );
    return { finished };
  }
}
