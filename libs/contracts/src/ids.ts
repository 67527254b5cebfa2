/**
 * Identifiers that outlive a process. LOUD WARNING: recipient ids are Kafka keys and database keys, and
 * callback data comes back in Meta's webhooks days later: changing either format strands in-flight
 * messages. A new format needs a new prefix (`wab2:`) and parsing of both.
 */
export const CALLBACK_DATA_PREFIX = 'wab1:';

const RECIPIENT_ID = /^([A-Za-z0-9][A-Za-z0-9_-]{0,63}):([1-9][0-9]{0,9})$/;

/** `<broadcastId>:<rowNumber>`: the key of send-requests and send-results. */
export function recipientId(broadcastId: string, rowNumber: number): string {
  return `${broadcastId}:${rowNumber}`;
}

export function parseRecipientId(
  id: string,
): { broadcastId: string; rowNumber: number } | undefined {
  const match = RECIPIENT_ID.exec(id);
  if (!match?.[1] || !match[2]) return undefined;
  return { broadcastId: match[1], rowNumber: Number(match[2]) };
}

/** The `biz_opaque_callback_data` of a recipient's message: `wab1:<broadcastId>:<rowNumber>`. */
export function formatCallbackData(broadcastId: string, rowNumber: number): string {
  return `${CALLBACK_DATA_PREFIX}${recipientId(broadcastId, rowNumber)}`;
}

/** Undefined for callback data that is not ours (other software may send from the same number). */
export function parseCallbackData(
  data: string | undefined | null,
): { broadcastId: string; rowNumber: number } | undefined {
  if (!data?.startsWith(CALLBACK_DATA_PREFIX)) return undefined;
  return parseRecipientId(data.slice(CALLBACK_DATA_PREFIX.length));
}
