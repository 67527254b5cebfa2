// The web console in a real browser (Debian's Chromium through playwright-core) against the whole
// pipeline as processes: sign in, template, CSV upload straight to the object store, the mapping
// preview, start, live progress over SSE, pause and resume, completion of 1,000 recipients, and the
// report download. A screenshot of each step goes to artifacts/screenshots/.
import { randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { startStack, writeRecipientsCsv, type Stack } from '@wab/stack';
import { launchChromium } from './browser.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectDir = path.resolve(here, '..');
const screenshots = path.resolve(projectDir, '../../artifacts/screenshots/console');

async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('web console (Chromium)', () => {
  let stack: Stack;
  let closeBrowser: (() => Promise<void>) | undefined;
  let page: Page;
  const dir = mkdtempSync(path.join(tmpdir(), 'wab-console-'));
  const csv = path.join(dir, 'recipients-1000.csv');
  let fixture: Awaited<ReturnType<typeof writeRecipientsCsv>>;
  const shot = (name: string) =>
    page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
  const retryable = () => fixture.expected.slice(10, 15);
  const simFaults = async (faults: Record<string, unknown>) => {
    const response = await fetch(`${stack.simulatorUrl}/_sim/faults`, {
      method: 'PATCH',
      body: JSON.stringify(faults),
    });
    expect(response.status).toBe(200);
  };

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    await build({
      root: path.join(projectDir, 'src'),
      configFile: path.join(projectDir, 'vite.config.ts'),
      logLevel: 'warn',
    });
    fixture = await writeRecipientsCsv(csv, 1000, 9, true);
    stack = await startStack({
      // A tenant of its own: the suppression this test adds lives in the shared database.
      tenantId: `console-${randomInt(100_000, 1_000_000)}`,
      // About 10 s of sending: time to pause and resume in the middle.
      simulatorArgs: ['--mps', '100', '--latency', 'uniform:5:40', '--seed', '5'],
      env: {
        dispatcher: { SENDER_DEFAULT_MPS: '100' },
        'upload-gateway': { CONSOLE_DIR: path.join(projectDir, 'dist') },
      },
    });
    // The browser PUTs the CSV straight to the bucket: the bucket must allow the console's origin.
    const s3 = new S3Client({
      endpoint: stack.infra.s3.endpoint,
      region: stack.infra.s3.region,
      forcePathStyle: true,
      credentials: {
        accessKeyId: stack.infra.s3.accessKeyId,
        secretAccessKey: stack.infra.s3.secretAccessKey,
      },
    });
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: stack.infra.s3.bucket,
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedOrigins: [new URL(stack.gatewayUrl).origin],
              AllowedMethods: ['PUT'],
              AllowedHeaders: ['*'],
              MaxAgeSeconds: 600,
            },
          ],
        },
      }),
    );
    s3.destroy();
    // Five recipients fail with a retryable error (131000) on every attempt until the rule is
    // replaced before the resend below (not `times: 6`, the dispatcher's attempt limit: the pause in
    // this test parks requests, and a parked request starts its attempts afresh on resume, so a
    // count-down raced with the pause and sometimes let one through).
    await simFaults({
      recipientFaults: Object.fromEntries(
        retryable().map((r) => [r.e164.slice(1), { code: 131000 }]),
      ),
    });
    const launched = await launchChromium();
    closeBrowser = launched.close;
    page = await launched.context.newPage();
  });

  afterAll(async () => {
    await closeBrowser?.();
    await stack?.stop();
  });

  it('sends 1,000 recipients from upload to complete, with preview, pause/resume and the report', async () => {
    const uploads: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PUT') uploads.push(new URL(request.url()).origin);
    });

    // Sign in: a wrong key is refused, the right one shows the templates.
    await page.goto(stack.gatewayUrl);
    await page.getByLabel('API key').fill('wab_not_a_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('invalid-api-key');
    await page.getByLabel('API key').fill(stack.apiKey);
    await shot('01-sign-in');
    await page.keyboard.press('Enter'); // the form works from the keyboard
    await page.getByLabel('Template', { exact: true }).waitFor();

    // Template with its placeholders.
    const options = await page
      .getByLabel('Template', { exact: true })
      .locator('option')
      .allTextContents();
    const orderUpdate = options.findIndex((o) => o.startsWith('order_update (en_US)'));
    expect(orderUpdate).toBeGreaterThanOrEqual(0);
    await page.getByLabel('Template', { exact: true }).selectOption(String(orderUpdate));
    expect(await page.getByTestId('template-body').textContent()).toMatch(/\{\{1\}\}.*\{\{2\}\}/s);
    await page.getByLabel('Sender (business phone number id)').fill('106540352242922');
    await page.getByLabel('Default country (for local numbers)').fill('IN');
    await shot('02-template');

    // The CSV and the mapping preview of its first rows.
    await page.getByLabel('CSV file with a header line').setInputFiles(csv);
    await page.getByTestId('preview').waitFor();
    const lines = readFileSync(csv, 'utf8').split(/\r?\n/);
    const header = lines[0]!.split(',');
    const first = lines[1]!.split(',');
    await page.getByLabel('Phone number column').selectOption('phone');
    await page.getByLabel('{{1}} column').selectOption('first_name');
    await page.getByLabel('{{2}} column').selectOption('order_id');
    const preview = page.getByTestId('preview').locator('tbody tr').first();
    const firstName = first[header.indexOf('first_name')]!.replace(/^"|"$/g, '');
    const orderId = first[header.indexOf('order_id')]!.replace(/^"|"$/g, '');
    expect(await preview.textContent()).toContain(firstName);
    expect(await preview.textContent()).toContain(orderId);
    // Live: remapping {{1}} changes the rendered message at once.
    await page.getByLabel('{{1}} column').selectOption('city');
    expect(await preview.textContent()).not.toContain(`${firstName},`);
    await page.getByLabel('{{1}} column').selectOption('first_name');
    expect(await preview.textContent()).toContain(firstName);
    await shot('03-mapping-preview');

    // One recipient (not row 1, used below) is on the tenant's suppression list: skipped as opted-out.
    const optedOut = fixture.expected[2]!;
    const put = await fetch(
      `${stack.gatewayUrl}/v1/suppressions/${encodeURIComponent(optedOut.e164)}`,
      { method: 'PUT', headers: { authorization: `Bearer ${stack.apiKey}` } },
    );
    expect(put.status).toBe(201);

    // Upload (straight to the object store), the dry run of every row, then start.
    await page.getByRole('button', { name: 'Upload and check' }).click();
    await page.getByTestId('dry-run').waitFor({ timeout: 60_000 });
    const valid = 1000 - fixture.invalid - fixture.duplicates;
    const expected = valid - 1;
    expect(await page.getByTestId('dry-run-recipients').textContent()).toBe(
      expected.toLocaleString('en'),
    );
    expect(await page.getByTestId('invalid-rows').locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('dry-run-suppressed').textContent()).toBe('1');
    const suppressedRows = page.getByTestId('suppressed-rows').locator('tbody tr');
    expect(await suppressedRows.allInnerTexts()).toEqual([
      `${optedOut.rowNumber}\t${optedOut.e164}\topted-out\tapi`,
    ]);
    expect(await page.getByTestId('samples').textContent()).toContain(
      `Hi ${firstName}, your order ${orderId} has shipped.`,
    );
    await shot('04-dry-run');
    // A test message to one number before starting.
    await page.getByLabel('Send a test message to').fill('+91 98765 43210');
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByTestId('test-result').waitFor();
    expect(await page.getByTestId('test-result').textContent()).toContain(
      `+919876543210 (row 1): Hi ${firstName}, your order ${orderId} has shipped.`,
    );
    await page.getByRole('button', { name: /^Start sending to/ }).click();
    await page.getByTestId('state').waitFor({ timeout: 60_000 });
    expect(uploads).toContain(new URL(stack.infra.s3.endpoint).origin);
    await shot('05-started');

    // Live progress, then pause and resume in the middle of sending.
    await until('sending with some messages out', async () => {
      const text = await page.getByTestId('counts').textContent();
      return (await page.getByTestId('state').textContent()) === 'sending' &&
        /accepted|sent|delivered|read/.test(text ?? '')
        ? true
        : undefined;
    });
    await shot('06-progress');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText('pause requested').waitFor();
    // status-tracker shows the pause once it has the broadcast.control event.
    await page
      .getByTestId('state')
      .filter({ hasText: /^paused$/ })
      .waitFor({ timeout: 30_000 });
    expect(await page.getByRole('button', { name: 'Pause' }).isDisabled()).toBe(true);
    await shot('07-paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByText('resume requested').waitFor();
    await page
      .getByTestId('state')
      .filter({ hasText: /^(sending|completed)$/ })
      .waitFor({ timeout: 30_000 });

    // Complete: every recipient has an outcome.
    await page.getByTestId('state').filter({ hasText: 'completed' }).waitFor({ timeout: 180_000 });
    // The opted-out recipient is one of the split's recipients, and has its outcome (skipped).
    const outcome = page.getByLabel(/recipients have an outcome/);
    expect(await outcome.getAttribute('max')).toBe(String(valid));
    expect(await outcome.getAttribute('value')).toBe(String(valid));
    await shot('08-completed');

    // The report download: one line per CSV row.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download report' }).click(),
    ]);
    const saved = path.join(dir, 'report.csv');
    await download.saveAs(saved);
    const report = readFileSync(saved, 'utf8').trim().split(/\r?\n/);
    expect(report[0]).toBe('row_number,phone,normalised_phone,state,error_code,error_reason');
    expect(report).toHaveLength(1001);
    expect(report[optedOut.rowNumber]).toMatch(/,skipped,opted-out,/);
    await shot('09-report-downloaded');

    // Resend to failed: the five retryable failures go out again in a wave, followed like a broadcast.
    // One of them now fails for good (131026), so the wave ends with one failure nothing can resend.
    expect(
      await page.getByRole('row', { name: '131000' }).locator('td').first().textContent(),
    ).toBe(String(retryable().length));
    // Replaces the rules above: four heal, one now fails for good.
    const stubborn = retryable()[0]!;
    await simFaults({ recipientFaults: { [stubborn.e164.slice(1)]: { code: 131026 } } });
    const resend = page.getByRole('button', { name: 'Resend to failed' });
    expect(await resend.getAttribute('aria-describedby')).toBe('resend-help');
    await resend.focus();
    await page.keyboard.press('Enter');
    await page.getByText(`resending to ${retryable().length} recipients (wave 2)`).waitFor();
    await page.getByRole('heading', { name: /\(wave 2\)/ }).waitFor();
    await page.getByTestId('state').filter({ hasText: 'completed' }).waitFor({ timeout: 120_000 });
    const waveOutcome = page.getByLabel(/recipients have an outcome/);
    expect(await waveOutcome.getAttribute('max')).toBe(String(retryable().length));
    expect(await waveOutcome.getAttribute('value')).toBe(String(retryable().length));
    expect(
      await page.getByRole('row', { name: '131026' }).locator('td').first().textContent(),
    ).toBe('1');
    await shot('10-resend-wave-completed');
    // The simulator's ledger: the healed four got exactly one message, the stubborn one none.
    const sim = async <T>(route: string) =>
      (await (await fetch(`${stack.simulatorUrl}${route}`)).json()) as T;
    const accepted = async (e164: string) =>
      (await sim<{ count: number }>(`/_sim/ledger/recipients/${e164.slice(1)}`)).count;
    expect(await Promise.all(retryable().map((r) => accepted(r.e164)))).toEqual([0, 1, 1, 1, 1]);
    expect((await sim<{ duplicates: number }>('/_sim/ledger')).duplicates).toBe(0);
    // Nothing left worth resending: a clear message, no new wave.
    await page.getByRole('button', { name: 'Resend to failed' }).click();
    await page.getByRole('alert').filter({ hasText: 'Nothing to resend' }).waitFor();
    await shot('11-nothing-to-resend');
  });
});
