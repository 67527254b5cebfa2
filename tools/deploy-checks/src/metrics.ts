// `promtool check metrics` on real /metrics output: the plug-in point for the services' metrics.
// verify:deploy runs it on every URL in WAB_METRICS_URLS (comma-separated, e.g. the stack started by
// tools/stack) and on every file in WAB_METRICS_FILES; without either the step is reported skipped.
import { readFileSync } from 'node:fs';
import { run } from './exec.ts';

/** prom-client's own gauges that promtool's naming lint flags; not ours to rename. */
const KNOWN_LINT = [/^nodejs_active_(handles|requests|resources)_total /];

export interface MetricsCheck {
  source: string;
  problems: string[];
}

/** Lints one exposition text; returns promtool's findings minus the known prom-client ones. */
export function checkMetricsText(promtool: string, text: string, source: string): MetricsCheck {
  const r = run(promtool, ['check', 'metrics'], { input: text });
  const lines = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
  const problems = lines.filter((l) => !KNOWN_LINT.some((re) => re.test(l)));
  if (r.status !== 0 && problems.length === 0 && lines.length === 0)
    problems.push(`promtool exited ${r.status}`);
  if (!/^wab_build_info/m.test(text)) problems.push('wab_build_info missing');
  return { source, problems };
}

export async function checkConfiguredMetrics(
  promtool: string,
): Promise<MetricsCheck[] | undefined> {
  const urls = (process.env.WAB_METRICS_URLS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const files = (process.env.WAB_METRICS_FILES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (urls.length === 0 && files.length === 0) return undefined;
  const results: MetricsCheck[] = [];
  for (const url of urls) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      results.push(checkMetricsText(promtool, await res.text(), url));
    } catch (error) {
      results.push({
        source: url,
        problems: [`fetch failed: ${error instanceof Error ? error.message : String(error)}`],
      });
    }
  }
  for (const file of files)
    results.push(checkMetricsText(promtool, readFileSync(file, 'utf8'), file));
  return results;
}
