import { Controller, Get, Inject } from '@nestjs/common';
import { SERVICE_NAME } from './tokens.js';

/** Liveness: the process is up and its event loop answers. Readiness checks come with the ports. */
@Controller()
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(@Inject(SERVICE_NAME) private readonly service: string) {}

  @Get('healthz')
  healthz(): { status: 'ok'; service: string; uptimeSeconds: number } {
    return {
      status: 'ok',
      service: this.service,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
    };
  }
}
