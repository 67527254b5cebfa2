import { createEnvelope } from '@wab/contracts';
import { composeSendRequests } from './compose.js';

describe('composeSendRequests', () => {
  it('renders one send request per row with callback data and digits-only `to`', () => {
    const chunk = createEnvelope(
      'broadcast.rows',
      {
        broadcastId: 'b-1',
        chunkIndex: 0,
        phoneNumberId: '1065',
        template: { name: 'order_update', language: 'en_US' },
        rows: [
          {
            rowNumber: 4,
            phone: '0151 23456789',
            e164: '+4915123456789',
            parameters: {
              body: [
                { position: 2, text: 'A-1' },
                { position: 1, text: 'Ada' },
              ],
            },
          },
        ],
      },
      { tenantId: 'acme', correlationId: 'c-1' },
    );
    expect(composeSendRequests(chunk)).toEqual([
      {
        broadcastId: 'b-1',
        recipientId: 'b-1:4',
        rowNumber: 4,
        to: '4915123456789',
        phoneNumberId: '1065',
        template: {
          name: 'order_update',
          language: { code: 'en_US' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Ada' },
                { type: 'text', text: 'A-1' },
              ],
            },
          ],
        },
        bizOpaqueCallbackData: 'wab1:b-1:4',
        attempt: 1,
      },
    ]);
  });
});
