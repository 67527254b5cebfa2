import { parseWebhookPayload } from './webhook-payload.js';

const statuses = (list: object[]) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: 'WABA',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
            statuses: list,
          },
        },
      ],
    },
  ],
});

describe('webhook payload', () => {
  it('reads statuses with our callback data, timestamp and errors', () => {
    const parsed = parseWebhookPayload(
      statuses([
        {
          id: 'wamid.A',
          status: 'delivered',
          timestamp: '1710930461',
          recipient_id: '16505551234',
          biz_opaque_callback_data: 'wab1:bc-1:42',
        },
        {
          id: 'wamid.B',
          status: 'failed',
          timestamp: '1710930462',
          recipient_id: '16505551235',
          errors: [
            {
              code: 131026,
              title: 'Message undeliverable',
              error_data: { details: 'Message Undeliverable.' },
            },
          ],
        },
      ]),
    );
    expect(parsed.ignored).toBe(0);
    expect(parsed.statuses).toEqual([
      {
        wamid: 'wamid.A',
        status: 'delivered',
        at: new Date(1710930461000),
        broadcastId: 'bc-1',
        rowNumber: 42,
        recipientWaId: '16505551234',
        phoneNumberId: '106540352242922',
      },
      {
        wamid: 'wamid.B',
        status: 'failed',
        at: new Date(1710930462000),
        recipientWaId: '16505551235',
        phoneNumberId: '106540352242922',
        error: {
          code: '131026',
          title: 'Message undeliverable',
          details: 'Message Undeliverable.',
        },
      },
    ]);
  });

  it('ignores what is not a status we track, and foreign callback data', () => {
    const parsed = parseWebhookPayload(
      statuses([
        { id: 'wamid.C', status: 'played', timestamp: '1' },
        { status: 'sent' },
        {
          id: 'wamid.D',
          status: 'sent',
          timestamp: '1',
          biz_opaque_callback_data: 'campaign42:row981',
        },
      ]),
    );
    expect(parsed.ignored).toBe(2);
    expect(parsed.statuses).toHaveLength(1);
    expect(parsed.statuses[0]).not.toHaveProperty('broadcastId');
    expect(
      parseWebhookPayload({
        object: 'whatsapp_business_account',
        entry: [{ changes: [{ value: { messages: [] } }] }],
      }),
    ).toEqual({ statuses: [], ignored: 0 });
    expect(parseWebhookPayload('nonsense')).toEqual({ statuses: [], ignored: 0 });
  });
});
