import type { ClaimResult, SendOutcomeRecord } from '../ports/attempt-store.port.js';

/**
 * What to do with a recipient request once the attempt record has answered the claim. Pure.
 *
 * - `send`: the claim is ours; call the Cloud API.
 * - `republish`: the record holds a final outcome (a replay after a crash between recording and
 *   committing, or a redelivery): publish that outcome again, never call Meta.
 * - `interrupted`: a claim is held with no outcome: a replica died mid-call, or another replica is
 *   still on it (rebalance). Meta may or may not have the message, so calling again could message
 *   the recipient twice. Publish `unknown` (reason `interrupted`); status-tracker reconciles it
 *   from the status webhooks that carry the callback data, or reports it as unknown.
 */
export type AttemptDecision =
  | { kind: 'send' }
  | { kind: 'republish'; outcome: SendOutcomeRecord }
  | { kind: 'interrupted'; reason: string };

export function decideAttempt(claim: ClaimResult): AttemptDecision {
  if (claim.kind === 'claimed') return { kind: 'send' };
  switch (claim.state) {
    case 'accepted':
    case 'failed':
    case 'unknown':
      return claim.outcome
        ? { kind: 'republish', outcome: claim.outcome }
        : { kind: 'interrupted', reason: `interrupted: recorded ${claim.state} without outcome` };
    case 'sending':
      return {
        kind: 'interrupted',
        reason: 'interrupted: an earlier attempt was in flight when its dispatcher stopped',
      };
    case 'released':
      // Only seen in a race (released between our claim and our read): someone else is retrying.
      return {
        kind: 'interrupted',
        reason: 'interrupted: claimed concurrently by another attempt',
      };
  }
}
