import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SERVICE_CONFIG, type Logger } from '@wab/service-runtime';
import type { TrackerConfig } from './config.js';
import { BroadcastStore } from './ports/broadcast-store.port.js';
import { LOGGER } from './tokens.js';
import { WavesService } from './waves.service.js';

/**
 * The unknown-outcome window. A send whose outcome the dispatcher could not know (timeout, killed
 * mid-call) arrives as `unknown`, which counts as terminal for completion, and is reconciled
 * upwards by the status webhook carrying its callback data. Past UNKNOWN_RECONCILE_SECONDS without
 * one, it is reported: it stays `unknown` and its reason says no webhook came, in the recipients API
 * and the CSV report. That is all policy `report` (the default) does.
 *
 * Policy `resend` then resends the reported unknowns once, in a new wave of their broadcast (a child
 * broadcast, see domain/resend-eligibility.ts), as soon as the broadcast (or its latest wave) is over.
 * The risk, accepted by choosing it: Meta may have taken a message whose webhook never came, and that
 * recipient gets it twice. Only unknowns with no webhook at all qualify (any webhook moves the
 * recipient out of `unknown`), only after the window, and never twice for the same row.
 *
 * The sweep is idempotent and safe on every replica at once: the report is one conditional UPDATE,
 * and wave creation locks the original broadcast's row (one wave per family at a time).
 */
@Injectable()
export class UnknownWindowService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: TrackerConfig,
    private readonly store: BroadcastStore,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly waves: WavesService,
  ) {}

  onApplicationBootstrap(): void {
    const windowSeconds = this.config.UNKNOWN_RECONCILE_SECONDS;
    const everyMs = Math.min(30_000, Math.max(250, (windowSeconds * 1000) / 4));
    this.timer = setInterval(() => {
      this.running = this.running.then(async () => {
        await this.sweep();
      });
    }, everyMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  async sweep(): Promise<number> {
    try {
      const reported = await this.store.reportStaleUnknown(this.config.UNKNOWN_RECONCILE_SECONDS);
      if (reported > 0)
        this.log.warn(
          { reported, windowSeconds: this.config.UNKNOWN_RECONCILE_SECONDS, policy: 'report' },
          'unknown outcomes not reconciled within the window: reported as unknown',
        );
      if (this.config.UNKNOWN_POLICY === 'resend')
        await this.waves.resendStaleUnknown(this.config.UNKNOWN_RESEND_MAX_AGE_SECONDS);
      return reported;
    } catch (error) {
      this.log.warn({ err: error }, 'unknown-outcome sweep failed; retried at the next tick');
      return 0;
    }
  }
}
