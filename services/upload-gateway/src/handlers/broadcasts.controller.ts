import { pipeline } from 'node:stream/promises';
import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { Logger } from '@wab/service-runtime';
import { BroadcastsService } from '../broadcasts.service.js';
import { CreateBroadcastRequest } from '../domain/broadcast-request.js';
import { invalidRequest } from '../domain/errors.js';
import { DryRunService } from '../dry-run.service.js';
import { LifecycleService } from '../lifecycle.service.js';
import { TestSendService } from '../test-send.service.js';
import { ProgressService, type ProgressTick } from '../progress.service.js';
import { LOGGER } from '../tokens.js';
import { UploadsService } from '../uploads.service.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { RequestId, Tenant, type GatewayRequest } from './http-context.js';
import {
  CreatedBroadcastSchema,
  ErrorSchema,
  openapi,
  StartedBroadcastSchema,
  StartRequestSchema,
  StatusSchema,
  UnscheduledSchema,
  UploadedFileSchema,
} from './openapi.schemas.js';

const error = (status: number, description: string) =>
  ApiResponse({ status, description, schema: openapi(ErrorSchema) });

/** Thin HTTP edge: parse, call one service, answer. Errors are mapped by HttpErrorFilter. */
@ApiTags('broadcasts')
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@Controller('v1/broadcasts')
@UseGuards(ApiKeyGuard)
export class BroadcastsController {
  private readonly log: Logger;

  constructor(
    private readonly broadcasts: BroadcastsService,
    private readonly uploads: UploadsService,
    private readonly progress: ProgressService,
    private readonly lifecycle: LifecycleService,
    private readonly dryRuns: DryRunService,
    private readonly testSends: TestSendService,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'BroadcastsController' });
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create a broadcast: template, sender, CSV column mapping',
    description:
      'Checks the template (APPROVED, in that language) and that the mapping fills exactly its parameters, then ' +
      'answers with a pre-signed PUT URL for the CSV. Upload the file there (or PUT it to `fileUrl`), then POST `startUrl`.',
  })
  @ApiBody({ schema: openapi(CreateBroadcastRequest) })
  @ApiResponse({ status: 201, schema: openapi(CreatedBroadcastSchema) })
  @error(400, 'Malformed request (field-level errors in details.errors).')
  @error(401, 'Missing or invalid API key.')
  @error(413, 'JSON body over MAX_JSON_BYTES.')
  @error(
    422,
    'Unknown template (`unknown-template`), no approved language (`unknown-language`), template not APPROVED, mapping missing a ' +
      'parameter (`missing-parameter`) or mapping one the template lacks (`unexpected-parameter`); details.problems lists all.',
  )
  @error(502, 'The Cloud API or status-tracker refused the request.')
  create(
    @Tenant() tenantId: string,
    @RequestId() requestId: string,
    @Body() body: unknown,
  ): Promise<unknown> {
    if (body === undefined) {
      throw invalidRequest(
        'send the broadcast as a JSON body with "content-type: application/json"',
      );
    }
    return this.broadcasts.create(tenantId, body, requestId);
  }

  @Put(':id/file')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Upload the CSV, streamed (alternative to the pre-signed URL)',
    description:
      'The body is the CSV file (UTF-8, header line first), streamed to the object store without being held in memory. ' +
      'Bodies over MAX_UPLOAD_BYTES are refused with 413, by Content-Length before reading or while streaming. ' +
      'Replaces an earlier upload until the broadcast is started.',
  })
  @ApiConsumes('text/csv', 'application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 200, schema: openapi(UploadedFileSchema) })
  @error(404, 'No such broadcast for this tenant.')
  @error(409, 'The broadcast has already been started.')
  @error(413, 'The file is larger than MAX_UPLOAD_BYTES (the upload is aborted, nothing is kept).')
  upload(
    @Tenant() tenantId: string,
    @RequestId() requestId: string,
    @Param('id') id: string,
    @Req() request: GatewayRequest,
    @Headers('content-length') contentLength?: string,
  ): Promise<unknown> {
    let declared: number | undefined;
    if (contentLength !== undefined) {
      if (!/^\d{1,15}$/.test(contentLength))
        throw invalidRequest('the Content-Length header is not a number');
      declared = Number(contentLength);
    }
    return this.uploads.upload(tenantId, id, request, declared, requestId);
  }

  @Post(':id/start')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Start sending now, or at `startAt`: publishes broadcast.uploaded',
    description:
      'Needs the uploaded file. Answers 202 once the event is durably in Kafka; progress is then at `statusUrl`. ' +
      'Starting again before csv-splitter has picked the broadcast up re-publishes the same event (same `eventId`, ' +
      'harmless) and answers 202; after that it answers 409 `broadcast-already-started`. ' +
      'With `{"startAt": "<RFC 3339 time with offset>"}` the same checks run now and the start is scheduled ' +
      '(durable, in status-tracker): the broadcast shows `scheduled` with `startAt` and is started at that time ' +
      'exactly as an immediate start. Starting or scheduling again while `scheduled` replaces the time (or starts ' +
      'now); `DELETE …/schedule` removes it, `POST …/cancel` cancels the broadcast before it starts.',
  })
  @ApiBody({ required: false, schema: openapi(StartRequestSchema) })
  @ApiResponse({ status: 202, schema: openapi(StartedBroadcastSchema) })
  @error(400, 'The body is not `{ "startAt"?: string }`.')
  @error(404, 'No such broadcast for this tenant.')
  @error(
    409,
    'No file uploaded (`file-missing`), empty file (`file-empty`), already started (`broadcast-already-started`) ' +
      'or being started by its schedule right now (`broadcast-starting`).',
  )
  @error(413, 'The uploaded file is larger than MAX_UPLOAD_BYTES.')
  @error(
    422,
    'The template is no longer APPROVED or no longer fits the mapping; or `startAt` is not RFC 3339 with offset, ' +
      'is in the past or more than 30 days ahead (`invalid-start-time`).',
  )
  start(
    @Tenant() tenantId: string,
    @RequestId() requestId: string,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<unknown> {
    return this.broadcasts.start(tenantId, id, requestId, body);
  }

  @Delete(':id/schedule')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Remove the start time of a scheduled broadcast (it stays a draft)',
    description:
      'Before the time only: the broadcast goes back to `created` and can be started or scheduled again. ' +
      'To drop it for good, `POST …/cancel`.',
  })
  @ApiResponse({ status: 200, schema: openapi(UnscheduledSchema) })
  @error(404, 'No such broadcast for this tenant.')
  @error(
    409,
    'Nothing scheduled (`broadcast-not-scheduled`) or its time has come and it is starting (`broadcast-starting`).',
  )
  unschedule(
    @Tenant() tenantId: string,
    @RequestId() requestId: string,
    @Param('id') id: string,
  ): Promise<unknown> {
    return this.lifecycle.unschedule(tenantId, id, requestId);
  }

  @Post(':id/dry-run')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Dry run: every row of the uploaded CSV checked with the splitter's rules, nothing sent",
    description:
      'Streams the uploaded file and evaluates each row exactly as csv-splitter will (phone normalisation, ' +
      'template parameters, duplicates). Answers the counts (rows, recipients, skipped by reason, duplicates), ' +
      'the first 100 invalid rows (row number, phone as given, reason, message, column), the message rendered ' +
      'for the first 5 recipients, and the estimated sending time at `mps` messages per second (default ' +
      "DRY_RUN_DEFAULT_MPS, Meta's default 80). `outcome: failed` when the file as a whole cannot be split.",
  })
  @ApiQuery({
    name: 'mps',
    required: false,
    type: Number,
    description: "the sender's quota, 1 to 10000",
  })
  @error(404, 'No such broadcast for this tenant.')
  @error(409, 'No file uploaded yet (`file-missing`).')
  dryRun(
    @Tenant() tenantId: string,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
  ): Promise<unknown> {
    const mps = single(query.mps, 'mps');
    if (mps !== undefined && (!/^\d{1,5}$/.test(mps) || Number(mps) < 1 || Number(mps) > 10_000))
      throw invalidRequest('mps must be a whole number from 1 to 10000');
    return this.dryRuns.run(tenantId, id, mps === undefined ? undefined : Number(mps));
  }

  @Post(':id/test-send')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Test send: the message of the first valid row, once, to the number given',
    description:
      'Body `{ "phone": "+4915123456789" }` (local numbers use the broadcast\'s default country). One Cloud API ' +
      'call with the template and the parameters of the first row the splitter would send; not part of the ' +
      'broadcast. Answers `{ to, messageId, fromRow, text }`.',
  })
  @error(400, 'No phone, or not a valid phone number.')
  @error(404, 'No such broadcast for this tenant.')
  @error(409, 'No file uploaded yet (`file-missing`).')
  @error(
    422,
    'No row can be sent (`no-valid-recipients`) or the file cannot be split (`file-unusable`).',
  )
  @error(502, "The Cloud API refused the message (`whatsapp-failed`, with Meta's error code).")
  testSend(
    @Tenant() tenantId: string,
    @RequestId() requestId: string,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<unknown> {
    return this.testSends.send(tenantId, id, body, requestId);
  }

  @Post(':id/pause')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Pause a started broadcast: publishes broadcast.control',
    description:
      'Answers 202 once the `broadcast.control` event is durable in Kafka; the dispatcher stops taking new sends ' +
      'for the broadcast and status-tracker shows `paused` shortly after. Sends in flight finish; nobody is ' +
      'messaged twice on resume. Optional JSON body `{ "reason": "..." }`.',
  })
  @error(404, 'No such broadcast for this tenant.')
  @error(409, 'Not started yet (`broadcast-not-started`) or already over (`broadcast-finished`).')
  pause(
    @Tenant() tenantId: string,
    @RequestId() requestId: string,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<unknown> {
    return this.lifecycle.control(tenantId, id, 'pause', reasonOf(body), requestId);
  }

  @Post(':id/resume')
  @HttpCode(202)
  @ApiOperation({ summary: 'Resume a paused broadcast: publishes broadcast.control' })
  @error(404, 'No such broadcast for this tenant.')
  @error(409, 'Not started yet (`broadcast-not-started`) or already over (`broadcast-finished`).')
  resume(
    @Tenant() tenantId: string,
    @RequestId() requestId: string,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<unknown> {
    return this.lifecycle.control(tenantId, id, 'resume', reasonOf(body), requestId);
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Cancel a broadcast (final): publishes broadcast.control',
    description:
      'The recipients not yet sent end as `cancelled` (a recipient whose message turns out to have gone ' +
      'shows what happened to it), and the broadcast completes with state `cancelled`. A scheduled broadcast ' +
      'is cancelled before it starts and never starts. Optional JSON body `{ "reason": "..." }`.',
  })
  @error(404, 'No such broadcast for this tenant.')
  @error(
    409,
    'Not started nor scheduled (`broadcast-not-started`), already over (`broadcast-finished`) or being started by its schedule right now (`broadcast-starting`).',
  )
  cancel(
    @Tenant() tenantId: string,
    @RequestId() requestId: string,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<unknown> {
    return this.lifecycle.control(tenantId, id, 'cancel', reasonOf(body), requestId);
  }

  @Get(':id/events')
  @ApiOperation({
    summary: 'Live progress as Server-Sent Events',
    description:
      'text/event-stream: an `progress` event about every second with the same body as `GET /v1/broadcasts/{id}` ' +
      '(state, counts by state, ratePerSecond, etaSeconds, failedByReason, skippedByReason), then one `end` event ' +
      'when the broadcast is over (completed, failed, cancelled), and the stream closes. `error` events report a ' +
      'status-tracker hiccup; the stream keeps going. Comment lines keep idle proxies from closing it.',
  })
  @ApiProduces('text/event-stream')
  @ApiQuery({
    name: 'intervalMs',
    required: false,
    type: Number,
    description: '250 to 10000, default 1000',
  })
  @error(404, 'No such broadcast for this tenant.')
  async events(
    @Tenant() tenantId: string,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Req() request: GatewayRequest,
    @Res() response: Response,
  ): Promise<void> {
    const interval = single(query.intervalMs, 'intervalMs');
    if (
      interval !== undefined &&
      (!/^\d{3,5}$/.test(interval) || Number(interval) < 250 || Number(interval) > 10_000)
    )
      throw invalidRequest('intervalMs must be a whole number from 250 to 10000');
    const abort = new AbortController();
    const ticks = this.progress.watch(tenantId, id, {
      intervalMs: interval === undefined ? 1000 : Number(interval),
      signal: abort.signal,
    });
    // The first tick is read before any header is sent, so an unknown broadcast is a plain 404.
    const first = await ticks.next();
    request.once('close', () => abort.abort());
    response.status(200);
    response.setHeader('content-type', 'text/event-stream; charset=utf-8');
    response.setHeader('cache-control', 'no-store');
    response.setHeader('x-accel-buffering', 'no');
    response.flushHeaders();
    response.write('retry: 2000\n\n');
    let sequence = 0;
    const send = (tick: ProgressTick) => {
      sequence += 1;
      const data = tick.kind === 'error' ? { message: tick.message } : tick.status;
      response.write(`id: ${sequence}\nevent: ${tick.kind}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    try {
      if (!first.done) send(first.value);
      for await (const tick of ticks) send(tick);
    } catch (err) {
      this.log.warn(
        { correlationId: id, tenantId, err: err instanceof Error ? err.message : String(err) },
        'progress stream ended early',
      );
    } finally {
      abort.abort();
      response.end();
    }
  }

  @Get()
  @ApiOperation({ summary: "The tenant's broadcasts, newest first (from status-tracker)" })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiQuery({ name: 'after', required: false, description: 'Cursor from the previous page.' })
  @ApiResponse({ status: 200, description: "status-tracker's page of broadcasts, passed through." })
  list(@Tenant() tenantId: string, @Query() query: Record<string, unknown>): Promise<unknown> {
    return this.progress.list(tenantId, pageQuery(query));
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Progress of a broadcast: state, counts by state, rate, ETA (from status-tracker)',
  })
  @ApiResponse({ status: 200, schema: openapi(StatusSchema) })
  @error(404, 'No such broadcast for this tenant.')
  get(@Tenant() tenantId: string, @Param('id') id: string): Promise<unknown> {
    return this.progress.get(tenantId, id);
  }

  @Get(':id/recipients')
  @ApiOperation({
    summary: 'Recipients of a broadcast with their outcome, paged (from status-tracker)',
  })
  @ApiQuery({
    name: 'state',
    required: false,
    description: 'e.g. failed, skipped, delivered, cancelled',
  })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiQuery({ name: 'after', required: false })
  @error(404, 'No such broadcast for this tenant.')
  recipients(
    @Tenant() tenantId: string,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
  ): Promise<unknown> {
    const state = single(query.state, 'state');
    if (state !== undefined && !/^[a-z_-]{1,32}$/.test(state))
      throw invalidRequest(`state "${state.slice(0, 40)}" is not a recipient state`);
    return this.progress.recipients(tenantId, id, {
      ...pageQuery(query),
      ...(state === undefined ? {} : { state }),
    });
  }

  @Get(':id/report.csv')
  @ApiOperation({
    summary:
      'The report: one line per row (row number, phone as given, normalised phone, state, error code and reason)',
    description: 'Streamed from status-tracker as it is produced; never buffered.',
  })
  @ApiProduces('text/csv')
  @ApiResponse({ status: 200, content: { 'text/csv': { schema: { type: 'string' } } } })
  @error(404, 'No such broadcast for this tenant.')
  async report(
    @Tenant() tenantId: string,
    @Param('id') id: string,
    @Res() response: Response,
  ): Promise<void> {
    const report = await this.progress.report(tenantId, id);
    response.status(200);
    response.setHeader(
      'content-type',
      report.contentType.startsWith('text/csv') ? report.contentType : 'text/csv; charset=utf-8',
    );
    response.setHeader(
      'content-disposition',
      report.contentDisposition ?? `attachment; filename="broadcast-${id}-report.csv"`,
    );
    response.setHeader('cache-control', 'no-store');
    try {
      await pipeline(report.body, response);
    } catch (err) {
      // Headers are gone: the only honest signal left is a cut connection (pipeline destroyed it).
      this.log.warn(
        { correlationId: id, tenantId, err: err instanceof Error ? err.message : String(err) },
        'report stream ended early',
      );
    }
  }
}

function reasonOf(body: unknown): string | undefined {
  if (body === undefined || body === null || typeof body !== 'object' || !('reason' in body))
    return undefined;
  const given = body.reason;
  if (typeof given !== 'string') throw invalidRequest('reason must be a string');
  return given;
}

function single(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`give the query parameter "${name}" once`);
  return value;
}

function pageQuery(query: Record<string, unknown>): { limit?: number; after?: string } {
  const limit = single(query.limit, 'limit');
  const after = single(query.after, 'after');
  if (
    limit !== undefined &&
    (!/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > 1000)
  ) {
    throw invalidRequest('limit must be a whole number from 1 to 1000');
  }
  if (after !== undefined && after.length > 512)
    throw invalidRequest('after is not a valid cursor');
  return {
    ...(limit === undefined ? {} : { limit: Number(limit) }),
    ...(after === undefined ? {} : { after }),
  };
}
