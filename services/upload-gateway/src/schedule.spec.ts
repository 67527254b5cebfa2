import { Readable } from 'node:stream';
import { createLogger } from '@wab/service-runtime';
import {
  InMemoryEventBus,
  InMemoryObjectStorage,
  InMemoryStatusTracker,
  StaticTemplateCatalog,
} from './adapters/in-memory.adapters.js';
import { BroadcastDrafts } from './broadcast-drafts.js';
import { BroadcastsService, startEventId } from './broadcasts.service.js';
import { parseStartRequest } from './domain/start-at.js';
import { TEMPLATES } from './domain/templates.fixture.js';
import { LifecycleService } from './lifecycle.service.js';
import { ScheduleRunner } from './schedule-runner.service.js';
import { TemplatesService } from './templates.service.js';
import { UploadsService } from './uploads.service.js';

const log = createLogger('test', 'silent');
const NOW = new Date('2026-11-20T09:00:00Z');

function setup() {
  const storage = new InMemoryObjectStorage();
  let now = NOW;
  // Due-ness by the test's clock, never the wall clock (fixed dates would expire).
  const tracker = new InMemoryStatusTracker(() => now.getTime());
  const events = new InMemoryEventBus();
  const drafts = new BroadcastDrafts(storage);
  const templates = new TemplatesService(new StaticTemplateCatalog(TEMPLATES), log, {
    ttlMs: 60_000,
  });
  let n = 0;
  const broadcasts = new BroadcastsService(templates, drafts, tracker, events, log, {
    presignExpiresSeconds: 600,
    maxUploadBytes: 10_000,
    newId: () => `s${++n}`,
    now: () => now,
  });
  const uploads = new UploadsService(drafts, tracker, log, { maxUploadBytes: 10_000 });
  const lifecycle = new LifecycleService(tracker, events, log, () => now);
  const runner = new ScheduleRunner(broadcasts, tracker, log, { pollMs: 0, leaseSeconds: 60 });
  const draft = async () => {
    const { id } = await broadcasts.create('acme', request, 'r');
    await uploads.upload('acme', id, Readable.from([csv]), undefined, 'r');
    return id;
  };
  /** Moves a schedule's time into the past of the test's clock. */
  const makeDue = (id: string) => {
    tracker.schedules.get(id)!.startAt = new Date(now.getTime() - 1000).toISOString();
  };
  const setNow = (date: Date) => {
    now = date;
  };
  return { tracker, events, broadcasts, lifecycle, runner, draft, makeDue, setNow, storage };
}

const request = {
  template: { name: 'order_update', language: 'en_US' },
  phoneNumberId: '106540352242922',
  mapping: {
    phoneColumn: 'phone',
    body: [
      { position: 1, column: 'name' },
      { position: 2, column: 'order' },
    ],
  },
  defaultCountry: 'DE',
};
const csv = 'phone,name,order\n+4915123456789,Ada,A-1\n';

describe('startAt of POST /v1/broadcasts/{id}/start', () => {
  it('accepts RFC 3339 with an offset, now to 30 days ahead; absent means now', () => {
    expect(parseStartRequest(undefined, NOW)).toBeUndefined();
    expect(parseStartRequest({}, NOW)).toBeUndefined();
    expect(parseStartRequest({ startAt: '2026-11-27T10:00:00Z' }, NOW)).toEqual(
      new Date('2026-11-27T10:00:00Z'),
    );
    expect(parseStartRequest({ startAt: '2026-11-27T11:00:00.5+01:00' }, NOW)).toEqual(
      new Date('2026-11-27T10:00:00.500Z'),
    );
    expect(parseStartRequest({ startAt: '2026-12-20T09:00:00Z' }, NOW)).toBeDefined();
  });

  it.each([
    ['no offset', '2026-11-27T10:00:00', 'not an RFC 3339 time with offset'],
    ['a date only', '2026-11-27', 'not an RFC 3339 time with offset'],
    ['not a time', 'tomorrow 10am', 'not an RFC 3339 time with offset'],
    ['an impossible hour', '2026-11-27T25:00:00Z', 'not an RFC 3339 time with offset'],
    ['the past', '2026-11-20T08:59:59Z', 'is in the past'],
    ['more than 30 days ahead', '2026-12-20T09:00:01Z', 'more than 30 days ahead'],
    ['a number', 1795000000000, 'must be a string'],
  ])('refuses %s with 422 invalid-start-time', (_what, startAt, message) => {
    expect(() => parseStartRequest({ startAt }, NOW)).toThrow(
      expect.objectContaining({
        kind: 'unprocessable',
        code: 'invalid-start-time',
        message: expect.stringContaining(message) as string,
      }) as Error,
    );
  });

  it('refuses other fields and non-objects with 400', () => {
    expect(() => parseStartRequest({ startAt: '2026-11-27T10:00:00Z', at: 1 }, NOW)).toThrow(
      expect.objectContaining({ code: 'invalid-request' }) as Error,
    );
    expect(() => parseStartRequest('2026-11-27T10:00:00Z', NOW)).toThrow(
      expect.objectContaining({ code: 'invalid-request' }) as Error,
    );
  });
});

describe('scheduled starts', () => {
  it('schedules after the same checks, publishes nothing until the runner starts it at its time', async () => {
    const { broadcasts, tracker, events, runner, draft, makeDue } = setup();
    const id = await draft();
    const scheduled = await broadcasts.start('acme', id, 'r', { startAt: '2026-11-27T10:00:00Z' });
    expect(scheduled).toMatchObject({
      id,
      state: 'scheduled',
      startAt: '2026-11-27T10:00:00.000Z',
    });
    expect(scheduled.eventId).toBeUndefined();
    expect(await tracker.get('acme', id)).toMatchObject({
      state: 'scheduled',
      startAt: '2026-11-27T10:00:00.000Z',
    });
    // not due yet (the tracker's clock): nothing claimed, nothing published
    expect(await runner.runOnce()).toBe(0);
    expect(events.published).toEqual([]);
    makeDue(id);
    expect(await runner.runOnce()).toBe(1);
    expect(events.published).toHaveLength(1);
    expect(events.published[0]!.event).toMatchObject({
      type: 'broadcast.uploaded',
      id: startEventId('acme', id), // exactly the immediate start's event
      payload: { broadcastId: id },
    });
    expect(tracker.schedules.get(id)?.status).toBe('started');
    expect(await runner.runOnce()).toBe(0); // claimed once only
  });

  it('checks the file and the state before scheduling', async () => {
    const { broadcasts, tracker } = setup();
    const { id } = await broadcasts.create('acme', request, 'r');
    await expect(
      broadcasts.start('acme', id, 'r', { startAt: '2026-11-27T10:00:00Z' }),
    ).rejects.toMatchObject({ code: 'file-missing' });
    expect(tracker.schedules.size).toBe(0);
    await expect(
      broadcasts.start('globex', id, 'r', { startAt: '2026-11-27T10:00:00Z' }),
    ).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('cancel before the time: final, and the runner never starts it', async () => {
    const { broadcasts, lifecycle, tracker, events, runner, draft, makeDue } = setup();
    const id = await draft();
    await broadcasts.start('acme', id, 'r', { startAt: '2026-11-27T10:00:00Z' });
    await expect(lifecycle.control('acme', id, 'pause', undefined, 'r')).rejects.toMatchObject({
      code: 'broadcast-not-started',
    });
    expect(await lifecycle.control('acme', id, 'cancel', undefined, 'r')).toMatchObject({
      state: 'cancelled',
    });
    expect((await tracker.get('acme', id))?.state).toBe('cancelled');
    makeDue(id);
    tracker.schedules.get(id)!.status = 'cancelled';
    expect(await runner.runOnce()).toBe(0);
    expect(events.published).toEqual([]);
    await expect(broadcasts.start('acme', id, 'r')).rejects.toMatchObject({
      code: 'broadcast-already-started',
    });
  });

  it('DELETE …/schedule: back to a draft, which can be started later', async () => {
    const { broadcasts, lifecycle, tracker, events, runner, draft } = setup();
    const id = await draft();
    await expect(lifecycle.unschedule('acme', id, 'r')).rejects.toMatchObject({
      code: 'broadcast-not-scheduled',
    });
    await broadcasts.start('acme', id, 'r', { startAt: '2026-11-27T10:00:00Z' });
    expect(await lifecycle.unschedule('acme', id, 'r')).toMatchObject({
      state: 'created',
      unscheduledStartAt: '2026-11-27T10:00:00.000Z',
    });
    expect((await tracker.get('acme', id))?.state).toBe('created');
    expect(await runner.runOnce()).toBe(0);
    await broadcasts.start('acme', id, 'r');
    expect(events.published).toHaveLength(1);
  });

  it('a start refused at the time (template paused since) is recorded as failed', async () => {
    const { broadcasts, tracker, events, runner, draft, makeDue, storage } = setup();
    const id = await draft();
    await broadcasts.start('acme', id, 'r', { startAt: '2026-11-27T10:00:00Z' });
    // the file vanished before the time
    makeDue(id);
    storage.objects.delete(`uploads/acme/${id}.csv`);
    expect(await runner.runOnce()).toBe(0);
    expect(events.published).toEqual([]);
    expect(tracker.schedules.get(id)).toMatchObject({
      status: 'failed',
      failureCode: 'file-missing',
    });
  });
});
