import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  raw: string;
  signature: string | undefined;
  valid: boolean;
  payload: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * A webhook receiver as an application would write it: verifies X-Hub-Signature-256 over the raw
 * bytes with the app secret in constant time, refuses bad signatures with 401, and answers 200
 * unless `answer` says otherwise (used to force retries).
 */
export class WebhookReceiver {
  readonly accepted: Received[] = [];
  readonly refused: Received[] = [];
  attempts = 0;
  answer: (attempt: number) => number = () => 200;
  private server: Server | undefined;

  constructor(private readonly appSecret: string) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/webhook`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.attempts++;
        const raw = Buffer.concat(chunks);
        const signature = req.headers['x-hub-signature-256'] as string | undefined;
        const expected = Buffer.from(`sha256=${createHmac('sha256', this.appSecret).update(raw).digest('hex')}`);
        const valid = signature !== undefined && signature.length === expected.length && timingSafeEqual(Buffer.from(signature), expected);
        const entry: Received = { raw: raw.toString(), signature, valid, payload: JSON.parse(raw.toString()) as Received['payload'] };
        if (!valid) {
          this.refused.push(entry);
          res.writeHead(401).end();
          return;
        }
        const status = this.answer(this.attempts);
        if (status === 200) this.accepted.push(entry);
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  /** Every status object accepted so far, in arrival order. */
  statuses(): Array<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return this.accepted.flatMap((r) =>
      (r.payload.entry as Array<{ changes: Array<{ field: string; value: { statuses?: unknown[] } }> }>).flatMap((e) =>
        e.changes.flatMap((c) => (c.value.statuses ?? []) as Array<Record<string, unknown>>),
      ),
    );
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }
}
