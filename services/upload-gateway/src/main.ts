import 'reflect-metadata';
import { bootService } from '@wab/service-runtime';
import { AppModule } from './app.module.js';
import { loadGatewayConfig, SERVICE } from './config.js';

void bootService({
  service: SERVICE,
  createModule: () => {
    const config = loadGatewayConfig();
    return { module: AppModule.forRoot(config), host: config.HOST, port: config.PORT };
  },
});
