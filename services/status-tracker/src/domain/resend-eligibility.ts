/**
 * Which recipients a resend wave may message again ("resend to failed", and UNKNOWN_POLICY=resend).
 *
 * A wave is a NEW broadcast (its own id, so its own recipient ids, callback data and dispatcher
 * attempt records) linked to the original by `parent_broadcast_id`, keeping the original's row
 * numbers. The recipient state machine is a monotonic merge, so a recipient's row is never reset;
 * the wave's rows carry the new attempt instead. The latest wave that holds a row decides that row.
 *
 * A row is eligible when, across the original and all its earlier waves:
 * - no occurrence of it ended accepted, sent, delivered or read (it succeeded once: never again; a
 *   `failed` webhook after acceptance, e.g. 131049 or an asynchronous 131000, is a failure and counts
 *   as such), and
 * - its latest occurrence is `failed` with a code of RESENDABLE_CODES (the default set, or the opt-in
 *   codes when named explicitly), or `unknown` AND reported past the unknown window (no status webhook
 *   at all within UNKNOWN_RECONCILE_SECONDS: an `unknown` that got any webhook is no longer `unknown`).
 * Never: skipped rows (invalid, duplicate, opted out), pending rows (cancelled broadcasts leave them
 * pending), permanent request or recipient errors, account errors, and our own codes (>= 900000, e.g.
 * 900100 cancelled).
 *
 * The codes, one table (Meta's table: ../shared/reference/whatsapp-cloud-api.md §2.3; the dispatcher's
 * classification: services/dispatcher/src/domain/error-classes.ts):
 *
 * | code   | meaning                                        | resend  | why |
 * |--------|------------------------------------------------|---------|-----|
 * | 1      | API unknown                                    | default | transient server side; retries ran out |
 * | 2      | API service (temporary downtime)               | default | transient |
 * | 4      | app-level call rate limit                      | default | throttling; later succeeds |
 * | 80007  | WABA rate limit                                | default | throttling (minutes to an hour) |
 * | 130429 | throughput reached (retries exhausted)         | default | throttling; a later, slower wave succeeds |
 * | 131000 | something went wrong                           | default | Meta's generic transient error |
 * | 131016 | service unavailable                            | default | transient |
 * | 131049 | per-user marketing limit ("healthy ecosystem") | default | Meta: retry after >= 24 h; resending sooner most likely fails again, the operator chooses when |
 * | 131056 | pair rate limit (retries exhausted)            | default | per-recipient throttling; fine a few minutes later |
 * | 131057 | account in maintenance mode                    | default | lasts about a minute |
 * | 131026 | message undeliverable                          | opt-in  | mostly permanent (not a WhatsApp user, terms not accepted) but sometimes an old client that gets updated: only when named in `errorCodes` |
 * | 131053 | media upload error                             | opt-in  | may be transient on Meta's side; only when named |
 * | 130472 | number is part of an experiment                | never   | permanent for this user |
 * | 131047 | re-engagement window                           | never   | not applicable to templates: the request is wrong |
 * | 131050 | user stopped marketing messages                | never   | an opt-out: messaging again is what the user refused |
 * | 100, 131008, 131009, 131021, 131030, 131051, 132000, 132005, 132007, 132008, 132012 | request or data problems | never | the same rendered request fails the same way |
 * | 0, 3, 10, 190, 200-299, 368, 131005, 131031, 131037, 131042, 131045, 131048, 131063, 131064, 132001, 132015, 132016, 133010 | account errors | never | fix the account or template first; then start a new broadcast |
 * | >= 900000 | our own codes (e.g. 900100 cancelled)        | never   | the operator stopped these |
 * | any other | unknown to us                              | never   | not known to heal |
 */

/** LOUD WARNING: the states a resend request may name (public API). */
export const RESEND_STATES = ['failed', 'unknown'] as const;
export type ResendState = (typeof RESEND_STATES)[number];

/** Failed codes resent by default (no `errorCodes` given). */
export const DEFAULT_RESEND_CODES: readonly string[] = [
  '1',
  '2',
  '4',
  '80007',
  '130429',
  '131000',
  '131016',
  '131049',
  '131056',
  '131057',
];

/** Failed codes resent only when a request names them in `errorCodes`. */
export const OPT_IN_RESEND_CODES: readonly string[] = ['131026', '131053'];

export interface ResendFilter {
  states: readonly ResendState[];
  /** Exactly the failed codes to select (a subset of default + opt-in). */
  codes: readonly string[];
  /** Only unknowns with no webhook that were reported past the window; always true today. */
  unknownReportedOnly: true;
}

export class ResendFilterError extends Error {
  override readonly name = 'ResendFilterError';
}

/**
 * The filter of a resend request: `states` (default both) and `errorCodes` (default: every default
 * code). A code outside default + opt-in is refused (ResendFilterError: 400 at the edge), so a typo
 * or a permanent code does not silently select nothing.
 */
export function resendFilter(request: {
  states?: readonly string[];
  errorCodes?: readonly (string | number)[];
}): ResendFilter {
  const states = request.states ?? RESEND_STATES;
  if (states.length === 0) throw new ResendFilterError('states must name at least one state');
  for (const state of states) {
    if (!(RESEND_STATES as readonly string[]).includes(state)) {
      throw new ResendFilterError(
        `state "${state}" is never resent (only ${RESEND_STATES.join(', ')})`,
      );
    }
  }
  let codes: readonly string[] = DEFAULT_RESEND_CODES;
  if (request.errorCodes !== undefined) {
    if (request.errorCodes.length === 0) {
      throw new ResendFilterError('errorCodes must name at least one code');
    }
    codes = [...new Set(request.errorCodes.map(String))];
    for (const code of codes) {
      if (!DEFAULT_RESEND_CODES.includes(code) && !OPT_IN_RESEND_CODES.includes(code)) {
        throw new ResendFilterError(
          `error code ${code} is never resent (permanent, account-level or unknown); resendable: ${[
            ...DEFAULT_RESEND_CODES,
            ...OPT_IN_RESEND_CODES,
          ].join(', ')}`,
        );
      }
    }
  }
  return { states: states as ResendState[], codes, unknownReportedOnly: true };
}
