// `broadcast`: the operator's command line over the public HTTP API (upload-gateway) only.
//
//   broadcast send FILE --template NAME --lang CODE --map col=param ... [--phone-column phone]
//                       [--sender ID] [--country CC] [--name TEXT] [--at TIME] [--follow]
//   broadcast status ID [--json] [--follow]
//   broadcast pause|resume|cancel ID [--reason TEXT]
//   broadcast report ID [--state failed] > failed.csv
//   broadcast suppressions list|add PHONE|remove PHONE|export > list.csv
//
// Configuration: --url or WAB_URL (default http://127.0.0.1:3000), WAB_API_KEY (required, never
// printed), --sender or WAB_SENDER (the business phone number id). Progress and messages go to
// stderr so that stdout carries only data (ids, JSON, CSV) and can be piped.
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import {
  ApiError,
  type BroadcastState,
  BroadcastApi,
  type BroadcastStatus,
  type CreateBroadcastRequest,
} from './client.ts';
import { dryRunReport, ProgressRenderer, statusReport } from './progress.ts';
import { recipientsCsvHeader, recipientCsvLine } from './report.ts';
import {
  SUPPRESSIONS_USAGE,
  SuppressionsApi,
  suppressionsCommand,
  SuppressionsUsageError,
} from './suppressions.ts';

const USAGE = `usage: broadcast <command> [options]

commands:
  send FILE --template NAME --lang CODE --map COLUMN=PARAM ...   create, upload, start
        [--phone-column phone] [--sender ID] [--country CC] [--name TEXT] [--follow]
        [--at TIME]             schedule the start: RFC 3339 (2026-11-27T10:00:00Z) or +90s/+10m/+2h
        [--dry-run [--mps N]]   check every row, show samples and the estimate; send nothing
        PARAM is a body placeholder: its position (1, 2, ...) or its name (named templates)
  status ID [--json] [--follow]      progress (--follow: live, until the broadcast is over;
                                     --progress-only: no summary at the end)
  test-send ID --to PHONE            the first valid row's message, once, to PHONE (before start)
  start ID [--at TIME]               start a checked (dry-run) broadcast, now or at TIME
  pause ID | resume ID | cancel ID   [--reason TEXT]
  report ID [--state STATE]          the report CSV on stdout (--state failed: only those)
  resend ID [--follow]               resend to failed: a new wave for the resendable failures
        [--state failed|unknown] [--codes 131000,131016]   narrow the selection
${SUPPRESSIONS_USAGE}
options:
  --url URL        the API (env WAB_URL, default http://127.0.0.1:3000)
  env WAB_API_KEY  the API key (required)
  --sender ID      the business phone number id (env WAB_SENDER)
`;

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

class UsageError extends Error {}

const OVER: readonly string[] = ['completed', 'failed', 'cancelled'];
export const isOver = (status: BroadcastStatus) =>
  OVER.includes(status.state) || (status.complete && status.state !== 'created');

export async function main(argv: string[], io: CliIo): Promise<number> {
  const say = (line: string) => io.stderr.write(`${line}\n`);
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        template: { type: 'string' },
        lang: { type: 'string' },
        map: { type: 'string', multiple: true },
        'phone-column': { type: 'string', default: 'phone' },
        sender: { type: 'string' },
        country: { type: 'string' },
        name: { type: 'string' },
        follow: { type: 'boolean', default: false },
        codes: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        mps: { type: 'string' },
        'progress-only': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        reason: { type: 'string' },
        to: { type: 'string' },
        at: { type: 'string' },
        state: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const [command, target, ...rest] = positionals;
    if (values.help || !command) {
      io.stdout.write(USAGE);
      return command || values.help ? 0 : 2;
    }
    if (rest.length > 0 && command !== 'suppressions')
      throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
    const apiKey = io.env.WAB_API_KEY;
    if (!apiKey) throw new UsageError('set WAB_API_KEY to your API key');
    if (command === 'suppressions') {
      const url = values.url ?? io.env.WAB_URL ?? 'http://127.0.0.1:3000';
      return await suppressionsCommand(
        new SuppressionsApi(url, apiKey),
        positionals.slice(1),
        values.reason === undefined ? {} : { reason: values.reason },
        io,
      );
    }
    const api = new BroadcastApi(values.url ?? io.env.WAB_URL ?? 'http://127.0.0.1:3000', apiKey);
    const need = (what: string) => {
      if (!target) throw new UsageError(`${command} needs ${what}`);
      return target;
    };

    switch (command) {
      case 'send': {
        const file = need('the CSV file');
        const template = values.template;
        const language = values.lang;
        if (!template || !language)
          throw new UsageError('send needs --template NAME and --lang CODE');
        const sender = values.sender ?? io.env.WAB_SENDER;
        if (!sender) throw new UsageError('send needs --sender ID (or WAB_SENDER)');
        // A bad --at fails here, before anything is created or uploaded.
        const startAt = startTime(values.at);
        const request: CreateBroadcastRequest = {
          name: values.name ?? `${file.split('/').pop()} ${new Date().toISOString()}`,
          template: { name: template, language },
          phoneNumberId: sender,
          mapping: { phoneColumn: values['phone-column'], body: parseMap(values.map ?? []) },
          ...(values.country ? { defaultCountry: values.country.toUpperCase() } : {}),
        };
        const created = await api.createBroadcast(request);
        say(`broadcast ${created.id}: uploading ${file} ...`);
        await api.uploadPresigned(created.upload, file);
        if (values['dry-run']) {
          const mps = values.mps === undefined ? undefined : Number(values.mps);
          if (mps !== undefined && !(Number.isInteger(mps) && mps > 0))
            throw new UsageError('--mps must be a whole number above 0');
          const report = await api.dryRun(created.id, mps);
          io.stdout.write(`${dryRunReport(report)}\n`);
          say(`broadcast ${created.id}: not started (dry run); start it with the API when ready`);
          return report.outcome === 'ok' ? 0 : 1;
        }
        const sent = await api.start(created.id, startAt);
        say(`broadcast ${created.id}: ${startedLine(sent)}`);
        io.stdout.write(`${created.id}\n`);
        return values.follow ? follow(api, created.id, io) : 0;
      }
      case 'start': {
        const id = need('a broadcast id');
        const sent = await api.start(id, startTime(values.at));
        say(`broadcast ${id}: ${startedLine(sent)}`);
        return values.follow ? follow(api, id, io) : 0;
      }
      case 'status': {
        const id = need('a broadcast id');
        if (values.follow) return follow(api, id, io, { summary: !values['progress-only'] });
        const status = await api.status(id);
        io.stdout.write(
          values.json ? `${JSON.stringify(status, null, 2)}\n` : `${statusReport(status)}\n`,
        );
        return 0;
      }
      case 'test-send': {
        const id = need('a broadcast id');
        if (!values.to) throw new UsageError('test-send needs --to PHONE');
        const sent = await api.testSend(id, values.to);
        io.stdout.write(`${sent.messageId}\n`);
        say(`test message (row ${sent.fromRow}) sent to ${sent.to}: ${sent.text}`);
        return 0;
      }
      case 'pause':
      case 'resume':
      case 'cancel': {
        const id = need('a broadcast id');
        const accepted = await api.control(id, command, values.reason);
        say(`broadcast ${id}: ${command} accepted (was ${accepted.state})`);
        return 0;
      }
      case 'resend': {
        const id = need('a broadcast id');
        if (values.state && values.state !== 'failed' && values.state !== 'unknown')
          throw new UsageError('--state for resend is failed or unknown');
        const codes = values.codes?.split(',').map((code) => code.trim());
        if (codes?.some((code) => !/^[0-9]{1,9}$/.test(code)))
          throw new UsageError('--codes takes Meta error codes: 131000,131016');
        const wave = await api.resend(id, {
          ...(values.state ? { states: [values.state] } : {}),
          ...(codes ? { errorCodes: codes.map(Number) } : {}),
        });
        say(
          `broadcast ${id}: wave ${wave.wave} (${wave.id}) resends ${wave.selected} recipient${wave.selected === 1 ? '' : 's'}`,
        );
        io.stdout.write(`${wave.id}\n`);
        return values.follow ? follow(api, wave.id, io) : 0;
      }
      case 'report': {
        const id = need('a broadcast id');
        if (values.state) {
          if (!/^[a-z_-]{1,32}$/.test(values.state))
            throw new UsageError(`--state ${values.state} is not a state`);
          await write(io.stdout, recipientsCsvHeader());
          let n = 0;
          for await (const recipient of api.allRecipients(id, values.state)) {
            await write(io.stdout, recipientCsvLine(recipient));
            n += 1;
          }
          say(`${n} ${values.state} recipient${n === 1 ? '' : 's'}`);
        } else {
          await pipeline(await api.report(id), io.stdout, { end: false });
        }
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof SuppressionsUsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      say(`broadcast: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ApiError) {
      say(`broadcast: ${error.message}${error.code ? ` [${error.code}]` : ''}`);
      return 1;
    }
    say(`broadcast: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

/** `first_name=1` (body placeholder {{1}}) or `first_name=customer` (named placeholder). */
export function parseMap(entries: readonly string[]): CreateBroadcastRequest['mapping']['body'] {
  return entries.map((entry) => {
    const match = /^([^=]+)=([^=]+)$/.exec(entry);
    if (!match) throw new UsageError(`--map ${entry}: expected COLUMN=PARAM, e.g. first_name=1`);
    const column = match[1]!.trim();
    const param = match[2]!.trim();
    return /^\d+$/.test(param) ? { position: Number(param), column } : { name: param, column };
  });
}

/** Follows the SSE stream to the end; exit code 0 only when the broadcast completed. */
const RFC3339_WITH_OFFSET =
  /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * `--at`: an RFC 3339 time with offset, passed through (the API refuses past times and more than 30
 * days ahead), or `+N[s|m|h]` from now. Anything else is a usage error (exit 2).
 */
export function startTime(at: string | undefined, now = new Date()): string | undefined {
  if (at === undefined) return undefined;
  const given = at.trim();
  const relative = /^\+(\d{1,7})([smh])$/.exec(given);
  if (!relative) {
    if (RFC3339_WITH_OFFSET.test(given) && !Number.isNaN(new Date(given).getTime())) return given;
    throw new UsageError(
      `--at "${given.slice(0, 64)}": expected an RFC 3339 time with offset (2026-11-27T10:00:00Z, 2026-11-27T11:00:00+01:00) or a delay from now (+90s, +10m, +2h)`,
    );
  }
  const unit = { s: 1000, m: 60_000, h: 3_600_000 }[relative[2] as 's' | 'm' | 'h'];
  return new Date(now.getTime() + Number(relative[1]) * unit).toISOString();
}

function startedLine(answer: { state: BroadcastState; startAt?: string }): string {
  return answer.state === 'scheduled' && answer.startAt
    ? `scheduled to start at ${answer.startAt}`
    : 'started';
}

export async function follow(
  api: BroadcastApi,
  id: string,
  io: CliIo,
  { summary = true }: { summary?: boolean } = {},
): Promise<number> {
  const renderer = new ProgressRenderer((text) => io.stderr.write(text), io.stderr.isTTY === true);
  let last: BroadcastStatus | undefined;
  // The stream can drop (gateway restart, proxy timeout): reconnect until the broadcast is over.
  for (let attempt = 0; !last || !isOver(last); attempt += 1) {
    try {
      for await (const event of api.events(id)) {
        if (event.event !== 'progress' && event.event !== 'end') continue;
        last = JSON.parse(event.data) as BroadcastStatus;
        renderer.update(last);
        attempt = 0;
        if (event.event === 'end') break;
      }
    } catch (error) {
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) throw error;
      if (attempt >= 5) throw error;
    }
    if (!last || !isOver(last))
      await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
  }
  renderer.done(last);
  if (summary) io.stderr.write(`${statusReport(last)}\n`);
  return last.state === 'completed' ? 0 : 1;
}

async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

// Run when executed as a program (bin/broadcast.js or `node src/cli.ts`), not when imported.
const entry = process.argv[1] ?? '';
if (/(?:cli\.[jt]s|broadcast(?:\.js)?)$/.test(entry)) {
  main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`broadcast: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
