import { DynamicModule, Module } from '@nestjs/common';
import { ServiceRuntimeModule } from '@wab/service-runtime';
import { SERVICE, GatewayConfig } from './config.js';

/** HTTP API and web console: templates, broadcasts, uploads, progress read-through. Binds ports to adapters; holds no logic. */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot(SERVICE, config)],
    };
  }
}
