import { Readable } from 'node:stream';
import { validateEvent } from '@wab/contracts';
import { createLogger } from '@wab/service-runtime';
import {
  InMemoryEventBus,
  InMemoryObjectStorage,
  InMemoryStatusTracker,
  StaticTemplateCatalog,
} from './adapters/in-memory.adapters.js';
import { BroadcastDrafts } from './broadcast-drafts.js';
import { BroadcastsService, startEventId } from './broadcasts.service.js';
import { TEMPLATES } from './domain/templates.fixture.js';
import { ProgressService } from './progress.service.js';
import { TemplatesService } from './templates.service.js';
import { UploadsService } from './uploads.service.js';

const log = createLogger('test', 'silent');

function setup(maxUploadBytes = 1000) {
  const catalog = new StaticTemplateCatalog(TEMPLATES);
  const storage = new InMemoryObjectStorage();
  const tracker = new InMemoryStatusTracker();
  const events = new InMemoryEventBus();
  const drafts = new BroadcastDrafts(storage);
  const templates = new TemplatesService(catalog, log, { ttlMs: 60_000 });
  let n = 0;
  const broadcasts = new BroadcastsService(templates, drafts, tracker, events, log, {
    presignExpiresSeconds: 600,
    maxUploadBytes,
    newId: () => `b${++n}`,
  });
  const uploads = new UploadsService(drafts, tracker, log, { maxUploadBytes });
  const progress = new ProgressService(tracker);
  return { catalog, storage, tracker, events, broadcasts, uploads, progress };
}

const request = {
  name: 'June',
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

describe('BroadcastsService', () => {
  it('create: validates, keeps the draft, registers with status-tracker, hands out an upload URL', async () => {
    const { broadcasts, tracker, storage } = setup();
    const created = await broadcasts.create('acme', request, 'r1');
    expect(created).toMatchObject({
      id: 'b1',
      state: 'created',
      upload: {
        method: 'PUT',
        headers: { 'content-type': 'text/csv' },
        url: expect.stringContaining('uploads/acme/b1.csv') as unknown,
      },
      fileUrl: '/v1/broadcasts/b1/file',
      startUrl: '/v1/broadcasts/b1/start',
      template: { name: 'order_update', language: 'en_US', parameterFormat: 'positional' },
    });
    expect(tracker.broadcasts.get('b1')?.registration).toEqual({
      tenantId: 'acme',
      name: 'June',
      phoneNumberId: request.phoneNumberId,
      template: { name: 'order_update', language: 'en_US', parameterFormat: 'positional' },
      mapping: request.mapping,
      defaultCountry: 'DE',
      object: { bucket: 'memory', key: 'uploads/acme/b1.csv' },
    });
    expect(storage.objects.has('uploads/acme/b1.draft.json')).toBe(true);
  });

  it('create: 400 for a malformed body, 422 naming the template problem, nothing registered', async () => {
    const { broadcasts, tracker } = setup();
    await expect(
      broadcasts.create('acme', { ...request, phoneNumberId: '' }, 'r'),
    ).rejects.toMatchObject({
      kind: 'invalid-request',
      message: expect.stringContaining('phoneNumberId') as unknown,
    });
    await expect(
      broadcasts.create('acme', { ...request, template: { name: 'promo', language: 'fr' } }, 'r'),
    ).rejects.toMatchObject({
      kind: 'unprocessable',
      code: 'unknown-template',
      message: 'template "promo" does not exist',
    });
    await expect(
      broadcasts.create(
        'acme',
        { ...request, mapping: { phoneColumn: 'phone', body: [{ position: 1, column: 'name' }] } },
        'r',
      ),
    ).rejects.toMatchObject({
      kind: 'unprocessable',
      code: 'missing-parameter',
      message: expect.stringContaining('{{2}}') as unknown,
    });
    expect(tracker.broadcasts.size).toBe(0);
  });

  it('start: needs the file; publishes a valid broadcast.uploaded with a stable id; 409 once under way', async () => {
    const { broadcasts, uploads, tracker, events } = setup();
    const { id } = await broadcasts.create('acme', request, 'r1');
    await expect(broadcasts.start('acme', id, 'r2')).rejects.toMatchObject({
      kind: 'conflict',
      code: 'file-missing',
    });
    expect(await uploads.upload('acme', id, Readable.from([csv]), undefined, 'r3')).toEqual({
      id,
      sizeBytes: csv.length,
      startUrl: `/v1/broadcasts/${id}/start`,
    });
    const started = await broadcasts.start('acme', id, 'r4');
    expect(started).toMatchObject({
      id,
      state: 'created',
      file: { sizeBytes: csv.length },
      statusUrl: `/v1/broadcasts/${id}`,
    });
    expect(events.published).toHaveLength(1);
    const { topic, event } = events.published[0]!;
    expect(topic).toBe('uploaded');
    expect(validateEvent(event)).toEqual([]);
    expect(event).toMatchObject({
      type: 'broadcast.uploaded',
      tenantId: 'acme',
      correlationId: id,
      id: startEventId('acme', id),
      payload: {
        broadcastId: id,
        object: { bucket: 'memory', key: `uploads/acme/${id}.csv`, sizeBytes: csv.length },
        phoneNumberId: request.phoneNumberId,
        template: { name: 'order_update', language: 'en_US', parameterFormat: 'positional' },
        mapping: request.mapping,
        defaultCountry: 'DE',
      },
    });
    // Again before the splitter picked it up: the same event again (harmless), 202 again.
    await broadcasts.start('acme', id, 'r5');
    expect(events.published[1]!.event.id).toBe(event.id);
    // Once status-tracker has seen the split start: 409, and the file can no longer be replaced.
    tracker.broadcasts.get(id)!.state = 'sending';
    await expect(broadcasts.start('acme', id, 'r6')).rejects.toMatchObject({
      kind: 'conflict',
      code: 'broadcast-already-started',
    });
    await expect(
      uploads.upload('acme', id, Readable.from([csv]), undefined, 'r7'),
    ).rejects.toMatchObject({
      code: 'broadcast-already-started',
    });
  });

  it('start: an empty file is refused; an oversized (pre-signed) upload is 413', async () => {
    const { broadcasts, storage } = setup(100);
    const { id } = await broadcasts.create('acme', request, 'r');
    storage.objects.set(`uploads/acme/${id}.csv`, {
      body: Buffer.alloc(0),
      contentType: 'text/csv',
    });
    await expect(broadcasts.start('acme', id, 'r')).rejects.toMatchObject({ code: 'file-empty' });
    storage.objects.set(`uploads/acme/${id}.csv`, {
      body: Buffer.alloc(101),
      contentType: 'text/csv',
    });
    await expect(broadcasts.start('acme', id, 'r')).rejects.toMatchObject({
      kind: 'too-large',
      message: 'the file is 101 bytes, over the limit of 100 bytes',
    });
  });

  it('start: a template paused since creation is refused with 422', async () => {
    const { broadcasts, uploads, catalog } = setup();
    const { id } = await broadcasts.create('acme', request, 'r');
    await uploads.upload('acme', id, Readable.from([csv]), undefined, 'r');
    catalog.templates = catalog.templates.map((t) =>
      t.name === 'order_update' ? { ...t, status: 'PAUSED' } : t,
    );
    const fresh = new TemplatesService(catalog, log, { ttlMs: 60_000 });
    const again = new BroadcastsService(
      fresh,
      (broadcasts as unknown as { drafts: BroadcastDrafts }).drafts,
      (broadcasts as unknown as { tracker: InMemoryStatusTracker }).tracker,
      new InMemoryEventBus(),
      log,
      { presignExpiresSeconds: 600, maxUploadBytes: 1000 },
    );
    await expect(again.start('acme', id, 'r')).rejects.toMatchObject({
      kind: 'unprocessable',
      code: 'template-not-approved',
    });
  });

  it('uploads: the declared length is checked before reading; the streamed bytes are counted', async () => {
    const { broadcasts, uploads } = setup(10);
    const { id } = await broadcasts.create('acme', request, 'r');
    const body = Readable.from(['x'.repeat(11)]);
    await expect(uploads.upload('acme', id, body, 11, 'r')).rejects.toMatchObject({
      kind: 'too-large',
    });
    expect(body.readableDidRead).toBe(false);
    await expect(
      uploads.upload('acme', id, Readable.from(['x'.repeat(6), 'x'.repeat(6)]), undefined, 'r'),
    ).rejects.toMatchObject({
      kind: 'too-large',
      code: 'file-too-large',
    });
  });

  it('tenancy: another tenant’s broadcast is not found, everywhere', async () => {
    const { broadcasts, uploads, progress } = setup();
    const { id } = await broadcasts.create('acme', request, 'r');
    await uploads.upload('acme', id, Readable.from([csv]), undefined, 'r');
    const notFound = { kind: 'not-found', code: 'broadcast-not-found' };
    await expect(broadcasts.start('globex', id, 'r')).rejects.toMatchObject(notFound);
    await expect(
      uploads.upload('globex', id, Readable.from([csv]), undefined, 'r'),
    ).rejects.toMatchObject(notFound);
    await expect(progress.get('globex', id)).rejects.toMatchObject(notFound);
    await expect(progress.recipients('globex', id, {})).rejects.toMatchObject(notFound);
    await expect(progress.report('globex', id)).rejects.toMatchObject(notFound);
    await expect(progress.get('acme', id)).resolves.toMatchObject({ id, state: 'created' });
    await expect(progress.get('acme', '../etc')).rejects.toMatchObject(notFound);
  });
});

describe('startEventId', () => {
  it('is a UUID, stable per (tenant, broadcast), different otherwise', () => {
    expect(startEventId('acme', 'b1')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(startEventId('acme', 'b1')).toBe(startEventId('acme', 'b1'));
    expect(startEventId('acme', 'b1')).not.toBe(startEventId('globex', 'b1'));
    expect(startEventId('acme', 'b1')).not.toBe(startEventId('acme', 'b2'));
  });
});
