import { GraphApiError, WhatsAppClient } from '@kapso/whatsapp-cloud-api';
import { startSimulator, type Simulator } from '../src/simulator.js';
import { PHONE } from './helpers.js';

/**
 * Proof that the simulator speaks Meta's dialect, not ours: @kapso/whatsapp-cloud-api, a Cloud API
 * client from npm that users point at graph.facebook.com, is pointed at the simulator's base URL
 * and sends a template message, lists templates, and parses the simulator's Graph errors.
 */
describe('a real Cloud API client library (@kapso/whatsapp-cloud-api)', () => {
  let sim: Simulator;
  let client: WhatsAppClient;

  beforeAll(async () => {
    sim = await startSimulator();
    client = new WhatsAppClient({ accessToken: 'dev-token', baseUrl: sim.url, graphVersion: 'v23.0' });
  });
  afterAll(() => sim.close());

  test('sends a template message and accepts the response', async () => {
    const response = await client.messages.sendTemplate({
      phoneNumberId: PHONE,
      to: '+16505551234',
      bizOpaqueCallbackData: 'broadcast-7:row-1',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Jessica' }, { type: 'text', text: 'A-1001' }] }],
      },
    });
    // The library types the body as camelCase but hands sendTemplate's body back as Meta sent it
    // (snake_case); accept either, what matters is that it parsed Meta's success shape.
    const body = response as unknown as Record<string, unknown>;
    expect(body.messaging_product ?? body.messagingProduct).toBe('whatsapp');
    const contact = response.contacts[0] as unknown as Record<string, unknown>;
    expect(contact.input).toBe('+16505551234');
    expect(contact.wa_id ?? contact.waId).toBe('16505551234');
    expect(response.messages[0]?.id).toMatch(/^wamid\./);
    const [accepted] = sim.ledger.messagesFor('16505551234');
    expect(accepted?.template?.renderedBody).toBe('Hi Jessica, your order A-1001 has shipped.');
    expect(accepted?.bizOpaqueCallbackData).toBe('broadcast-7:row-1');
  });

  test('lists templates with its own paging', async () => {
    const page = await client.templates.list({ businessAccountId: '102290129340398', limit: 5 });
    expect(page.data).toHaveLength(5);
    expect(page.paging?.cursors?.after).toEqual(expect.any(String));
    const next = await client.templates.list({ businessAccountId: '102290129340398', limit: 5, after: page.paging.cursors.after! });
    expect(next.data).toHaveLength(4);
  });

  test('parses the simulator’s Graph error envelope into its error type', async () => {
    const error = await client.messages
      .sendTemplate({ phoneNumberId: PHONE, to: '16505551234', template: { name: 'order_update', language: { code: 'en_US' } } })
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(GraphApiError);
    const graph = error as GraphApiError;
    expect(graph.code).toBe(132000);
    expect(graph.httpStatus).toBe(400);
    expect(graph.isTemplateError()).toBe(true);
    expect(graph.fbtraceId).toEqual(expect.any(String));

    sim.setFaults({ tokenExpired: true });
    const auth = await client.messages
      .sendTemplate({ phoneNumberId: PHONE, to: '16505551234', template: { name: 'hello_world', language: { code: 'en_US' } } })
      .then(() => undefined, (e: unknown) => e as GraphApiError);
    expect(auth?.isAuthError()).toBe(true);
    expect(auth?.requiresTokenRefresh()).toBe(true);
    sim.setFaults({ tokenExpired: false });
  });
});
