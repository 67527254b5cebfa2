import type { PayloadOf } from '@wab/contracts';

export type SendOutcomeRecord = PayloadOf<'message.send-result'>['outcome'];

/** What the record says about a recipient request another claim already holds. */
export type RecordedState = 'sending' | 'released' | 'accepted' | 'failed' | 'unknown';

export type ClaimResult =
  /** Ours: no call was ever made for this recipient, or the last one certainly did not reach Meta. */
  | { kind: 'claimed'; claims: number }
  /** Someone (this replica earlier, a crashed one, another replica) holds or finished it. */
  | { kind: 'taken'; state: RecordedState; outcome?: SendOutcomeRecord };

/**
 * The durable record of Cloud API attempts per recipient request, consulted before every call
 * (protocol: attempts.service.ts). Every method resolves only once the change is durable.
 */
export abstract class AttemptStore {
  /** Atomically takes the right to call Meta for this recipient (state → `sending`). */
  abstract claim(recipientId: string, broadcastId: string): Promise<ClaimResult>;
  /** Gives the claim back: the call was refused by Meta or never left, so a later claim may call. */
  abstract release(recipientId: string): Promise<void>;
  /** Records the final outcome (accepted/failed/unknown), re-published as-is on any replay. */
  abstract finish(recipientId: string, outcome: SendOutcomeRecord): Promise<void>;
  abstract close(): Promise<void>;
}
