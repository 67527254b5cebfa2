import { createLogger } from '@wab/service-runtime';
import { StaticTemplateCatalog } from './adapters/in-memory.adapters.js';
import { GatewayError } from './domain/errors.js';
import { TEMPLATES } from './domain/templates.fixture.js';
import { TemplateCatalog } from './ports/template-catalog.port.js';
import { TemplatesService } from './templates.service.js';

const log = createLogger('test', 'silent');

describe('TemplatesService', () => {
  let now = 0;
  const service = (catalog: TemplateCatalog) =>
    new TemplatesService(catalog, log, { ttlMs: 60_000, now: () => now });

  beforeEach(() => {
    now = 1_000_000;
  });

  it('lists only APPROVED templates, from the cache within the TTL', async () => {
    const catalog = new StaticTemplateCatalog(TEMPLATES);
    const templates = service(catalog);
    const approved = await templates.approved();
    expect(approved.every((t) => t.status === 'APPROVED')).toBe(true);
    expect(approved.map((t) => t.name)).not.toContain('flash_sale');
    now += 59_000;
    await templates.approved();
    expect(catalog.calls).toBe(1);
    now += 2_000;
    await templates.approved();
    expect(catalog.calls).toBe(2);
  });

  it('shares one refresh between concurrent callers', async () => {
    const catalog = new StaticTemplateCatalog(TEMPLATES);
    const templates = service(catalog);
    await Promise.all([templates.all(), templates.all(), templates.approved()]);
    expect(catalog.calls).toBe(1);
  });

  it('serves the previous list when a refresh fails, and fails when there is none', async () => {
    let fail = false;
    const catalog = new (class extends TemplateCatalog {
      listAll() {
        return fail ? Promise.reject(new Error('Graph down')) : Promise.resolve(TEMPLATES);
      }
    })();
    const templates = service(catalog);
    await templates.all();
    fail = true;
    now += 120_000;
    expect((await templates.all()).length).toBe(TEMPLATES.length);
    await expect(service(catalog).all()).rejects.toThrow('Graph down');
  });

  it('choose: 422-kind errors naming template and language; a miss refreshes once', async () => {
    const catalog = new StaticTemplateCatalog(TEMPLATES);
    const templates = service(catalog);
    await expect(templates.choose('order_update', 'fr')).rejects.toMatchObject({
      kind: 'unprocessable',
      code: 'unknown-language',
      message: 'template "order_update" has no approved language "fr" (approved: en_US, es_ES)',
    });
    await expect(templates.choose('promo', 'en_US')).rejects.toBeInstanceOf(GatewayError);
    const callsAfterMisses = catalog.calls;
    // Approved at Meta a moment ago: found after the automatic refresh of an older list.
    catalog.templates = [
      ...TEMPLATES,
      {
        name: 'promo',
        language: 'en_US',
        status: 'APPROVED',
        components: [{ type: 'BODY', text: 'Hi' }],
      },
    ];
    now += 10_000;
    await expect(templates.choose('promo', 'en_US')).resolves.toMatchObject({ name: 'promo' });
    expect(catalog.calls).toBe(callsAfterMisses + 1);
  });
});
