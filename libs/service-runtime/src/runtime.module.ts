import { DynamicModule, Global, Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { SERVICE_CONFIG, SERVICE_NAME } from './tokens.js';

/** Binds the service name and validated configuration, and exposes `GET /healthz`. */
@Global()
@Module({})
export class ServiceRuntimeModule {
  static forRoot(service: string, config: object): DynamicModule {
    return {
      module: ServiceRuntimeModule,
      controllers: [HealthController],
      providers: [
        { provide: SERVICE_NAME, useValue: service },
        { provide: SERVICE_CONFIG, useValue: config },
      ],
      exports: [SERVICE_NAME, SERVICE_CONFIG],
    };
  }
}
