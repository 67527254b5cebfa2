import type { Logger } from '@wab/service-runtime';
import type { ControlState } from './domain/broadcast-controls.js';
import type { ParkedRequests, SendRequested } from './ports/parked-requests.port.js';

export interface UnparkOptions {
  /** Operator controls: which targets are no longer paused; `whenCurrent` resolves once caught up. */
  controls: {
    stateOf(broadcastId: string, phoneNumberId: string): { state: ControlState };
    whenCurrent?(): Promise<void>;
  };
  /** Re-publishes requests to send-requests; resolves once durable (acks=all). */
  republish(requests: SendRequested[]): Promise<void>;
  /** Requests per take (one transaction, one publish). */
  batchSize?: number;
  /** How often to sweep without being asked (a resume another replica saw, a park that raced a resume). */
  intervalMs?: number;
  observer?: {
    unparked(state: 'active' | 'cancelled', count: number): void;
    /** Requests still parked for this topic after a sweep (all replicas' rows). */
    parkedNow(count: number): void;
  };
}

/**
 * Brings parked requests back (issue 6). A request that finds its broadcast or sender paused is
 * parked (DispatchService → ParkedRequests) and its dispatch completes without a result, so a
 * paused broadcast holds no slot of the in-flight window and no partition offset. This service
 * re-publishes them to send-requests, unchanged (same event id and key, so the same partition and
 * the same attempt record), once their target is no longer paused:
 * - active again: they are dispatched like any request (the attempt record still guards against a
 *   second call, e.g. when a crash re-publishes a batch whose delete did not commit);
 * - cancelled: DispatchService answers each with its `cancelled` result (code 900100), so every
 *   parked recipient ends with one terminal outcome and nothing is sent.
 * A sweep runs on every resume or cancel this replica sees (`trigger`), once at start after the
 * controls caught up with the topic (a resume seen while down, rows of a replica that died), and
 * every `intervalMs`. Replicas sweep concurrently: each row is taken by one (SKIP LOCKED).
 */
export class UnparkService {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** Set by `start` once the controls are current: replayed resumes at start trigger nothing. */
  private live = false;
  private readonly batchSize: number;

  constructor(
    private readonly parked: ParkedRequests,
    private readonly log: Logger,
    private readonly options: UnparkOptions,
  ) {
    this.batchSize = options.batchSize ?? 500;
  }

  /** Sweeps once the controls are current, then every `intervalMs`. */
  start(): void {
    void (async () => {
      await this.options.controls.whenCurrent?.();
      if (this.stopped) return;
      this.live = true;
      void this.trigger();
      this.timer = setInterval(() => void this.trigger(), this.options.intervalMs ?? 5_000);
      this.timer.unref();
    })();
  }

  /**
   * Asks for a sweep; coalesced with one that runs (which then sweeps once more). Resolves when the
   * sweeping ends (never rejects: a failed sweep is logged and retried by the next).
   */
  trigger(): Promise<void> {
    if (this.stopped || !this.live) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.sweep();
        } while (this.again && !this.stopped);
      } catch (error) {
        this.log.warn({ error: String(error) }, 'unpark sweep failed; retried on the next one');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Stops sweeping and waits for a sweep in progress (its batch commits or rolls back). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Re-publishes every parked request whose target is no longer paused; returns how many. */
  async sweep(): Promise<number> {
    const targets = await this.parked.targets();
    let remaining = targets.reduce((sum, t) => sum + t.count, 0);
    let unparked = 0;
    for (const target of targets) {
      for (;;) {
        if (this.stopped) break;
        const { state } = this.options.controls.stateOf(target.broadcastId, target.phoneNumberId);
        if (state === 'paused') break;
        const count = await this.parked.take(target, this.batchSize, (requests) =>
          this.options.republish(requests),
        );
        if (count === 0) break;
        unparked += count;
        remaining -= count;
        this.options.observer?.unparked(state, count);
        this.log.info(
          {
            correlationId: target.broadcastId,
            phoneNumberId: target.phoneNumberId,
            state,
            count,
          },
          'parked requests re-published',
        );
        if (count < this.batchSize) break;
      }
    }
    this.options.observer?.parkedNow(Math.max(0, remaining));
    return unparked;
  }
}
