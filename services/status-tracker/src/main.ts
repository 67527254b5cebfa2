import 'reflect-metadata';
import { bootService } from '@wab/service-runtime';
import { AppModule } from './app.module.js';
import { loadTrackerConfig, SERVICE } from './config.js';

void bootService({
  service: SERVICE,
  createModule: () => {
    const config = loadTrackerConfig();
    return {
      module: AppModule.forRoot(config),
      host: config.HOST,
      port: config.PORT,
      logLevel: config.LOG_LEVEL,
    };
  },
  // Bodies are read by the service's own middleware: the webhook signature needs the raw bytes.
  appOptions: { bodyParser: false },
});
