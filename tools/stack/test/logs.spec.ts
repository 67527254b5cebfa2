// What the services write to their logs during a broadcast: structured JSON only (no Nest console
// noise), never a secret (Cloud API token, app secret, API key, internal API token) and never a full phone number of the
// CSV. Runs the pipeline as separate processes, at LOG_LEVEL=debug so that the chattiest lines are
// checked too.
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  fixtureBroadcast,
  GatewayClient,
  generateRows,
  SERVICES,
  startStack,
  writeRecipientsCsv,
  type Stack,
} from '../src/index.ts';

const ROWS = 300;
const SEED = 23;

describe('service logs during a broadcast', () => {
  let stack: Stack;
  const dir = mkdtempSync(path.join(tmpdir(), 'wab-logs-'));
  const csv = path.join(dir, 'recipients.csv');

  beforeAll(async () => {
    await writeRecipientsCsv(csv, ROWS, SEED);
    const debug = { LOG_LEVEL: 'debug' };
    stack = await startStack({
      simulatorArgs: ['--mps', '1000', '--latency', 'uniform:5:30', '--seed', '3'],
      env: {
        'status-tracker': debug,
        'csv-splitter': debug,
        dispatcher: { ...debug, SENDER_DEFAULT_MPS: '1000' },
        'upload-gateway': debug,
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('holds no secret, no full phone number, and only JSON lines with correlation ids where events are handled', async () => {
    const client = new GatewayClient(stack.gatewayUrl, stack.apiKey);
    const created = await client.createBroadcast(fixtureBroadcast({ name: 'logs' }));
    await client.uploadFile(created.id, csv);
    await client.start(created.id);
    const final = await client.follow(created.id, () => undefined, { timeoutMs: 120_000 });
    expect(final.state).toBe('completed');
    // Stopped (drained, flushed) before the logs are read.
    await stack.stop();

    // Every spelling of every number in the CSV: as written, E.164, and its national digits.
    const numbers = new Set<string>();
    generateRows(ROWS, SEED, ([phone], expected) => {
      const digits = phone.replace(/\D/g, '');
      if (digits.length >= 8) {
        numbers.add(phone.trim());
        numbers.add(digits);
      }
      if (typeof expected === 'object') {
        numbers.add(expected.e164);
        numbers.add(expected.e164.slice(3)); // national significant number (+91 …)
      }
    });
    expect(numbers.size).toBeGreaterThan(ROWS);
    const secrets = [stack.cloudApiToken, stack.appSecret, stack.apiKey, stack.internalApiToken];

    const problems: string[] = [];
    for (const service of SERVICES) {
      const text = readFileSync(path.join(stack.logDir, `${service}.log`), 'utf8');
      const lines = text.split('\n').filter((line) => line.trim().length > 0);
      expect(lines.length).toBeGreaterThan(3);
      let withCorrelation = 0;
      for (const [index, line] of lines.entries()) {
        const where = `${service}.log:${index + 1}`;
        for (const secret of secrets) {
          if (line.includes(secret)) problems.push(`${where}: a secret: ${line.slice(0, 200)}`);
        }
        for (const number of numbers) {
          if (line.includes(number)) {
            problems.push(`${where}: the phone number ${number}: ${line.slice(0, 200)}`);
            break;
          }
        }
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          problems.push(`${where}: not JSON: ${line.slice(0, 200)}`);
          continue;
        }
        if (entry.service !== service) problems.push(`${where}: no service field`);
        if (typeof entry.correlationId === 'string') withCorrelation += 1;
        // A line about one broadcast carries its correlation id.
        if (entry.broadcastId !== undefined && typeof entry.correlationId !== 'string') {
          problems.push(`${where}: broadcastId without correlationId: ${line.slice(0, 200)}`);
        }
      }
      // The services that log per broadcast say so with its correlation id. (The dispatcher logs
      // nothing per message on the happy path; its per-message warnings use the same child logger.)
      if (service !== 'dispatcher' && withCorrelation === 0) {
        problems.push(`${service}: no line carries a correlationId`);
      }
    }
    expect(problems).toEqual([]);
  });
});
