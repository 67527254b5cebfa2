/**
 * ScheduleRunner: starts scheduled broadcasts when their time comes.
 *
 * Where the schedule lives, and why: in status-tracker's PostgreSQL (broadcast_schedules, reached
 * over its internal API), not in this process nor in the object store. A row survives a gateway
 * restart, and PostgreSQL gives the one thing several gateway replicas need: an atomic claim. Every
 * replica polls `claim` every SCHEDULE_POLL_MS; the tracker flips due rows to `claimed` with a
 * conditional UPDATE (FOR UPDATE SKIP LOCKED), so each due broadcast goes to exactly one replica, for
 * a lease of SCHEDULE_LEASE_SECONDS. The database's clock decides what is due (one clock for all).
 * (The object store has no compare-and-set that the S3-compatible servers we target all honour, and
 * a schedule kept in memory would die with its process.)
 *
 * The winner starts the broadcast with BroadcastsService.start (origin `schedule`): the very same
 * checks and the same `broadcast.uploaded` event, with the same event id, as an immediate start.
 * Then it finishes the claim: `started`, or `failed` with the refusal (file gone, template paused
 * at Meta since: a 4xx the operator must act on; the broadcast stays a draft and shows why). A
 * transient failure (Kafka, the tracker, Meta unreachable) leaves the claim to run out, and the next
 * claim after the lease tries again: the lease is the back-off.
 *
 * At least once, never zero: a replica that dies after publishing but before finishing leaves a
 * lease that runs out; the next claimer's start either finds the broadcast started (409, finished as
 * `started`) or publishes the same event id again, which every consumer treats as the same start.
 */
import type { Logger } from '@wab/service-runtime';
import { randomUUID } from 'node:crypto';
import type { BroadcastsService } from './broadcasts.service.js';
import { GatewayError } from './domain/errors.js';
import type { ClaimedSchedule, StatusTracker } from './ports/status-tracker.port.js';

export interface ScheduleRunnerOptions {
  /** 0 turns the runner off (another replica runs them). */
  pollMs: number;
  leaseSeconds: number;
  /** Claims per poll. */
  batch?: number;
}

export class ScheduleRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly broadcasts: BroadcastsService,
    private readonly tracker: StatusTracker,
    private readonly log: Logger,
    private readonly options: ScheduleRunnerOptions,
  ) {}

  /** Nest lifecycle: polling starts once the app is up, and stops before it shuts down. */
  onApplicationBootstrap(): void {
    this.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  start(): void {
    if (this.options.pollMs <= 0 || this.timer) return;
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((err: unknown) => {
          this.log.warn(
            { err: err instanceof Error ? err.message : String(err) },
            'could not claim due schedules; trying again',
          );
        })
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.pollMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One poll: claim what is due and start each; returns how many were started. */
  async runOnce(): Promise<number> {
    const token = `gw-${randomUUID()}`;
    const claims = await this.tracker.claimSchedules(
      token,
      this.options.batch ?? 10,
      this.options.leaseSeconds,
    );
    let started = 0;
    for (const claim of claims) {
      if (await this.startClaimed(claim)) started += 1;
    }
    return started;
  }

  private async startClaimed(claim: ClaimedSchedule): Promise<boolean> {
    const log = this.log.child({ correlationId: claim.broadcastId, tenantId: claim.tenantId });
    const requestId = `schedule-${claim.claimToken.slice(3, 11)}`;
    try {
      await this.broadcasts.start(
        claim.tenantId,
        claim.broadcastId,
        requestId,
        undefined,
        'schedule',
      );
      log.info({ startAt: claim.startAt, attempts: claim.attempts }, 'scheduled start done');
      await this.finish(claim, { status: 'started' }, log);
      return true;
    } catch (error) {
      if (error instanceof GatewayError && error.code === 'broadcast-already-started') {
        // An earlier claimer got through, or the operator started it early.
        await this.finish(claim, { status: 'started' }, log);
        return false;
      }
      if (
        error instanceof GatewayError &&
        ['conflict', 'not-found', 'too-large', 'unprocessable', 'invalid-request'].includes(
          error.kind,
        )
      ) {
        log.warn({ code: error.code, reason: error.message }, 'scheduled start refused');
        await this.finish(
          claim,
          { status: 'failed', failureCode: error.code, failureMessage: error.message },
          log,
        );
        return false;
      }
      log.warn(
        {
          err: error instanceof Error ? error.message : String(error),
          retryAfterSeconds: this.options.leaseSeconds,
        },
        'scheduled start failed; the claim runs out and it is tried again',
      );
      return false;
    }
  }

  private async finish(
    claim: ClaimedSchedule,
    outcome: Parameters<StatusTracker['finishSchedule']>[1],
    log: Logger,
  ): Promise<void> {
    try {
      const finished = await this.tracker.finishSchedule(claim, outcome);
      if (!finished) log.warn('the claim had run out before it was finished');
    } catch (err) {
      // The lease runs out and another claim finds it started (409) and finishes it then.
      log.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'could not finish the claim',
      );
    }
  }
}
