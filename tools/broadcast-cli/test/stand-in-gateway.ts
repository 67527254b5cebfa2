import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { main } from '../src/cli.ts';

/** One request the stand-in received. */
export interface Seen {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

/** What a route handler gets: the request, its body, and a JSON answer helper. */
export interface StandInRequest {
  req: IncomingMessage;
  res: ServerResponse;
  body: string;
  json: (status: number, value: unknown) => void;
}

export interface StandInGateway {
  url: () => string;
  /** Every request so far (cleared by `reset`). */
  seen: Seen[];
  reset: () => void;
  start: () => Promise<void>;
  stop: () => Promise<void>;
  /** Runs the CLI with `--url` pointing here; exit code, stdout and stderr. */
  run: (
    args: string[],
    env?: Record<string, string>,
  ) => Promise<{ code: number; out: string; err: string }>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += (chunk as Buffer).toString();
  return text;
}

/**
 * A small stand-in of the gateway's HTTP API for the CLI's unit specs: records each request and
 * lets `handle` answer it (unanswered: 404 with our error body). The real API is covered by the
 * stack tests.
 */
export function standInGateway(handle: (request: StandInRequest) => void): StandInGateway {
  const seen: Seen[] = [];
  let url = '';
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        body,
      });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      handle({ req, res, body, json });
      if (!res.headersSent) json(404, { error: { code: 'not-found', message: 'no route' } });
    });
  });
  return {
    url: () => url,
    seen,
    reset: () => {
      seen.length = 0;
    },
    start: async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    run: async (args, env = { WAB_API_KEY: 'wab_test_key' }) => {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let out = '';
      let err = '';
      stdout.on('data', (c: Buffer) => (out += c.toString()));
      stderr.on('data', (c: Buffer) => (err += c.toString()));
      const code = await main([...args, '--url', url], { stdout, stderr, env });
      return { code, out, err };
    },
  };
}
