import { Readable } from 'node:stream';
import { createLogger } from '@wab/service-runtime';
import {
  InMemoryEventBus,
  InMemoryObjectStorage,
  InMemoryStatusTracker,
  StaticTemplateCatalog,
} from './adapters/in-memory.adapters.js';
import { InMemorySuppressionList } from './adapters/in-memory-suppression-list.adapter.js';
import { BroadcastDrafts } from './broadcast-drafts.js';
import { BroadcastsService } from './broadcasts.service.js';
import { GatewayError } from './domain/errors.js';
import { TEMPLATES } from './domain/templates.fixture.js';
import { DryRunService } from './dry-run.service.js';
import { SuppressionsService } from './suppressions.service.js';
import { TemplatesService } from './templates.service.js';
import { UploadsService } from './uploads.service.js';

const log = createLogger('test', 'silent');

describe('SuppressionsService', () => {
  it('normalises numbers before adding and removing, per tenant', async () => {
    const list = new InMemorySuppressionList();
    const service = new SuppressionsService(list);
    const added = await service.add('acme', '0049 151 23456789', 'asked by phone');
    expect(added).toMatchObject({
      created: true,
      suppression: { phone: '+4915123456789', reason: 'api', detail: 'asked by phone' },
    });
    expect((await service.add('acme', '+49 151 2345 6789')).created).toBe(false);
    expect((await service.page('other', {})).items).toEqual([]);
    expect((await service.page('acme', {})).items.map((s) => s.phone)).toEqual(['+4915123456789']);
    await service.remove('acme', '4915123456789');
    expect((await service.page('acme', {})).items).toEqual([]);
  });

  it('answers invalid-phone (422) for something that is not a number, not-found for an unlisted one', async () => {
    const service = new SuppressionsService(new InMemorySuppressionList());
    await expect(service.add('acme', 'hello')).rejects.toMatchObject({
      kind: 'unprocessable',
      code: 'invalid-phone',
    });
    await expect(service.remove('acme', '+4915123456789')).rejects.toMatchObject({
      kind: 'not-found',
      code: 'suppression-not-found',
    });
    expect(() => service.page('acme', { after: 'x' })).toThrow(GatewayError);
  });
});

describe('DryRunService with a suppression list', () => {
  it('counts suppressed recipients as skipped opted-out and lists them with the reason', async () => {
    const storage = new InMemoryObjectStorage();
    const tracker = new InMemoryStatusTracker();
    const drafts = new BroadcastDrafts(storage);
    const templates = new TemplatesService(new StaticTemplateCatalog(TEMPLATES), log, {
      ttlMs: 60_000,
    });
    await new BroadcastsService(templates, drafts, tracker, new InMemoryEventBus(), log, {
      presignExpiresSeconds: 600,
      maxUploadBytes: 1_000_000,
      newId: () => 'b1',
    }).create(
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
    await new UploadsService(drafts, tracker, log, { maxUploadBytes: 1_000_000 }).upload(
      'acme',
      'b1',
      Readable.from([
        'phone,name,order\n' +
          '+4915123456789,Ada,A-1\n' +
          '015123456780,Bob,A-2\n' +
          'not a phone,Cy,A-3\n' +
          '+4915123456781,Di,A-4\n',
      ]),
      undefined,
      'r',
    );
    const list = new InMemorySuppressionList();
    list.seed('acme', '+4915123456780', 'stop-reply');
    list.seed('other', '+4915123456789', 'api'); // another tenant's list changes nothing here
    const dryRun = new DryRunService(
      drafts,
      templates,
      { maxRecordBytes: 64 * 1024, strictWhitespace: true, defaultMps: 80 },
      list,
    );
    const report = await dryRun.run('acme', 'b1', 1);
    expect(report).toMatchObject({
      totalRows: 4,
      recipients: 2,
      skipped: 2,
      skippedByReason: { 'invalid-phone': 1, 'opted-out': 1 },
      suppressed: 1,
      suppressedRows: [
        {
          rowNumber: 2,
          phone: '015123456780',
          e164: '+4915123456780',
          reason: 'opted-out',
          suppression: 'stop-reply',
        },
      ],
      suppressedRowsTruncated: false,
      estimate: { messagesPerSecond: 1, seconds: 2 },
    });
  });
});
