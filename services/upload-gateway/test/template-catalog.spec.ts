/** GraphApiTemplateCatalog against the simulator's message_templates endpoint (cursor paging, auth errors). */
import type { RunningProcess } from '@wab/service-runtime/testing';
import { GraphApiTemplateCatalog } from '../src/adapters/graph-api-template-catalog.adapter.js';
import { GatewayError } from '../src/domain/errors.js';
import { SIMULATOR_TOKEN, startSimulator, stopProcess, WABA_ID } from './support.js';

describe('GraphApiTemplateCatalog (simulator process)', () => {
  let simulator: RunningProcess | undefined;
  let url = '';

  beforeAll(async () => {
    const started = await startSimulator();
    simulator = started.proc;
    url = started.url;
  }, 60_000);

  afterAll(async () => {
    await stopProcess(simulator);
  });

  const catalog = (options: { token?: string; pageSize?: number } = {}) =>
    new GraphApiTemplateCatalog({
      baseUrl: `${url}/`,
      version: 'v23.0',
      wabaId: WABA_ID,
      token: options.token ?? SIMULATOR_TOKEN,
      timeoutMs: 5000,
      pageSize: options.pageSize ?? 100,
    });

  it('follows every cursor: the same templates in pages of 2 as in one page', async () => {
    const whole = await catalog().listAll();
    const paged = await catalog({ pageSize: 2 }).listAll();
    expect(whole.length).toBeGreaterThanOrEqual(9);
    expect(paged.map((t) => `${t.name}/${t.language}`)).toEqual(
      whole.map((t) => `${t.name}/${t.language}`),
    );
    expect(new Set(paged.map((t) => t.id)).size).toBe(paged.length);
    expect(whole.find((t) => t.name === 'order_confirmation')?.parameter_format).toBe('NAMED');
    expect(whole.find((t) => t.name === 'flash_sale')?.status).toBe('PAUSED');
  });

  it('a refused token is an upstream error with Graph’s code, and never contains the token', async () => {
    const error = await catalog({ token: 'secret-token-123' })
      .listAll()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      kind: 'upstream',
      code: 'whatsapp-failed',
      details: { status: 401, graphCode: 190 },
    });
    expect((error as Error).message).toMatch(/refused the template list \(HTTP 401, code 190\)/);
    expect(JSON.stringify(error) + (error as Error).message).not.toContain('secret-token-123');
  });

  it('an unreachable API is "unavailable"', async () => {
    const error = await new GraphApiTemplateCatalog({
      baseUrl: 'http://127.0.0.1:9',
      version: 'v23.0',
      wabaId: WABA_ID,
      token: 't',
      timeoutMs: 2000,
    })
      .listAll()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'unavailable', code: 'whatsapp-unavailable' });
  });
});
