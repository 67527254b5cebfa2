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

export type RowSkipped = PayloadOf<'broadcast.row-skipped'>;

/** Why a number is suppressed, as status-tracker's list says (`stop-reply`, `user-preferences`, `api`). */
export type SuppressedNumbers = ReadonlyMap<string, string>;

const SUPPRESSION_MESSAGES: Record<string, string> = {
  'stop-reply': 'The recipient replied STOP: on the suppression list',
  'user-preferences':
    'The recipient stopped marketing messages in WhatsApp: on the suppression list',
  api: 'The number was put on the suppression list through the API',
};

/**
 * A broadcast.rows chunk split into the send requests of the recipients who may be messaged and a
 * broadcast.row-skipped (`opted-out`) for each one on the tenant's suppression list. Pure: the same
 * chunk and list always give the same answer.
 */
export function composeChunk(
  chunk: EventOf<'broadcast.rows'>,
  suppressed: SuppressedNumbers,
): { requests: SendRequest[]; skipped: RowSkipped[] } {
  if (suppressed.size === 0) return { requests: composeSendRequests(chunk), skipped: [] };
  const rows = chunk.payload.rows.filter((row) => !suppressed.has(row.e164));
  const skipped = chunk.payload.rows.flatMap((row): RowSkipped[] => {
    const reason = suppressed.get(row.e164);
    if (reason === undefined) return [];
    return [
      {
        broadcastId: chunk.payload.broadcastId,
        rowNumber: row.rowNumber,
        phone: row.phone,
        e164: row.e164,
        reason: 'opted-out',
        message: SUPPRESSION_MESSAGES[reason] ?? `On the suppression list (${reason})`,
      },
    ];
  });
  const requests =
    rows.length === 0 ? [] : composeSendRequests({ ...chunk, payload: { ...chunk.payload, rows } });
  return { requests, skipped };
}
