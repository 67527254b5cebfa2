/**
 * Creating and starting broadcasts.
 *
 * create: validate the request against the contracts' schemas, the template against the sender's
 * APPROVED templates and the mapping against the template's parameters (422 naming what is wrong);
 * then keep the draft beside the future CSV, register it with status-tracker (idempotent PUT) and
 * hand out a pre-signed PUT URL. Nothing is published yet.
 *
 * start: the draft and the file must exist (409 otherwise), the broadcast must still be `created`
 * in status-tracker (409 once it has moved on), the file must be within the size limit (413: a
 * pre-signed upload cannot be limited by us) and the template must still be APPROVED. Then
 * `broadcast.uploaded` is published and the answer (202) waits until Kafka has it durably.
 *
 * Idempotency of start: the event id is derived from (tenant, broadcast), so starting twice before
 * csv-splitter has picked the broadcast up publishes the *same* event again, which is harmless
 * (re-splitting is deterministic and consumers upsert by `<broadcastId>:<rowNumber>`) and answers
 * 202 again; once status-tracker has seen the split begin, start answers 409
 * `broadcast-already-started` with the current state.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createEnvelope, type EventOf } from '@wab/contracts';
import type { Logger } from '@wab/service-runtime';
import type { BroadcastDrafts } from './broadcast-drafts.js';
import {
  BROADCAST_ID,
  parseCreateBroadcastRequest,
  type BroadcastDraft,
} from './domain/broadcast-request.js';
import {
  broadcastNotFound,
  GatewayError,
  invalidRequest,
  uploadTooLarge,
} from './domain/errors.js';
import { checkMapping } from './domain/mapping.js';
import type { TemplateInfo } from './domain/templates.js';
import type { EventBus } from './ports/event-bus.port.js';
import type { PresignedUpload } from './ports/object-storage.port.js';
import { parseStartRequest } from './domain/start-at.js';
import type { BroadcastState, ScheduleChange, StatusTracker } from './ports/status-tracker.port.js';
import type { TemplatesService } from './templates.service.js';

export interface BroadcastsServiceOptions {
  presignExpiresSeconds: number;
  maxUploadBytes: number;
  newId?: () => string;
  now?: () => Date;
}

export interface CreatedBroadcast {
  id: string;
  state: 'created';
  upload: PresignedUpload;
  fileUrl: string;
  startUrl: string;
  statusUrl: string;
  template: { name: string; language: string; parameterFormat: 'positional' | 'named' };
}

export interface StartedBroadcast {
  id: string;
  state: BroadcastState;
  /** Absent for a scheduled start (published at `startAt`, with the same id as an immediate one). */
  eventId?: string;
  /** Set when the start was scheduled. */
  startAt?: string;
  file: { sizeBytes: number };
  statusUrl: string;
  reportUrl: string;
}

export const links = (id: string) => ({
  statusUrl: `/v1/broadcasts/${id}`,
  fileUrl: `/v1/broadcasts/${id}/file`,
  startUrl: `/v1/broadcasts/${id}/start`,
  reportUrl: `/v1/broadcasts/${id}/report.csv`,
});

export class BroadcastsService {
  private async schedule(
    tenantId: string,
    id: string,
    startAt: Date,
    sizeBytes: number,
    requestId: string,
  ): Promise<StartedBroadcast> {
    const change = await this.tracker.schedule(tenantId, id, startAt);
    if (change.kind === 'not-found') throw broadcastNotFound(id);
    if (change.kind === 'conflict') throw scheduleConflict(id, change);
    this.log.info(
      { correlationId: id, requestId, tenantId, startAt: change.schedule.startAt },
      'broadcast scheduled',
    );
    const { statusUrl, reportUrl } = links(id);
    return {
      id,
      state: 'scheduled',
      startAt: change.schedule.startAt,
      file: { sizeBytes },
      statusUrl,
      reportUrl,
    };
  }

  private readonly newId: () => string;
  private readonly now: () => Date;

  constructor(
    private readonly templates: TemplatesService,
    private readonly drafts: BroadcastDrafts,
    private readonly tracker: StatusTracker,
    private readonly events: EventBus,
    private readonly log: Logger,
    private readonly options: BroadcastsServiceOptions,
  ) {
    this.newId = options.newId ?? randomUUID;
    this.now = options.now ?? (() => new Date());
  }

  async create(tenantId: string, body: unknown, requestId: string): Promise<CreatedBroadcast> {
    const parsed = parseCreateBroadcastRequest(body);
    if (!parsed.ok) {
      throw invalidRequest(
        `the broadcast request is not valid: ${parsed.errors.join('; ')}`,
        parsed.errors,
      );
    }
    const request = parsed.request;
    const template = await this.templates.choose(request.template.name, request.template.language);
    assertMappingFits(template, request.mapping);

    const id = this.newId();
    const keys = this.drafts.keys(tenantId, id);
    const draft: BroadcastDraft = {
      version: 1,
      id,
      tenantId,
      ...(request.name === undefined ? {} : { name: request.name }),
      phoneNumberId: request.phoneNumberId,
      template: {
        name: template.name,
        language: template.language,
        parameterFormat: template.parameterFormat,
      },
      mapping: request.mapping,
      ...(request.defaultCountry === undefined ? {} : { defaultCountry: request.defaultCountry }),
      object: { bucket: this.drafts.bucket, key: keys.csv },
      createdAt: this.now().toISOString(),
    };
    // Draft first, then registration: a failed registration leaves only an unreachable draft behind
    // (the client gets an error and no id), never a registered broadcast without its draft.
    await this.drafts.save(draft);
    await this.tracker.register(id, {
      tenantId,
      ...(draft.name === undefined ? {} : { name: draft.name }),
      phoneNumberId: draft.phoneNumberId,
      template: {
        name: template.name,
        language: template.language,
        parameterFormat: template.parameterFormat,
      },
      mapping: draft.mapping,
      ...(draft.defaultCountry === undefined ? {} : { defaultCountry: draft.defaultCountry }),
      object: draft.object,
    });
    const upload = await this.drafts.presignUpload(draft, this.options.presignExpiresSeconds);
    this.log.info(
      { correlationId: id, requestId, tenantId, template: `${template.name}/${template.language}` },
      'broadcast created',
    );
    const { fileUrl, startUrl, statusUrl } = links(id);
    return {
      id,
      state: 'created',
      upload,
      fileUrl,
      startUrl,
      statusUrl,
      template: {
        name: template.name,
        language: template.language,
        parameterFormat: template.parameterFormat,
      },
    };
  }

  /**
   * Starts now, or (`body.startAt`) schedules the start: the same checks either way, so a schedule
   * that is accepted would start if it were now. `origin: 'schedule'` is the ScheduleRunner starting
   * a due schedule it claimed: exactly the immediate start, nothing else.
   */
  async start(
    tenantId: string,
    id: string,
    requestId: string,
    body?: unknown,
    origin: 'request' | 'schedule' = 'request',
  ): Promise<StartedBroadcast> {
    const startAt = origin === 'request' ? parseStartRequest(body, this.now()) : undefined;
    if (!BROADCAST_ID.test(id)) throw broadcastNotFound(id);
    const draft = await this.drafts.load(tenantId, id);
    if (!draft) throw broadcastNotFound(id);
    const status = await this.tracker.get(tenantId, id);
    if (!status) throw broadcastNotFound(id);
    // `scheduled`: rescheduled, started early by the operator, or started by the runner at its time.
    if (status.state !== 'created' && status.state !== 'scheduled') {
      throw new GatewayError(
        'conflict',
        'broadcast-already-started',
        `broadcast ${id} has already been started (state "${status.state}")`,
        { state: status.state, statusUrl: links(id).statusUrl },
      );
    }
    const file = await this.drafts.file(draft);
    if (!file) {
      throw new GatewayError(
        'conflict',
        'file-missing',
        `broadcast ${id} has no file yet: upload the CSV to the pre-signed URL or PUT it to ${links(id).fileUrl}, then start it`,
        { fileUrl: links(id).fileUrl },
      );
    }
    if (file.sizeBytes === 0) {
      throw new GatewayError(
        'conflict',
        'file-empty',
        `the file of broadcast ${id} is empty: upload a CSV with a header line and rows`,
      );
    }
    if (file.sizeBytes > this.options.maxUploadBytes) {
      throw uploadTooLarge(this.options.maxUploadBytes, file.sizeBytes);
    }
    // The template may have been paused or changed at Meta since the broadcast was created.
    const template = await this.templates.choose(draft.template.name, draft.template.language);
    assertMappingFits(template, draft.mapping);

    if (startAt) return this.schedule(tenantId, id, startAt, file.sizeBytes, requestId);

    const event: EventOf<'broadcast.uploaded'> = createEnvelope(
      'broadcast.uploaded',
      {
        broadcastId: id,
        object: { bucket: draft.object.bucket, key: draft.object.key, sizeBytes: file.sizeBytes },
        phoneNumberId: draft.phoneNumberId,
        template: {
          name: template.name,
          language: template.language,
          parameterFormat: template.parameterFormat,
        },
        mapping: draft.mapping,
        ...(draft.defaultCountry === undefined ? {} : { defaultCountry: draft.defaultCountry }),
      },
      { tenantId, correlationId: id, id: startEventId(tenantId, id), occurredAt: this.now() },
    );
    await this.events.publish('uploaded', event);
    this.log.info(
      {
        correlationId: id,
        requestId,
        tenantId,
        eventId: event.id,
        sizeBytes: file.sizeBytes,
        origin,
      },
      'broadcast started: broadcast.uploaded published',
    );
    if (status.state === 'scheduled' && origin === 'request') {
      // Started early: the schedule has nothing left to do. Best effort: should the runner claim it
      // meanwhile, it publishes the same event again (same id: harmless) and finds it started.
      await this.tracker.unschedule(tenantId, id, false).catch((err: unknown) => {
        this.log.warn(
          { correlationId: id, tenantId, err: err instanceof Error ? err.message : String(err) },
          'could not remove the schedule of a broadcast started early',
        );
      });
    }
    const { statusUrl, reportUrl } = links(id);
    return {
      id,
      state: status.state,
      eventId: event.id,
      file: { sizeBytes: file.sizeBytes },
      statusUrl,
      reportUrl,
    };
  }
}

function scheduleConflict(id: string, change: Extract<ScheduleChange, { kind: 'conflict' }>) {
  return change.code === 'starting'
    ? new GatewayError(
        'conflict',
        'broadcast-starting',
        `broadcast ${id} is being started right now (its start time has come)`,
      )
    : new GatewayError(
        'conflict',
        'broadcast-already-started',
        `broadcast ${id} cannot be scheduled: ${change.message}`,
        change.state ? { state: change.state } : undefined,
      );
}

function assertMappingFits(template: TemplateInfo, mapping: BroadcastDraft['mapping']): void {
  const problems = checkMapping(template, mapping);
  const first = problems[0];
  if (!first) return;
  throw new GatewayError(
    'unprocessable',
    first.code,
    problems.length === 1
      ? first.message
      : `${first.message} (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})`,
    { problems },
  );
}

/**
 * The id of the `broadcast.uploaded` event of (tenant, broadcast): a UUID (version 8, RFC 9562
 * custom) from a SHA-256, the same for every start of the same broadcast, so a repeated start is
 * recognisably the same event.
 */
export function startEventId(tenantId: string, broadcastId: string): string {
  const hash = createHash('sha256')
    .update(`broadcast.uploaded\u0000${tenantId}\u0000${broadcastId}`)
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x80;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
