import { Controller, Get, Header, Inject } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { metricsRegistry } from './metrics.js';
import { ReadinessChecks } from './readiness.js';
import { SERVICE_NAME } from './tokens.js';

/** Liveness (`/healthz`), readiness (`/readyz`) and Prometheus metrics (`/metrics`). */
@Controller()
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(
    @Inject(SERVICE_NAME) private readonly service: string,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ReadinessChecks,
  ) {}

  /** Liveness: the process is up and its event loop answers. Dependencies are not checked here. */
  @Get('healthz')
  healthz(): { status: 'ok'; service: string; uptimeSeconds: number } {
    return {
      status: 'ok',
      service: this.service,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
    };
  }

  /** Readiness: every registered dependency answers (503 otherwise, with the failing ones named). */
  @Get('readyz')
  @HealthCheck()
  readyz(): Promise<HealthCheckResult> {
    return this.health.check(
      this.readiness.entries().map(([name, probe]) => async () => {
        const session = this.indicators.check(name);
        try {
          return (await probe())
            ? session.up()
            : session.down({ message: `${name} is not reachable` });
        } catch (error) {
          return session.down({ message: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
  }

  @Get('metrics')
  @Header('content-type', metricsRegistry.contentType)
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
