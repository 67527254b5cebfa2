import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { SERVICE_CONFIG } from '@wab/service-runtime';
import type { TrackerConfig } from '../config.js';

/**
 * Request bodies are read here rather than by Nest's global body parser (disabled in main.ts): the
 * webhook signature is an HMAC of the exact bytes received, so that route needs the raw body, and
 * Meta's batched webhooks can be far larger than the parser's 100 kB default.
 */
export type RequestWithBody = IncomingMessage & { body?: unknown; rawBody?: Buffer };

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError());
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ statusCode: status, message }));
}

/** POST /webhooks/whatsapp: the raw bytes in `req.rawBody` (the signature is checked on them). */
@Injectable()
export class RawBodyMiddleware implements NestMiddleware {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: TrackerConfig) {}

  use(req: RequestWithBody, res: ServerResponse, next: (error?: unknown) => void): void {
    readBody(req, this.config.WEBHOOK_MAX_BODY_BYTES).then(
      (raw) => {
        req.rawBody = raw;
        next();
      },
      (error: unknown) => {
        if (error instanceof BodyTooLargeError) refuse(res, 413, 'request body too large');
        else next(error);
      },
    );
  }
}

/** The internal API's JSON bodies (small: a broadcast draft). */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  static readonly LIMIT_BYTES = 1024 * 1024;

  use(req: RequestWithBody, res: ServerResponse, next: (error?: unknown) => void): void {
    readBody(req, JsonBodyMiddleware.LIMIT_BYTES).then(
      (raw) => {
        if (raw.length === 0) {
          req.body = undefined;
          next();
          return;
        }
        try {
          req.body = JSON.parse(raw.toString('utf8'));
        } catch {
          refuse(res, 400, 'the request body is not valid JSON');
          return;
        }
        next();
      },
      (error: unknown) => {
        if (error instanceof BodyTooLargeError) refuse(res, 413, 'request body too large');
        else next(error);
      },
    );
  }
}
