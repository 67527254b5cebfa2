import { renderCloudApiTemplate } from './render.js';

describe('renderCloudApiTemplate', () => {
  it('renders positional body parameters in placeholder order, with header and buttons', () => {
    expect(
      renderCloudApiTemplate(
        { name: 'order_update', language: 'en_US' },
        {
          header: { type: 'image', value: 'https://example.com/h.jpg' },
          body: [
            { position: 2, text: 'A-1001' },
            { position: 1, text: 'Ada' },
          ],
          buttons: [
            { index: 1, subType: 'quick_reply', value: 'stop' },
            { index: 0, subType: 'url', value: 'trk-9f2' },
          ],
        },
      ),
    ).toEqual({
      name: 'order_update',
      language: { code: 'en_US' },
      components: [
        {
          type: 'header',
          parameters: [{ type: 'image', image: { link: 'https://example.com/h.jpg' } }],
        },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ada' },
            { type: 'text', text: 'A-1001' },
          ],
        },
        {
          type: 'button',
          sub_type: 'url',
          index: '0',
          parameters: [{ type: 'text', text: 'trk-9f2' }],
        },
        {
          type: 'button',
          sub_type: 'quick_reply',
          index: '1',
          parameters: [{ type: 'payload', payload: 'stop' }],
        },
      ],
    });
  });

  it('adds parameter_name for named templates and omits components when there are none', () => {
    expect(
      renderCloudApiTemplate(
        { name: 'welcome', language: 'de', parameterFormat: 'named' },
        {
          body: [{ name: 'first_name', text: 'Ada' }],
          buttons: [{ index: 0, subType: 'copy_code', value: 'SAVE20' }],
        },
      ).components,
    ).toEqual([
      { type: 'body', parameters: [{ type: 'text', text: 'Ada', parameter_name: 'first_name' }] },
      {
        type: 'button',
        sub_type: 'copy_code',
        index: '0',
        parameters: [{ type: 'coupon_code', coupon_code: 'SAVE20' }],
      },
    ]);
    expect(
      renderCloudApiTemplate({ name: 'hello_world', language: 'en_US' }, { body: [] }),
    ).toEqual({
      name: 'hello_world',
      language: { code: 'en_US' },
    });
  });
});

describe('rows → send-requests', () => {
  it('a rendered row of the broadcast.rows example is a valid message.send-requested', async () => {
    const { BroadcastRowsV1 } = await import('./events/rows.js');
    const { createEnvelope, validateEvent } = await import('./codec.js');
    const { formatCallbackData, recipientId } = await import('./ids.js');
    const chunk = BroadcastRowsV1.example;
    const row = chunk.rows[0]!;
    const event = createEnvelope(
      'message.send-requested',
      {
        broadcastId: chunk.broadcastId,
        recipientId: recipientId(chunk.broadcastId, row.rowNumber),
        rowNumber: row.rowNumber,
        to: row.e164.slice(1),
        phoneNumberId: chunk.phoneNumberId,
        template: renderCloudApiTemplate(chunk.template, row.parameters),
        bizOpaqueCallbackData: formatCallbackData(chunk.broadcastId, row.rowNumber),
        attempt: 1,
      },
      { tenantId: 'acme', correlationId: chunk.broadcastId },
    );
    expect(validateEvent(event)).toEqual([]);
  });
});
