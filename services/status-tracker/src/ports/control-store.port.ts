/** What an operator asked of a broadcast, as the tracker shows it. */
export type BroadcastControl = 'running' | 'paused' | 'cancelled';

export interface ControlFact {
  tenantId: string;
  broadcastId: string;
  action: 'pause' | 'resume' | 'cancel';
  reason: string;
  eventId: string;
  occurredAt: Date;
}

export interface ControlRecord {
  control: BroadcastControl;
  reason?: string;
  occurredAt: Date;
}

/**
 * The operator controls of each broadcast (broadcast.control events). Recording is idempotent and
 * order-tolerant (at-least-once, re-delivery): an event older than the one recorded changes nothing,
 * and `cancelled` is final. Abstract class = type and DI token.
 */
export abstract class ControlStore {
  abstract record(facts: readonly ControlFact[]): Promise<void>;
  abstract get(tenantId: string, broadcastId: string): Promise<ControlRecord | undefined>;
}
