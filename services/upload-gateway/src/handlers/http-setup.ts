/**
 * Application-wide HTTP set-up, shared by main.ts and the tests: security headers (helmet), request
 * ids and one access-log line per request, the JSON body parser with its size limit (never on the
 * streamed upload route, whose body goes to the object store untouched), and the OpenAPI document
 * at /docs. The app must be created with `bodyParser: false` (see GATEWAY_APP_OPTIONS).
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { Logger } from '@wab/service-runtime';
import type { GatewayConfig } from '../config.js';
import { LOGGER } from '../tokens.js';
import { sendHttpError, toHttpError } from './http-error.filter.js';
import { FILE_UPLOAD_ROUTE, type GatewayRequest } from './http-context.js';

/** NestFactory.create options the gateway needs: its own body parsing (see configureGatewayApp). */
export const GATEWAY_APP_OPTIONS: NestApplicationOptions = { bodyParser: false };

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function configureGatewayApp(nest: INestApplication, config: GatewayConfig): void {
  const app = nest as NestExpressApplication;
  const log = app.get<Logger>(LOGGER).child({ component: 'http' });

  app.use(
    helmet({
      // Swagger UI at /docs loads its own scripts and inline styles from this origin.
      // Plain-HTTP deployments (local, behind a TLS-terminating ingress) must not be told to upgrade.
      contentSecurityPolicy: {
        directives: {
          'img-src': ["'self'", 'data:', 'https://validator.swagger.io'],
          // The console uploads the CSV straight to the object store (pre-signed PUT).
          'connect-src': [
            "'self'",
            new URL(config.S3_PUBLIC_ENDPOINT ?? config.S3_ENDPOINT).origin,
          ],
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );

  app.use((req: Request, res: Response, next: NextFunction) => {
    const request = req as GatewayRequest;
    const given = req.headers['x-request-id'];
    request.requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', request.requestId);
    const started = performance.now();
    res.once('close', () => {
      if (req.path === '/healthz') return;
      log.info(
        {
          requestId: request.requestId,
          tenantId: request.tenantId,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
          ...(res.writableFinished ? {} : { aborted: true }),
        },
        'request',
      );
    });
    next();
  });

  app.useBodyParser('json', {
    limit: config.MAX_JSON_BYTES,
    type: (req) =>
      !FILE_UPLOAD_ROUTE.test((req as Request).path ?? '') && isJson(req.headers['content-type']),
  });
  // Body-parser errors (invalid JSON, over the limit) happen before routing: answer them here, in
  // the same error shape as everything else.
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!err) {
      next();
      return;
    }
    const request = req as GatewayRequest;
    const { status, body } = toHttpError(err, request.requestId);
    if (status >= 500)
      log.error({ requestId: request.requestId, err }, 'request failed before routing');
    sendHttpError(request, res, status, body);
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('WhatsApp broadcast API')
      .setDescription(
        'Send a personalised WhatsApp template message to every recipient of a CSV. Pick an APPROVED template ' +
          '(GET /v1/templates), create a broadcast with the mapping of CSV columns to its parameters, upload the CSV, ' +
          'start it, watch its progress and download the report. Every error is `{ "error": { "code", "message", "details"? } }`.',
      )
      .setVersion('1')
      .setOpenAPIVersion('3.1.0')
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', description: 'API key as a bearer token' },
        'bearer',
      )
      .addApiKey(
        { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'API key' },
        'api-key',
      )
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });

  const consoleDir = resolveConsoleDir(config.CONSOLE_DIR);
  if (consoleDir) {
    // Static files only (the console is a single page that calls /v1 with the operator's key): no
    // key is needed to load it, and nothing it serves is tenant data.
    app.useStaticAssets(consoleDir, { index: 'index.html', maxAge: 0, fallthrough: true });
    log.info({ consoleDir }, 'web console served at /');
  }
}

/** CONSOLE_DIR, or the console built in this repository next to the gateway, or none. */
export function resolveConsoleDir(configured: string | undefined): string | undefined {
  if (configured === 'none') return undefined;
  const dir =
    configured ??
    path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../tools/console/dist');
  return existsSync(path.join(dir, 'index.html')) ? dir : undefined;
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}
