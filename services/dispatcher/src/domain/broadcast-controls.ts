/**
 * What operators asked of each broadcast and sender (pause, resume, cancel), from the
 * `broadcast-control` topic. Pure state: the newest event per target wins, and cancel is final.
 * The dispatcher asks it when a request arrives (paused → parked, cancelled → cancelled result)
 * and again right before claiming each attempt, after the pacer wait (so a pause stops new sends
 * at once); UnparkService asks it which parked requests may go back.
 */
export type ControlState = 'active' | 'paused' | 'cancelled';

export interface ControlEvent {
  action: 'pause' | 'resume' | 'cancel';
  target: { kind: 'broadcast'; broadcastId: string } | { kind: 'sender'; phoneNumberId: string };
  reason: string;
}

export class BroadcastControls {
  private markCurrent: () => void = () => undefined;
  private readonly current: Promise<void>;
  private readonly broadcasts = new Map<string, { state: ControlState; reason: string }>();
  private readonly senders = new Map<string, { state: ControlState; reason: string }>();

  /**
   * `catchingUp`: the state is rebuilt from the topic at start, and until it has read what the topic
   * held then, a paused broadcast would look active: `whenCurrent` resolves once `caughtUp()` is called.
   * Without it (tests) the state is current from the start.
   */
  constructor(options: { catchingUp?: boolean } = {}) {
    this.current = options.catchingUp
      ? new Promise<void>((resolve) => (this.markCurrent = resolve))
      : Promise.resolve();
  }

  /** Resolves once the state reflects every control event published before this process started. */
  whenCurrent(): Promise<void> {
    return this.current;
  }

  caughtUp(): void {
    this.markCurrent();
  }

  apply(event: ControlEvent): void {
    const map = event.target.kind === 'broadcast' ? this.broadcasts : this.senders;
    const key =
      event.target.kind === 'broadcast' ? event.target.broadcastId : event.target.phoneNumberId;
    if (map.get(key)?.state === 'cancelled') return; // final
    const state: ControlState =
      event.action === 'pause' ? 'paused' : event.action === 'cancel' ? 'cancelled' : 'active';
    map.set(key, { state, reason: event.reason });
  }

  /** The stricter of the broadcast's and its sender's state (cancelled > paused > active). */
  stateOf(broadcastId: string, phoneNumberId: string): { state: ControlState; reason?: string } {
    const broadcast = this.broadcasts.get(broadcastId);
    const sender = this.senders.get(phoneNumberId);
    // A sender-wide cancel is not final for later broadcasts: treat it as a pause.
    if (broadcast?.state === 'cancelled') return broadcast;
    if (broadcast?.state === 'paused') return broadcast;
    if (sender && sender.state !== 'active') return { state: 'paused', reason: sender.reason };
    return { state: 'active' };
  }
}
