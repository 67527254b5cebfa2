import 'reflect-metadata';
import { bootService } from '@wab/service-runtime';
import { AppModule } from './app.module.js';
import { loadDispatcherConfig, SERVICE } from './config.js';

void bootService({
  service: SERVICE,
  createModule: () => {
    const config = loadDispatcherConfig();
    return {
      module: AppModule.forRoot(config),
      host: config.HOST,
      port: config.PORT,
      logLevel: config.LOG_LEVEL,
    };
  },
});
