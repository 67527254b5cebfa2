/**
 * Opt-outs read out of a Meta webhook body. Two kinds arrive on the same subscription as statuses:
 *
 * - inbound messages (`field: messages`, `value.messages[]`): a text reply whose whole body is an
 *   opt-out keyword ("STOP", "Stop!", "unsubscribe", "ARRÊT", ...), or a quick-reply / interactive
 *   button tap whose payload or title is one ("Stop promotions", "Unsubscribe"). Meta itself does not
 *   act on a text STOP (reference §4.4): honouring it is ours to do. Only a message that *is* the
 *   keyword counts (case, accents, surrounding spaces and punctuation ignored): "please don't stop"
 *   or "stop the order" are not opt-outs. A reply "START" / "UNSTOP" / "RESUME" undoes a STOP reply.
 * - `field: user_preferences` (reference §4.5): `value: stop` is Meta's marketing opt-out (sends
 *   after it fail with 131050 anyway), `value: resume` its undo.
 *
 * Pure: no tenant here (the store attributes the business number to tenants), no I/O. Anything that
 * is not an opt-out is ignored, never an error (Meta would retry a non-200 answer for days).
 */

export type SuppressionReason = 'stop-reply' | 'user-preferences' | 'api';
export const SUPPRESSION_REASONS: readonly SuppressionReason[] = [
  'stop-reply',
  'user-preferences',
  'api',
];
export const isSuppressionReason = (value: unknown): value is SuppressionReason =>
  typeof value === 'string' && (SUPPRESSION_REASONS as readonly string[]).includes(value);

export interface OptOutEvent {
  /** `stop` adds the number to the list; `resume` removes what a stop of the same channel added. */
  action: 'stop' | 'resume';
  /** The channel: an inbound message (`stop-reply`) or Meta's `user_preferences` (`user-preferences`). */
  reason: Exclude<SuppressionReason, 'api'>;
  /** The user's number in E.164 (`+` and Meta's wa_id). */
  phone: string;
  /** The business number that received it (metadata.phone_number_id): finds the tenants. */
  phoneNumberId?: string;
  /** The inbound message's wamid (messages only). */
  messageId?: string;
  /** The keyword as received, or Meta's `detail` text. */
  detail: string;
  at: Date;
}

/** Opt-out keywords, compared after `normaliseKeyword`. */
const STOP_WORDS = new Set([
  'STOP',
  'STOPP',
  'STOP ALL',
  'STOPALL',
  'STOP PROMOTIONS',
  'STOP MESSAGES',
  'UNSUBSCRIBE',
  'OPT OUT',
  'OPTOUT',
  'ARRET',
  'ARRETER',
  'DESINSCRIRE',
  'ABMELDEN',
  'ABBESTELLEN',
  'BAJA',
  'PARAR',
  'CANCELAR SUSCRIPCION',
  'DISISCRIVITI',
]);
const RESUME_WORDS = new Set(['START', 'UNSTOP', 'RESUME', 'SUBSCRIBE']);

/** "  Stop! " → "STOP", "Arrêt" → "ARRET", "opt-out" → "OPT OUT". */
export function normaliseKeyword(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** What a reply means: an opt-out, an opt-in again, or nothing (most replies). */
export function keywordAction(text: string | undefined): 'stop' | 'resume' | undefined {
  if (text === undefined || text.length > 64) return undefined;
  const word = normaliseKeyword(text);
  if (STOP_WORDS.has(word)) return 'stop';
  if (RESUME_WORDS.has(word)) return 'resume';
  return undefined;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

/** Meta's wa_id (digits, no `+`) as E.164, or undefined when it is not a plausible number. */
export function waIdToE164(waId: string | undefined): string | undefined {
  if (waId === undefined) return undefined;
  const digits = waId.trim().replace(/^\+/, '');
  return /^[1-9]\d{4,16}$/.test(digits) ? `+${digits}` : undefined;
}

function timestampOf(raw: unknown): Date {
  const seconds = Number(asString(raw));
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date();
}

export function parseOptOuts(body: unknown): OptOutEvent[] {
  const events: OptOutEvent[] = [];
  if (!isObject(body)) return events;
  for (const entry of asArray(body.entry)) {
    if (!isObject(entry)) continue;
    for (const change of asArray(entry.changes)) {
      if (!isObject(change) || !isObject(change.value)) continue;
      const value = change.value;
      const phoneNumberId = isObject(value.metadata)
        ? asString(value.metadata.phone_number_id)
        : undefined;
      const common = phoneNumberId ? { phoneNumberId } : {};
      for (const raw of asArray(value.messages)) {
        if (!isObject(raw)) continue;
        const phone = waIdToE164(asString(raw.from));
        const text = replyText(raw);
        const action = keywordAction(text);
        if (!phone || !action || text === undefined) continue;
        const messageId = asString(raw.id);
        events.push({
          action,
          reason: 'stop-reply',
          phone,
          ...common,
          ...(messageId ? { messageId } : {}),
          detail: `${String(raw.type)} reply "${text.trim().slice(0, 64)}"`,
          at: timestampOf(raw.timestamp),
        });
      }
      for (const raw of asArray(value.user_preferences)) {
        if (!isObject(raw)) continue;
        const phone = waIdToE164(asString(raw.wa_id));
        const preference = asString(raw.value);
        const action =
          preference === 'stop' ? 'stop' : preference === 'resume' ? 'resume' : undefined;
        if (!phone || !action) continue;
        events.push({
          action,
          reason: 'user-preferences',
          phone,
          ...common,
          detail: (asString(raw.detail) ?? `user_preferences ${preference}`).slice(0, 500),
          at: timestampOf(raw.timestamp),
        });
      }
    }
  }
  return events;
}

/** The text a user sent or tapped: text body, quick-reply button payload/text, interactive reply. */
function replyText(message: Json): string | undefined {
  switch (message.type) {
    case 'text':
      return isObject(message.text) ? asString(message.text.body) : undefined;
    case 'button': {
      if (!isObject(message.button)) return undefined;
      const payload = asString(message.button.payload);
      return keywordAction(payload) ? payload : asString(message.button.text);
    }
    case 'interactive': {
      const interactive = isObject(message.interactive) ? message.interactive : undefined;
      const reply =
        interactive && isObject(interactive.button_reply) ? interactive.button_reply : undefined;
      if (!reply) return undefined;
      const id = asString(reply.id);
      return keywordAction(id) ? id : asString(reply.title);
    }
    default:
      return undefined;
  }
}
