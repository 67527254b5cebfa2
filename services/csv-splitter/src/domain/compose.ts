import {
  formatCallbackData,
  recipientId,
  renderCloudApiTemplate,
  type EventOf,
  type PayloadOf,
} from '@wab/contracts';

export type SendRequest = PayloadOf<'message.send-requested'>;

/**
 * One message.send-requested per row of a broadcast.rows chunk, first attempt. Pure and
 * deterministic: a re-delivered chunk yields the same recipient ids, which is what lets the
 * dispatcher de-duplicate (Kafka is at-least-once; the Cloud API has no idempotency key).
 */
export function composeSendRequests(chunk: EventOf<'broadcast.rows'>): SendRequest[] {
  const { broadcastId, phoneNumberId, template } = chunk.payload;
  return chunk.payload.rows.map((row) => ({
    broadcastId,
    recipientId: recipientId(broadcastId, row.rowNumber),
    rowNumber: row.rowNumber,
    to: row.e164.slice(1),
    phoneNumberId,
    template: renderCloudApiTemplate(template, row.parameters),
    bizOpaqueCallbackData: formatCallbackData(broadcastId, row.rowNumber),
    attempt: 1,
  }));
}
