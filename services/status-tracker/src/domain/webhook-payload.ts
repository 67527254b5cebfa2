import { parseCallbackData } from '@wab/contracts';
import { isWebhookStatus, type WebhookStatus } from './recipient-state.js';

/**
 * Reads the message statuses out of a Meta webhook body (`object: whatsapp_business_account`,
 * `entry[].changes[].value.statuses[]`, per Meta's OpenAPI `WebhookPayload`/`Statuses`). Tolerant by
 * design: Meta adds fields and other change kinds (inbound messages, template updates, ...) arrive on
 * the same subscription; anything that is not a status we can correlate is counted and skipped, never
 * an error (a non-200 answer only makes Meta retry the same body for days).
 */
export interface StatusUpdate {
  wamid: string;
  status: WebhookStatus;
  /** Meta's `timestamp` (unix seconds as a string) as a Date. */
  at: Date;
  /** From `biz_opaque_callback_data` (`wab1:<broadcastId>:<rowNumber>`); absent: correlate by wamid. */
  broadcastId?: string;
  rowNumber?: number;
  /** `recipient_id` (Meta's wa_id). */
  recipientWaId?: string;
  phoneNumberId?: string;
  error?: { code: string; title: string; details?: string };
}

export interface ParsedWebhook {
  statuses: StatusUpdate[];
  /** Statuses with a value we do not track (e.g. `played`) or without an id. */
  ignored: number;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

export function parseWebhookPayload(body: unknown): ParsedWebhook {
  const statuses: StatusUpdate[] = [];
  let ignored = 0;
  if (!isObject(body)) return { statuses, ignored };
  for (const entry of asArray(body.entry)) {
    if (!isObject(entry)) continue;
    for (const change of asArray(entry.changes)) {
      if (!isObject(change) || !isObject(change.value)) continue;
      const value = change.value;
      const phoneNumberId = isObject(value.metadata)
        ? asString(value.metadata.phone_number_id)
        : undefined;
      for (const raw of asArray(value.statuses)) {
        const update = isObject(raw) ? readStatus(raw, phoneNumberId) : undefined;
        if (update) statuses.push(update);
        else ignored += 1;
      }
    }
  }
  return { statuses, ignored };
}

function readStatus(raw: Json, phoneNumberId: string | undefined): StatusUpdate | undefined {
  const wamid = asString(raw.id);
  if (!wamid || !isWebhookStatus(raw.status)) return undefined;
  const seconds = Number(asString(raw.timestamp));
  const at = Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date();
  const update: StatusUpdate = { wamid, status: raw.status, at };
  const recipient = parseCallbackData(asString(raw.biz_opaque_callback_data));
  if (recipient) {
    update.broadcastId = recipient.broadcastId;
    update.rowNumber = recipient.rowNumber;
  }
  const waId = asString(raw.recipient_id);
  if (waId) update.recipientWaId = waId;
  if (phoneNumberId) update.phoneNumberId = phoneNumberId;
  if (raw.status === 'failed') {
    const first = asArray(raw.errors).find(isObject);
    const code = first ? asString(first.code) : undefined;
    const title = first ? (asString(first.title) ?? asString(first.message)) : undefined;
    const details =
      first && isObject(first.error_data) ? asString(first.error_data.details) : undefined;
    update.error = {
      code: code ?? 'unknown',
      title: title ?? 'Failed (no error given by Meta)',
      ...(details ? { details } : {}),
    };
  }
  return update;
}
