import { Readable } from 'node:stream';
import { createLogger } from '@wab/service-runtime';
import {
  InMemoryEventBus,
  InMemoryObjectStorage,
  InMemoryStatusTracker,
  StaticTemplateCatalog,
} from './adapters/in-memory.adapters.js';
import { BroadcastDrafts } from './broadcast-drafts.js';
import { BroadcastsService } from './broadcasts.service.js';
import { TEMPLATES } from './domain/templates.fixture.js';
import { TemplatesService } from './templates.service.js';
import { UploadsService } from './uploads.service.js';

/**
 * For the specs of services that read a broadcast's draft and file (dry run, test send): tenant
 * `acme`'s broadcast `b1` of the `order_update` template (`name` → {{1}}, `order` → {{2}}, default
 * country DE) on in-memory adapters, with `csv` uploaded when given.
 */
export async function draftWithFile(csv: string | undefined) {
  const log = createLogger('test', 'silent');
  const storage = new InMemoryObjectStorage();
  const tracker = new InMemoryStatusTracker();
  const drafts = new BroadcastDrafts(storage);
  const templates = new TemplatesService(new StaticTemplateCatalog(TEMPLATES), log, {
    ttlMs: 60_000,
  });
  const broadcasts = new BroadcastsService(
    templates,
    drafts,
    tracker,
    new InMemoryEventBus(),
    log,
    {
      presignExpiresSeconds: 600,
      maxUploadBytes: 1_000_000,
      newId: () => 'b1',
    },
  );
  await broadcasts.create(
    'acme',
    {
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
    },
    'r',
  );
  if (csv !== undefined) {
    await new UploadsService(drafts, tracker, log, { maxUploadBytes: 1_000_000 }).upload(
      'acme',
      'b1',
      Readable.from([csv]),
      undefined,
      'r',
    );
  }
  return { drafts, templates, log };
}
