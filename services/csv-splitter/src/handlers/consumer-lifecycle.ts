import type { Logger } from 'pino';

/** Something started in the background at boot and stopped at shutdown. */
export interface Startable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a consumer without blocking boot, retrying with capped backoff until the broker answers
 * (the service must answer /healthz even before Kafka is up), and stops it at shutdown.
 */
export class BackgroundStarter {
  private stopped = false;
  private running: Startable | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly name: string,
    private readonly create: () => Startable,
    private readonly log: Logger,
    /**
     * Awaited before each start attempt. The consumers dead-letter through the shared producer, which
     * connects lazily: a poison event as the very first message must find it connected, or the batch
     * fails, is retried, and the partition stalls behind it.
     */
    private readonly prepare: () => Promise<void> = () => Promise.resolve(),
  ) {}

  begin(): void {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    let delayMs = 500;
    while (!this.stopped) {
      const consumer = this.create();
      try {
        await this.prepare();
        await consumer.start();
        this.running = consumer;
        this.log.info({ consumer: this.name }, 'consumer started');
        return;
      } catch (error) {
        await consumer.stop().catch(() => undefined);
        this.log.warn(
          { consumer: this.name, err: error, retryInMs: delayMs },
          'consumer could not start; retrying',
        );
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, delayMs).unref();
        });
        delayMs = Math.min(delayMs * 2, 10_000);
      }
    }
  }

  async end(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.running?.stop();
    this.running = undefined;
  }
}
