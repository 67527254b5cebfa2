import { DynamicModule, Module } from '@nestjs/common';
import { ServiceRuntimeModule } from '@wab/service-runtime';
import { SERVICE, SplitterConfig } from './config.js';

/** Streams uploaded CSVs into validated recipient rows and send requests. Binds ports to adapters; holds no logic. */
@Module({})
export class AppModule {
  static forRoot(config: SplitterConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot(SERVICE, config)],
    };
  }
}
