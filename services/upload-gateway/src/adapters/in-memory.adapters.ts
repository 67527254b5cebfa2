/**
 * In-memory adapters beside the real ones: unit specs of the services use them instead of mocks, and
 * they document each port's behaviour in a few lines.
 */
import { Readable } from 'node:stream';
import { encodeEvent, type ContractEvent, type TopicKey } from '@wab/contracts';
import { uploadTooLarge } from '../domain/errors.js';
import type { CloudApiTemplateDefinition } from '../domain/templates.js';
import { EventBus } from '../ports/event-bus.port.js';
import {
  ObjectStorage,
  type PresignedUpload,
  type StoredObject,
} from '../ports/object-storage.port.js';
import {
  StatusTracker,
  type BroadcastRegistration,
  type BroadcastStatus,
  type ClaimedSchedule,
  type PageQuery,
  type RecipientsQuery,
  type ReportStream,
  type ScheduleChange,
  type ScheduleView,
} from '../ports/status-tracker.port.js';
import { TemplateCatalog } from '../ports/template-catalog.port.js';

export class StaticTemplateCatalog extends TemplateCatalog {
  calls = 0;
  constructor(public templates: CloudApiTemplateDefinition[]) {
    super();
  }
  listAll(): Promise<CloudApiTemplateDefinition[]> {
    this.calls++;
    return Promise.resolve(structuredClone(this.templates));
  }
}

export class InMemoryObjectStorage extends ObjectStorage {
  readonly bucket = 'memory';
  readonly objects = new Map<string, { body: Buffer; contentType: string }>();

  head(key: string): Promise<StoredObject | undefined> {
    const object = this.objects.get(key);
    return Promise.resolve(
      object && { sizeBytes: object.body.length, contentType: object.contentType },
    );
  }
  putSmall(key: string, body: string, contentType: string): Promise<void> {
    this.objects.set(key, { body: Buffer.from(body), contentType });
    return Promise.resolve();
  }
  getSmall(key: string): Promise<string | undefined> {
    return Promise.resolve(this.objects.get(key)?.body.toString('utf8'));
  }
  openStream(key: string): Promise<Readable | undefined> {
    const object = this.objects.get(key);
    return Promise.resolve(object ? Readable.from([object.body]) : undefined);
  }
  async upload(
    key: string,
    body: Readable,
    options: { contentType: string; maxBytes: number },
  ): Promise<{ sizeBytes: number }> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      size += bytes.length;
      if (size > options.maxBytes) throw uploadTooLarge(options.maxBytes);
      chunks.push(bytes);
    }
    this.objects.set(key, { body: Buffer.concat(chunks), contentType: options.contentType });
    return { sizeBytes: size };
  }
  presignPut(
    key: string,
    options: { contentType: string; expiresInSeconds: number },
  ): Promise<PresignedUpload> {
    return Promise.resolve({
      method: 'PUT',
      url: `memory://${this.bucket}/${key}?expires=${options.expiresInSeconds}`,
      headers: { 'content-type': options.contentType },
      expiresAt: new Date(Date.now() + options.expiresInSeconds * 1000).toISOString(),
    });
  }
}

export class InMemoryEventBus extends EventBus {
  readonly published: { topic: TopicKey; event: ContractEvent }[] = [];
  publish(topic: TopicKey, events: ContractEvent | readonly ContractEvent[]): Promise<void> {
    for (const event of Array.isArray(events)
      ? (events as readonly ContractEvent[])
      : [events as ContractEvent]) {
      encodeEvent(event); // validates against the contract, as the Kafka publisher does
      this.published.push({ topic, event });
    }
    return Promise.resolve();
  }
}

/** Keeps registrations and answers reads per tenant, like status-tracker (another tenant's id → undefined). */
export class InMemoryStatusTracker extends StatusTracker {
  /** The clock that decides when a schedule is due (status-tracker's own clock in production). */
  constructor(private readonly clock: () => number = Date.now) {
    super();
  }
  readonly broadcasts = new Map<
    string,
    BroadcastStatus & { registration: BroadcastRegistration }
  >();
  report_csv = 'row,phone,e164,state,error_code,error_reason\n';

  register(broadcastId: string, registration: BroadcastRegistration): Promise<void> {
    if (!this.broadcasts.has(broadcastId)) {
      this.broadcasts.set(broadcastId, {
        id: broadcastId,
        tenantId: registration.tenantId,
        state: 'created',
        registration,
      });
    }
    return Promise.resolve();
  }
  get(tenantId: string, broadcastId: string): Promise<BroadcastStatus | undefined> {
    const found = this.broadcasts.get(broadcastId);
    return Promise.resolve(found?.tenantId === tenantId ? found : undefined);
  }
  list(tenantId: string, query: PageQuery): Promise<unknown> {
    const items = [...this.broadcasts.values()]
      .filter((b) => b.tenantId === tenantId)
      .slice(0, query.limit ?? 50);
    return Promise.resolve({ items });
  }
  async recipients(
    tenantId: string,
    broadcastId: string,
    _query: RecipientsQuery,
  ): Promise<unknown> {
    return (await this.get(tenantId, broadcastId)) ? { items: [] } : undefined;
  }
  async report(tenantId: string, broadcastId: string): Promise<ReportStream | undefined> {
    if (!(await this.get(tenantId, broadcastId))) return undefined;
    return { body: Readable.from([this.report_csv]), contentType: 'text/csv; charset=utf-8' };
  }
  /** Start schedules, like status-tracker's broadcast_schedules (without leases: claims are final). */
  readonly schedules = new Map<string, ScheduleView & { tenantId: string; claimToken?: string }>();
  async schedule(tenantId: string, broadcastId: string, startAt: Date): Promise<ScheduleChange> {
    const found = await this.get(tenantId, broadcastId);
    if (!found) return { kind: 'not-found' };
    const current = this.schedules.get(broadcastId);
    if (found.state !== 'created' || current?.status === 'cancelled') {
      return { kind: 'conflict', code: 'not-draft', message: 'not a draft', state: found.state };
    }
    if (current?.status === 'claimed' || current?.status === 'started') {
      return { kind: 'conflict', code: 'starting', message: 'being started' };
    }
    const schedule = {
      tenantId,
      broadcastId,
      startAt: startAt.toISOString(),
      status: 'scheduled' as const,
      attempts: 0,
    };
    this.schedules.set(broadcastId, schedule);
    found.state = 'scheduled';
    found.startAt = schedule.startAt;
    return { kind: 'ok', schedule };
  }
  async unschedule(tenantId: string, broadcastId: string, final: boolean): Promise<ScheduleChange> {
    const found = await this.get(tenantId, broadcastId);
    if (!found) return { kind: 'not-found' };
    const current = this.schedules.get(broadcastId);
    if (current?.status === 'claimed') {
      return { kind: 'conflict', code: 'starting', message: 'being started' };
    }
    if (current?.status !== 'scheduled') {
      return { kind: 'conflict', code: 'not-scheduled', message: 'nothing scheduled' };
    }
    current.status = final ? 'cancelled' : 'unscheduled';
    found.state = final ? 'cancelled' : 'created';
    delete found.startAt;
    return { kind: 'ok', schedule: current };
  }
  claimSchedules(claimToken: string, limit: number): Promise<ClaimedSchedule[]> {
    const due = [...this.schedules.values()]
      .filter((s) => s.status === 'scheduled' && Date.parse(s.startAt) <= this.clock())
      .slice(0, limit);
    for (const s of due) {
      s.status = 'claimed';
      s.claimToken = claimToken;
      s.attempts += 1;
    }
    return Promise.resolve(
      due.map((s) => ({
        tenantId: s.tenantId,
        broadcastId: s.broadcastId,
        startAt: s.startAt,
        claimToken,
        attempts: s.attempts,
      })),
    );
  }
  finishSchedule(
    claim: ClaimedSchedule,
    outcome:
      { status: 'started' } | { status: 'failed'; failureCode: string; failureMessage: string },
  ): Promise<boolean> {
    const s = this.schedules.get(claim.broadcastId);
    if (!s || s.status !== 'claimed' || s.claimToken !== claim.claimToken) {
      return Promise.resolve(false);
    }
    s.status = outcome.status;
    if (outcome.status === 'failed') {
      s.failureCode = outcome.failureCode;
      s.failureReason = outcome.failureMessage;
    }
    return Promise.resolve(true);
  }
}
