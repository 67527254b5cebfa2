/**
 * The recipient state machine, as pure functions: every writer (send-results, status webhooks, the
 * splitter's row outcomes) goes through `mergeState`, and the SQL adapter applies exactly the same
 * rule (see migrations/001_initial.sql, `wab_merge_state`, kept in step by the store test suite).
 *
 * Why a merge and not "set": Kafka is at-least-once and Meta's webhooks are duplicated and arrive in
 * any order (a `read` before its `delivered`, a `delivered` after a `failed` for multi-device users,
 * the dispatcher's result after the first webhook). Applying the same facts in any order, any number
 * of times, must give the same row. So states form a total order (the rank below) and a fact only
 * ever moves a recipient UP that order: `merge(a, b) = max(a, b)`, which is commutative, associative
 * and idempotent.
 *
 *   pending < cancelled < unknown < accepted < sent < failed < delivered < read   (skipped: outside)
 *
 * - `pending`: announced by the splitter (broadcast.rows), nothing sent yet.
 * - `cancelled`: the broadcast was cancelled before this recipient was sent (the dispatcher's result
 *   with our code CANCELLED_RESULT_CODE, or the tracker's own sweep of the recipients still pending
 *   when the cancel is recorded). Terminal for completion, but it ranks just above `pending` only: it
 *   is a statement that we did not send, so any fact that the message did go (a wamid, an `unknown`
 *   call that may have reached Meta, any webhook) wins over it, and so does a synchronous failure
 *   (Meta refused it: a more precise answer) and a `skipped` (the row would never have been sent).
 * - `unknown`: the dispatcher cannot tell whether Meta got the request (timeout mid-call). Terminal
 *   for completion (it is never resent blindly); a later webhook reconciles it upwards.
 * - `accepted`: the Cloud API answered 200 with a wamid; no webhook yet.
 * - `sent` / `delivered` / `read`: Meta's status webhooks.
 * - `failed`: the message will not be delivered. Terminal. It ranks ABOVE `sent` (a `sent` that
 *   arrives after the `failed` does not resurrect the message) and BELOW `delivered`/`read`: Meta does
 *   send `delivered` after `failed` for multi-device users, and a delivery receipt is proof the user
 *   got it. Conversely a `failed` after `delivered` does not regress the state; its error code and
 *   title are still recorded on the row (`errorCode`/`errorReason`), so the report shows both.
 * - A synchronous failure (send-result `failed`: the Cloud API refused the request) only applies to
 *   a recipient Meta never took (pending or unknown): once a wamid or a webhook exists, Meta has the
 *   message and an old refusal of some retry must not override it.
 * - `skipped`: the row will not be messaged (invalid, duplicate, opted out). It replaces only
 *   `pending` (the compose stage's opt-out check) or a row not seen yet; otherwise it is ignored.
 */

/** LOUD WARNING: persisted (database rows, report CSV, API). Add states; never rename one. */
export const RECIPIENT_STATES = [
  'pending',
  'accepted',
  'sent',
  'delivered',
  'read',
  'failed',
  'skipped',
  'unknown',
  'cancelled',
] as const;
export type RecipientState = (typeof RECIPIENT_STATES)[number];

/** States that count as "done" for completion: everything but pending. */
export const TERMINAL_STATES: readonly RecipientState[] = RECIPIENT_STATES.filter(
  (state) => state !== 'pending',
);

/** Position in the monotonic order; `skipped` sits outside it (see the module note). */
export const STATE_RANK: Readonly<Record<Exclude<RecipientState, 'skipped'>, number>> = {
  pending: 0,
  cancelled: 1,
  unknown: 2,
  accepted: 3,
  sent: 4,
  failed: 5,
  delivered: 6,
  read: 7,
};

/**
 * The dispatcher's code for "cancelled by the operator before it was sent" (CANCELLED_CODE in
 * services/dispatcher/src/dispatch.service.ts; services never import each other). A send-result
 * `failed` with this code is recorded as state `cancelled`. LOUD WARNING: persisted (error_code).
 */
export const CANCELLED_RESULT_CODE = '900100';

export function isRecipientState(value: unknown): value is RecipientState {
  return typeof value === 'string' && (RECIPIENT_STATES as readonly string[]).includes(value);
}

export function isTerminal(state: RecipientState): boolean {
  return state !== 'pending';
}

/** Where a fact about a recipient comes from; decides how `failed` and `skipped` apply. */
export type FactSource = 'send-result' | 'webhook' | 'split';

/**
 * The state after applying `incoming` (from `source`) to a recipient currently in `current`
 * (`undefined`: no row yet). Pure; the SQL function `wab_merge_state` implements the same table.
 */
export function mergeState(
  current: RecipientState | undefined,
  incoming: RecipientState,
  source: FactSource,
): RecipientState {
  if (current === undefined) return incoming;
  if (incoming === 'skipped') {
    return current === 'pending' || current === 'cancelled' ? 'skipped' : current;
  }
  if (current === 'skipped') return current;
  if (incoming === 'failed' && source === 'send-result') {
    return current === 'pending' || current === 'unknown' || current === 'cancelled'
      ? 'failed'
      : current;
  }
  return STATE_RANK[incoming] > STATE_RANK[current] ? incoming : current;
}

/** Meta's status webhook values we act on (`played`, voice messages only, is ignored). */
export const WEBHOOK_STATUSES = ['sent', 'delivered', 'read', 'failed'] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

export function isWebhookStatus(value: unknown): value is WebhookStatus {
  return typeof value === 'string' && (WEBHOOK_STATUSES as readonly string[]).includes(value);
}

/** Per-state recipient counts of one broadcast. */
export type StateCounts = Record<RecipientState, number>;

export function emptyCounts(): StateCounts {
  return {
    pending: 0,
    accepted: 0,
    sent: 0,
    delivered: 0,
    read: 0,
    failed: 0,
    skipped: 0,
    unknown: 0,
    cancelled: 0,
  };
}
