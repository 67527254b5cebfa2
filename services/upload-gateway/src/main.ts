import 'reflect-metadata';
import { bootService } from '@wab/service-runtime';
import { AppModule } from './app.module.js';
import { loadGatewayConfig, SERVICE } from './config.js';
import { configureGatewayApp, GATEWAY_APP_OPTIONS } from './handlers/http-setup.js';

void bootService({
  service: SERVICE,
  appOptions: GATEWAY_APP_OPTIONS,
  createModule: () => {
    const config = loadGatewayConfig();
    return {
      module: AppModule.forRoot(config),
      host: config.HOST,
      port: config.PORT,
      logLevel: config.LOG_LEVEL,
      configure: (app) => configureGatewayApp(app, config),
    };
  },
});
