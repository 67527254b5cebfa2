import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { ReadinessChecks } from './readiness.js';
import { SERVICE_CONFIG, SERVICE_NAME } from './tokens.js';

/**
 * Binds the service name and validated configuration, and exposes `GET /healthz` (liveness),
 * `GET /readyz` (readiness from ReadinessChecks) and `GET /metrics` (Prometheus).
 */
@Global()
@Module({})
export class ServiceRuntimeModule {
  static forRoot(service: string, config: object): DynamicModule {
    return {
      module: ServiceRuntimeModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        { provide: SERVICE_NAME, useValue: service },
        { provide: SERVICE_CONFIG, useValue: config },
        ReadinessChecks,
      ],
      exports: [SERVICE_NAME, SERVICE_CONFIG, ReadinessChecks],
    };
  }
}
