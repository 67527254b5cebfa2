import { DynamicModule, Module } from '@nestjs/common';
import { ServiceRuntimeModule } from '@wab/service-runtime';
import { SERVICE, DispatcherConfig } from './config.js';

/** Sends one Cloud API call per recipient, many in flight, paced to each sender. Binds ports to adapters; holds no logic. */
@Module({})
export class AppModule {
  static forRoot(config: DispatcherConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot(SERVICE, config)],
    };
  }
}
