// The web console: one page, top to bottom the way an operator works: sign in with an API key, pick a
// template, choose the CSV and map its columns (live preview of the first rows), upload it straight to
// the object store, start, then watch the live progress (SSE), pause/resume/cancel and download the
// report. Plain semantic HTML: every control has a label, everything works with the keyboard, status
// changes are announced (aria-live).
import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Api, ApiError, type DryRun, type Status, type Template } from './api.ts';
import {
  guessMapping,
  parameterKey,
  renderBody,
  sampleCsv,
  type CsvSample,
} from './csv-preview.ts';

const KEY_STORAGE = 'wab.apiKey';
const SENDER_STORAGE = 'wab.sender';
const OVER = ['completed', 'failed', 'cancelled'];
const SENT = ['accepted', 'sent', 'delivered', 'read'];

const message = (error: unknown) =>
  error instanceof ApiError
    ? `${error.message}${error.code ? ` (${error.code})` : ''}`
    : error instanceof Error
      ? error.message
      : String(error);

function SignIn({ onSignedIn }: { onSignedIn: (api: Api, templates: Template[]) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const api = new Api(key.trim());
      const templates = await api.templates();
      sessionStorage.setItem(KEY_STORAGE, key.trim());
      onSignedIn(api, templates);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="signin-title" class="card">
      <h2 id="signin-title">Sign in</h2>
      <form onSubmit={(e) => void submit(e)}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          required
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
        <button type="submit" disabled={busy || !key.trim()}>
          Sign in
        </button>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}

function TemplateBody({ text }: { text: string }) {
  const parts = text.split(/(\{\{\s*[A-Za-z0-9_]+\s*\}\})/g);
  return (
    <p class="template-body" data-testid="template-body">
      {parts.map((part, i) => (part.startsWith('{{') ? <mark key={i}>{part}</mark> : part))}
    </p>
  );
}

function Compose({
  api,
  templates,
  onStarted,
}: {
  api: Api;
  templates: Template[];
  onStarted: (id: string) => void;
}) {
  const usable = templates.filter((t) => !t.unsupported?.length);
  const [templateIndex, setTemplateIndex] = useState(0);
  const template = usable[templateIndex];
  const [sender, setSender] = useState(localStorage.getItem(SENDER_STORAGE) ?? '');
  const [country, setCountry] = useState('');
  const [file, setFile] = useState<File>();
  const [sample, setSample] = useState<CsvSample>();
  const [phoneColumn, setPhoneColumn] = useState('');
  const [body, setBody] = useState<Record<string, string>>({});
  const [uploadShare, setUploadShare] = useState<number>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [checked, setChecked] = useState<{ id: string; report: DryRun }>();
  const [testPhone, setTestPhone] = useState('');
  const [testResult, setTestResult] = useState<string>();
  // "Start at" (datetime-local, the browser's zone): empty = now.
  const [startAt, setStartAt] = useState('');
  const parameters = template?.parameters.body ?? [];

  const chooseFile = async (chosen: File | undefined) => {
    setFile(chosen);
    setSample(undefined);
    if (!chosen) return;
    // Only the first 64 KiB are read for the preview: the file itself goes to the store untouched.
    const head = await chosen.slice(0, 64 * 1024).text();
    const parsed = sampleCsv(head, 5, chosen.size <= 64 * 1024);
    setSample(parsed);
  };

  useEffect(() => {
    if (!sample || !template) return;
    const guess = guessMapping(sample.header, parameters);
    setPhoneColumn(guess.phoneColumn);
    setBody(guess.body);
  }, [sample, template]);

  const ready =
    template &&
    file &&
    sample &&
    sender.trim() &&
    phoneColumn &&
    parameters.every((p) => body[parameterKey(p)]);

  const send = async (event: Event) => {
    event.preventDefault();
    if (!ready || !template || !file) return;
    setBusy(true);
    setError(undefined);
    try {
      localStorage.setItem(SENDER_STORAGE, sender.trim());
      const created = await api.create({
        name: file.name,
        template: { name: template.name, language: template.language },
        phoneNumberId: sender.trim(),
        mapping: {
          phoneColumn,
          body: parameters.map((p) =>
            p.name !== undefined
              ? { name: p.name, column: body[p.name] }
              : { position: p.position, column: body[String(p.position)] },
          ),
        },
        ...(country.trim() ? { defaultCountry: country.trim().toUpperCase() } : {}),
      });
      setUploadShare(0);
      await api.upload(created, file, setUploadShare);
      // Nothing is sent yet: every row is checked first, with the splitter's own rules.
      setChecked({ id: created.id, report: await api.dryRun(created.id) });
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  const testSend = async () => {
    if (!checked || !testPhone.trim()) return;
    setBusy(true);
    setError(undefined);
    setTestResult(undefined);
    try {
      const sent = await api.testSend(checked.id, testPhone.trim());
      setTestResult(`Test message sent to ${sent.to} (row ${sent.fromRow}): ${sent.text}`);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  const start = async () => {
    if (!checked) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.start(checked.id, startAt ? new Date(startAt).toISOString() : undefined);
      onStarted(checked.id);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  if (!template) return <p role="alert">No approved template can be used for broadcasts.</p>;
  return (
    <form onSubmit={(e) => void send(e)} aria-label="New broadcast">
      <section aria-labelledby="template-title" class="card">
        <h2 id="template-title">1. Template</h2>
        <label for="template">Template</label>
        <select
          id="template"
          value={templateIndex}
          onChange={(e) => setTemplateIndex(Number(e.currentTarget.value))}
        >
          {usable.map((t, i) => (
            <option key={`${t.name}/${t.language}`} value={i}>
              {t.name} ({t.language})
            </option>
          ))}
        </select>
        <TemplateBody text={template.body} />
        <div class="row">
          <div>
            <label for="sender">Sender (business phone number id)</label>
            <input
              id="sender"
              required
              inputMode="numeric"
              value={sender}
              onInput={(e) => setSender(e.currentTarget.value)}
            />
          </div>
          <div>
            <label for="country">Default country (for local numbers)</label>
            <input
              id="country"
              maxLength={2}
              placeholder="e.g. IN"
              value={country}
              onInput={(e) => setCountry(e.currentTarget.value)}
            />
          </div>
        </div>
      </section>

      <section aria-labelledby="file-title" class="card">
        <h2 id="file-title">2. Recipients (CSV)</h2>
        <label for="file">CSV file with a header line</label>
        <input
          id="file"
          type="file"
          accept=".csv,text/csv"
          required
          onChange={(e) => void chooseFile(e.currentTarget.files?.[0])}
        />
        {sample && (
          <>
            <fieldset>
              <legend>Map columns to the template</legend>
              <label for="map-phone">Phone number column</label>
              <select
                id="map-phone"
                value={phoneColumn}
                onChange={(e) => setPhoneColumn(e.currentTarget.value)}
              >
                {sample.header.map((h) => (
                  <option key={h} value={h}>
                    {h}
                  </option>
                ))}
              </select>
              {parameters.map((p) => {
                const key = parameterKey(p);
                return (
                  <div key={key}>
                    <label for={`map-${key}`}>{`{{${key}}}`} column</label>
                    <select
                      id={`map-${key}`}
                      value={body[key] ?? ''}
                      onChange={(e) => setBody({ ...body, [key]: e.currentTarget.value })}
                    >
                      <option value="">choose a column</option>
                      {sample.header.map((h) => (
                        <option key={h} value={h}>
                          {h}
                        </option>
                      ))}
                    </select>
                  </div>
                );
              })}
            </fieldset>
            <h3 id="preview-title">Preview of the first rows</h3>
            <table aria-labelledby="preview-title" data-testid="preview">
              <thead>
                <tr>
                  <th scope="col">Phone</th>
                  <th scope="col">Message</th>
                </tr>
              </thead>
              <tbody>
                {sample.rows.slice(0, 3).map((row, i) => (
                  <tr key={i}>
                    <td>{row[sample.header.indexOf(phoneColumn)] ?? ''}</td>
                    <td>{renderBody(template.body, sample.header, row, body)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>

      <section aria-labelledby="send-title" class="card">
        <h2 id="send-title">3. Send</h2>
        {uploadShare !== undefined && (
          <>
            <label for="upload-progress">Upload</label>
            <progress id="upload-progress" max={1} value={uploadShare}>
              {Math.round(uploadShare * 100)}%
            </progress>
          </>
        )}
        <button type="submit" disabled={!ready || busy || checked !== undefined}>
          Upload and check
        </button>
        {checked && <DryRunView report={checked.report} />}
        {checked && checked.report.outcome === 'ok' && checked.report.recipients > 0 && (
          <div class="row">
            <div>
              <label for="test-phone">Send a test message to</label>
              <input
                id="test-phone"
                type="tel"
                placeholder="+4915123456789"
                value={testPhone}
                onInput={(e) => setTestPhone(e.currentTarget.value)}
              />
            </div>
            <button
              type="button"
              disabled={busy || !testPhone.trim()}
              onClick={() => void testSend()}
            >
              Send test
            </button>
          </div>
        )}
        {testResult && (
          <p role="status" data-testid="test-result">
            {testResult}
          </p>
        )}
        {checked && checked.report.outcome === 'ok' && checked.report.recipients > 0 && (
          <div class="row">
            <button type="button" disabled={busy} onClick={() => void start()}>
              {startAt ? 'Schedule sending' : 'Start sending'} to{' '}
              {checked.report.recipients.toLocaleString('en')} recipients
            </button>
            <label>
              Start at{' '}
              <input
                type="datetime-local"
                data-testid="start-at"
                value={startAt}
                onInput={(e) => setStartAt(e.currentTarget.value)}
              />
            </label>
          </div>
        )}
        {checked && (
          <button type="button" disabled={busy} onClick={() => setChecked(undefined)}>
            Change and check again
          </button>
        )}
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
      </section>
    </form>
  );
}

function DryRunView({ report }: { report: DryRun }) {
  if (report.outcome === 'failed')
    return (
      <p role="alert" class="error">
        This file cannot be sent: {report.failure?.message} ({report.failure?.reason})
      </p>
    );
  return (
    <div data-testid="dry-run" aria-live="polite">
      <h3>Check of every row (nothing sent yet)</h3>
      <p>
        <strong data-testid="dry-run-recipients">{report.recipients.toLocaleString('en')}</strong>{' '}
        recipients of {report.totalRows.toLocaleString('en')} rows;{' '}
        {report.skipped.toLocaleString('en')} skipped ({report.duplicates.toLocaleString('en')}{' '}
        duplicates,{' '}
        <span data-testid="dry-run-suppressed">{report.suppressed.toLocaleString('en')}</span> opted
        out). About {Math.ceil(report.estimate.seconds)} s at {report.estimate.messagesPerSecond}{' '}
        messages/s.
      </p>
      {report.invalidRows.length > 0 && (
        <table data-testid="invalid-rows">
          <caption>
            Rows that will be skipped{report.invalidRowsTruncated ? ' (first ones)' : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Phone</th>
              <th scope="col">Reason</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {report.invalidRows.slice(0, 20).map((row) => (
              <tr key={row.rowNumber}>
                <td>{row.rowNumber}</td>
                <td>{row.phone ?? ''}</td>
                <td>{row.reason}</td>
                <td>{row.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report.suppressedRows.length > 0 && (
        <table data-testid="suppressed-rows">
          <caption>
            Recipients on the suppression list, skipped
            {report.suppressedRowsTruncated ? ' (first ones)' : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Phone</th>
              <th scope="col">Reason</th>
              <th scope="col">Source</th>
            </tr>
          </thead>
          <tbody>
            {report.suppressedRows.slice(0, 20).map((row) => (
              <tr key={row.rowNumber}>
                <td>{row.rowNumber}</td>
                <td>{row.e164}</td>
                <td>{row.reason}</td>
                <td>{row.suppression}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <table data-testid="samples">
        <caption>Messages as they will be sent</caption>
        <tbody>
          {report.samples.map((sample) => (
            <tr key={sample.rowNumber}>
              <td>{sample.to}</td>
              <td>{sample.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Progress({
  api,
  id,
  onNew,
  onResent,
  intro,
}: {
  api: Api;
  id: string;
  onNew: () => void;
  /** A resend wave was started: follow it (its id) and say how many it selected. */
  onResent: (waveId: string, notice: string) => void;
  intro?: string;
}) {
  const [status, setStatus] = useState<Status>();
  const [notice, setNotice] = useState<string | undefined>(intro);
  const [error, setError] = useState<string>();
  const [resending, setResending] = useState(false);
  const [generation, setGeneration] = useState(0);
  const download = useRef<HTMLAnchorElement>(null);

  useEffect(() => {
    const abort = new AbortController();
    let retry: ReturnType<typeof setTimeout> | undefined;
    api.follow(id, setStatus, abort.signal).then(
      () => undefined,
      (err: unknown) => {
        if (abort.signal.aborted) return;
        setError(`live progress interrupted: ${message(err)}; reconnecting`);
        retry = setTimeout(() => setGeneration((g) => g + 1), 2000);
      },
    );
    return () => {
      abort.abort();
      if (retry) clearTimeout(retry);
    };
  }, [id, generation]);

  const control = async (action: 'pause' | 'resume' | 'cancel') => {
    setError(undefined);
    try {
      await api.control(id, action);
      setNotice(`${action} requested`);
    } catch (err) {
      setError(message(err));
    }
  };

  // "Resend to failed": status-tracker selects the retryable failures (and unknowns past the window)
  // over the broadcast and its earlier waves; the new wave is followed here like any broadcast.
  const resend = async () => {
    setError(undefined);
    setResending(true);
    try {
      const wave = await api.resend(id);
      onResent(
        wave.id,
        `resending to ${wave.selected.toLocaleString('en')} recipient${wave.selected === 1 ? '' : 's'} (wave ${wave.wave})`,
      );
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === 'nothing-to-resend'
          ? 'Nothing to resend: no recipient failed with an error worth retrying (permanent errors, opt-outs and delivered messages are never resent).'
          : message(err),
      );
    } finally {
      setResending(false);
    }
  };

  const report = async () => {
    try {
      const blob = await api.downloadReport(id);
      const link = download.current!;
      link.href = URL.createObjectURL(blob);
      link.download = `broadcast-${id}-report.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (err) {
      setError(message(err));
    }
  };

  const c = status?.counts ?? {};
  const sent = SENT.reduce((n, s) => n + (c[s] ?? 0), 0);
  // Recipients skipped after the split (opted out) are in `recipients` and have their outcome too;
  // rows the split refused are not (counts.skipped holds both).
  const splitSkipped =
    status?.totalRows !== undefined && status.recipients !== undefined
      ? status.totalRows - status.recipients
      : (c.skipped ?? 0);
  const done =
    sent +
    (c.failed ?? 0) +
    (c.unknown ?? 0) +
    (c.cancelled ?? 0) +
    Math.max(0, (c.skipped ?? 0) - splitSkipped);
  const total = status?.recipients ?? status?.totalRows ?? 0;
  const over = status ? OVER.includes(status.state) : false;
  const rows = useMemo(() => Object.entries(c).filter(([, n]) => n > 0), [status]);
  return (
    <section aria-labelledby="progress-title" class="card">
      <h2 id="progress-title">
        Broadcast {id}
        {status?.wave ? ` (wave ${status.wave.number})` : ''}
      </h2>
      <p aria-live="polite">
        State: <strong data-testid="state">{status?.state ?? 'connecting'}</strong>
        {notice ? ` · ${notice}` : ''}
      </p>
      <label for="send-progress">
        {done.toLocaleString('en')} of {total.toLocaleString('en')} recipients have an outcome
      </label>
      <progress id="send-progress" max={Math.max(total, 1)} value={done} />
      <p data-testid="rate">
        {Math.round(status?.ratePerSecond ?? 0)} messages/s
        {status?.etaSeconds !== undefined && !over
          ? ` · about ${Math.ceil(status.etaSeconds)} s left`
          : ''}
      </p>
      <table aria-label="Recipients by state" data-testid="counts">
        <caption>Recipients, by state</caption>
        <tbody>
          {rows.map(([state, n]) => (
            <tr key={state}>
              <th scope="row">{state}</th>
              <td>{n.toLocaleString('en')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {status && Object.keys(status.failedByReason).length > 0 && (
        <table aria-label="Failures by error">
          <caption>Failed, by error</caption>
          <tbody>
            {Object.entries(status.failedByReason).map(([code, v]) => (
              <tr key={code}>
                <th scope="row">{code}</th>
                <td>{v.count}</td>
                <td>{v.title ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {status && Object.keys(status.skippedByReason).length > 0 && (
        <table aria-label="Skipped rows by reason">
          <caption>Skipped rows, by reason</caption>
          <tbody>
            {Object.entries(status.skippedByReason).map(([reason, n]) => (
              <tr key={reason}>
                <th scope="row">{reason}</th>
                <td>{n}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="row" role="group" aria-label="Broadcast actions">
        <button
          type="button"
          disabled={over || status?.state === 'paused'}
          onClick={() => void control('pause')}
        >
          Pause
        </button>
        <button type="button" disabled={over} onClick={() => void control('resume')}>
          Resume
        </button>
        <button type="button" disabled={over} onClick={() => void control('cancel')}>
          Cancel
        </button>
        <button type="button" onClick={() => void report()}>
          Download report
        </button>
        {status?.state === 'completed' && (c.failed ?? 0) + (c.unknown ?? 0) > 0 && (
          <button
            type="button"
            disabled={resending}
            aria-describedby="resend-help"
            onClick={() => void resend()}
          >
            Resend to failed
          </button>
        )}
        <button type="button" onClick={onNew}>
          New broadcast
        </button>
      </div>
      {status?.state === 'completed' && (c.failed ?? 0) + (c.unknown ?? 0) > 0 && (
        <p id="resend-help">
          Resend to failed sends again, in a new wave, to the recipients whose failure is temporary
          (rate limits, Meta errors) or whose outcome stayed unknown; never to anyone who got it.
        </p>
      )}
      <a ref={download} hidden aria-hidden="true" />
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </section>
  );
}

function App() {
  const [session, setSession] = useState<{ api: Api; templates: Template[] }>();
  const [broadcast, setBroadcast] = useState<string>();
  const [intro, setIntro] = useState<string>();
  useEffect(() => {
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (!key) return;
    const api = new Api(key);
    api.templates().then(
      (templates) => setSession({ api, templates }),
      () => sessionStorage.removeItem(KEY_STORAGE),
    );
  }, []);
  return (
    <>
      <header>
        <h1>WhatsApp broadcasts</h1>
        {session && (
          <button
            type="button"
            onClick={() => {
              sessionStorage.removeItem(KEY_STORAGE);
              setSession(undefined);
              setBroadcast(undefined);
            }}
          >
            Sign out
          </button>
        )}
      </header>
      <main>
        {!session && <SignIn onSignedIn={(api, templates) => setSession({ api, templates })} />}
        {session && !broadcast && (
          <Compose api={session.api} templates={session.templates} onStarted={setBroadcast} />
        )}
        {session && broadcast && (
          <Progress
            key={broadcast}
            api={session.api}
            id={broadcast}
            intro={intro}
            onNew={() => {
              setIntro(undefined);
              setBroadcast(undefined);
            }}
            onResent={(waveId, notice) => {
              setIntro(notice);
              setBroadcast(waveId);
            }}
          />
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
