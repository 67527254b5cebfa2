import type { EventOf } from '@wab/contracts';

export type SendRequested = EventOf<'message.send-requested'>;

/** The broadcast and sender a parked request belongs to (what a pause or resume names). */
export interface ParkTarget {
  broadcastId: string;
  phoneNumberId: string;
}

/**
 * Send requests of a paused broadcast or sender, kept durably outside the Kafka window until the
 * target is resumed or cancelled (protocol: unpark.service.ts). Every method resolves only once
 * the change is durable.
 */
export abstract class ParkedRequests {
  /** Stores the whole request, keyed by recipient id: parking a replay again changes nothing. */
  abstract park(request: SendRequested): Promise<void>;
  /** The targets that have parked requests, with how many each. */
  abstract targets(): Promise<(ParkTarget & { count: number })[]>;
  /**
   * Takes up to `limit` parked requests of `target` (oldest first; a row another caller holds is
   * skipped, so each is taken once), hands them to `hand`, and deletes them once `hand` resolved.
   * If `hand` throws they stay parked (and the error is rethrown). Returns how many were handed.
   */
  abstract take(
    target: ParkTarget,
    limit: number,
    hand: (requests: SendRequested[]) => Promise<void>,
  ): Promise<number>;
}
