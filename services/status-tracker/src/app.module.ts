import { DynamicModule, Module } from '@nestjs/common';
import { ServiceRuntimeModule } from '@wab/service-runtime';
import { SERVICE, TrackerConfig } from './config.js';

/** Records outcomes and webhooks in PostgreSQL; serves progress and reports. Binds ports to adapters; holds no logic. */
@Module({})
export class AppModule {
  static forRoot(config: TrackerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot(SERVICE, config)],
    };
  }
}
