// The `broadcast` command against the whole pipeline (simulator + four services as processes), run
// as a separate process exactly as an operator would: only the URL and the API key connect them.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack, writeRecipientsCsv, type Stack } from '@wab/stack';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(stack: Stack, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        WAB_URL: stack.gatewayUrl,
        WAB_API_KEY: stack.apiKey,
        WAB_SENDER: '106540352242922',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const SEND = (csv: string) => [
  'send',
  csv,
  '--template',
  'order_update',
  '--lang',
  'en_US',
  '--map',
  'first_name=1',
  '--map',
  'order_id=2',
  '--country',
  'IN',
];

describe('broadcast CLI against the running stack', () => {
  let stack: Stack;
  const dir = mkdtempSync(path.join(tmpdir(), 'wab-cli-'));
  const csv = path.join(dir, 'recipients.csv');
  let fixture: Awaited<ReturnType<typeof writeRecipientsCsv>>;

  beforeAll(async () => {
    fixture = await writeRecipientsCsv(csv, 400, 5);
    stack = await startStack({
      // Slow enough (40 msg/s) that a broadcast is still sending when the control commands run.
      simulatorArgs: ['--mps', '40', '--latency', 'uniform:5:30', '--seed', '3'],
      env: { dispatcher: { SENDER_DEFAULT_MPS: '40' } },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('send --follow uploads, starts, shows progress until complete and exits 0', async () => {
    const run = await runCli(stack, [...SEND(csv), '--follow']);
    expect(run.stderr).not.toContain(stack.apiKey);
    expect(run.stdout).not.toContain(stack.apiKey);
    expect(run.code).toBe(0);
    const id = run.stdout.trim();
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    // Not a TTY: periodic progress lines, then the final summary.
    expect(run.stderr).toMatch(/\[[#.]{30}\]\s+100\.0%/);
    expect(run.stderr).toContain(`broadcast ${id}`);
    expect(run.stderr).toContain(': completed');

    const status = await runCli(stack, ['status', id, '--json']);
    expect(status.code).toBe(0);
    const body = JSON.parse(status.stdout) as {
      state: string;
      recipients: number;
      counts: Record<string, number>;
    };
    expect(body.state).toBe('completed');
    expect(body.recipients).toBe(400 - fixture.invalid - fixture.duplicates);

    const human = await runCli(stack, ['status', id]);
    expect(human.stdout).toMatch(/sent\s+\d+/);

    const report = await runCli(stack, ['report', id]);
    expect(report.code).toBe(0);
    const lines = report.stdout.trim().split(/\r?\n/);
    expect(lines[0]).toBe('row_number,phone,normalised_phone,state,error_code,error_reason');
    expect(lines).toHaveLength(401);

    const skipped = await runCli(stack, ['report', id, '--state', 'skipped']);
    expect(skipped.code).toBe(0);
    const skippedLines = skipped.stdout.trim().split(/\r?\n/);
    expect(skippedLines[0]).toBe(lines[0]);
    expect(skippedLines.length - 1).toBe(body.counts.skipped);
    expect(skippedLines.slice(1).every((l) => l.split(',')[3] === 'skipped')).toBe(true);

    const failed = await runCli(stack, ['report', id, '--state', 'failed']);
    expect(failed.code).toBe(0);
    expect(failed.stdout.trim().split(/\r?\n/).length - 1).toBe(body.counts.failed);

    // A finished broadcast cannot be paused: a clear message and a non-zero exit.
    const pause = await runCli(stack, ['pause', id]);
    expect(pause.code).toBe(1);
    expect(pause.stderr).toContain('broadcast-finished');
  });

  it("send --dry-run checks every row with the splitter's rules and sends nothing", async () => {
    const run = await runCli(stack, [...SEND(csv), '--dry-run', '--mps', '40']);
    expect(run.code).toBe(0);
    const recipients = 400 - fixture.invalid - fixture.duplicates;
    expect(run.stdout).toMatch(new RegExp(`recipients\\s+${recipients}\\b`));
    expect(run.stdout).toMatch(new RegExp(`duplicates ${fixture.duplicates}\\)`));
    expect(run.stdout).toContain(`estimated     ${Math.ceil(recipients / 40)}s at 40 msg/s`);
    expect(run.stdout).toMatch(/row \d+ → \+\d+: Hi .+, your order ORD-\d+ has shipped\./);
    expect(run.stderr).toContain('not started (dry run)');

    // Test send to one number (one Cloud API call, seen by the simulator), then start the checked broadcast.
    const id = /dry run of broadcast (\S+)/.exec(run.stdout)?.[1];
    expect(id).toBeDefined();
    const test = await runCli(stack, ['test-send', id!, '--to', '+91 98765 43210']);
    expect(test.code).toBe(0);
    expect(test.stderr).toMatch(/sent to \+919876543210: Hi .+, your order ORD-\d+ has shipped\./);
    const ledger = (await (
      await fetch(`${stack.simulatorUrl}/_sim/ledger/messages?offset=0&limit=1000`)
    ).json()) as { messages: { to: string }[] };
    expect(ledger.messages.filter((m) => m.to.replace(/^\+/, '') === '919876543210')).toHaveLength(
      1,
    );
    const started = await runCli(stack, ['start', id!, '--follow']);
    expect(started.code).toBe(0);
    expect(started.stderr).toContain(': completed');
  });

  it('pause, resume and cancel are accepted while sending', async () => {
    const send = await runCli(stack, SEND(csv));
    expect(send.code).toBe(0);
    const id = send.stdout.trim();
    // Wait (with a deadline) until the split has begun: control needs a started broadcast.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const status = await runCli(stack, ['status', id, '--json']);
      const state = (JSON.parse(status.stdout) as { state: string }).state;
      if (state !== 'created') break;
      if (Date.now() > deadline) throw new Error('broadcast never left created');
      await new Promise((r) => setTimeout(r, 200));
    }
    const stateOf = async () =>
      (JSON.parse((await runCli(stack, ['status', id, '--json'])).stdout) as { state: string })
        .state;
    const until = async (what: string, check: (state: string) => boolean) => {
      const limit = Date.now() + 30_000;
      for (;;) {
        const state = await stateOf();
        if (check(state)) return state;
        if (Date.now() > limit) throw new Error(`state never became ${what} (last ${state})`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    for (const action of ['pause', 'resume', 'cancel']) {
      const run = await runCli(stack, [action, id, '--reason', `test ${action}`]);
      expect({ action, code: run.code, stderr: run.stderr }).toMatchObject({ action, code: 0 });
      expect(run.stderr).toContain(`${action} accepted`);
      // status-tracker records the control from broadcast-control and shows it.
      if (action === 'pause') await until('paused', (s) => s === 'paused');
      if (action === 'resume') await until('not paused', (s) => s !== 'paused');
    }
    // Cancelled is final (unless the broadcast completed first: 40 msg/s leaves ample time).
    expect(await until('cancelled', (s) => s === 'cancelled' || s === 'completed')).toBe(
      'cancelled',
    );
    const again = await runCli(stack, ['resume', id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('broadcast-finished');
  });

  it('explains usage and missing configuration', async () => {
    const noKey = await runCli(stack, ['status', 'x'], { WAB_API_KEY: '' });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('WAB_API_KEY');
    const wrongKey = await runCli(stack, ['status', 'x'], { WAB_API_KEY: 'wab_wrong' });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain('invalid-api-key');
    expect(wrongKey.stderr).not.toContain('wab_wrong');
    const unknown = await runCli(stack, ['status', 'no-such-broadcast']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('broadcast-not-found');
    const badMap = await runCli(stack, [
      'send',
      csv,
      '--template',
      'order_update',
      '--lang',
      'en_US',
      '--map',
      'oops',
    ]);
    expect(badMap.code).toBe(2);
    const missingParam = await runCli(stack, [
      'send',
      csv,
      '--template',
      'order_update',
      '--lang',
      'en_US',
      '--map',
      'first_name=1',
    ]);
    expect(missingParam.code).toBe(1);
    expect(missingParam.stderr).toContain('missing-parameter');
    expect(readFileSync(csv, 'utf8').length).toBeGreaterThan(0);
  });
});
