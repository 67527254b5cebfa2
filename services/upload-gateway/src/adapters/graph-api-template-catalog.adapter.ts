import { upstreamFailed, upstreamUnavailable } from '../domain/errors.js';
import type { CloudApiTemplateDefinition } from '../domain/templates.js';
import { TemplateCatalog } from '../ports/template-catalog.port.js';

export interface GraphApiTemplateCatalogOptions {
  /** `https://graph.facebook.com` or the simulator's URL. */
  baseUrl: string;
  /** `v23.0`. */
  version: string;
  wabaId: string;
  /** Bearer token; never logged, never put in an error message. */
  token: string;
  timeoutMs: number;
  pageSize?: number;
  /** Safety stop for a misbehaving cursor (pageSize × maxPages templates at most). */
  maxPages?: number;
}

interface GraphPage {
  data?: CloudApiTemplateDefinition[];
  paging?: { cursors?: { after?: string }; next?: string };
}

/** The fields we read; Meta's default field set leaves some out (e.g. parameter_format). */
const FIELDS = 'id,name,language,status,category,parameter_format,components';

/**
 * `GET /{version}/{waba-id}/message_templates`, following the `after` cursor while Graph announces a
 * `next` page. The `next` URL itself is not followed: only the configured host ever receives the token.
 */
export class GraphApiTemplateCatalog extends TemplateCatalog {
  constructor(private readonly options: GraphApiTemplateCatalogOptions) {
    super();
  }

  async listAll(): Promise<CloudApiTemplateDefinition[]> {
    const { baseUrl, version, wabaId, pageSize = 100, maxPages = 100 } = this.options;
    const endpoint = `${baseUrl.replace(/\/+$/, '')}/${version}/${encodeURIComponent(wabaId)}/message_templates`;
    const templates: CloudApiTemplateDefinition[] = [];
    let after: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const url = new URL(endpoint);
      url.searchParams.set('limit', String(pageSize));
      url.searchParams.set('fields', FIELDS);
      if (after !== undefined) url.searchParams.set('after', after);
      const body = await this.fetchPage(url);
      for (const item of body.data ?? []) {
        if (isTemplate(item)) templates.push(item);
      }
      const next = body.paging?.cursors?.after;
      if (!body.paging?.next || !next || next === after) return templates;
      after = next;
    }
    return templates;
  }

  private async fetchPage(url: URL): Promise<GraphPage> {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { authorization: `Bearer ${this.options.token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw upstreamUnavailable(
        'whatsapp',
        `the WhatsApp Cloud API at ${url.origin} could not be reached for the template list (${describe(error)})`,
      );
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const graph = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const code = typeof graph?.code === 'number' ? graph.code : undefined;
      const message = typeof graph?.message === 'string' ? graph.message : text.slice(0, 200);
      throw upstreamFailed(
        'whatsapp',
        `the WhatsApp Cloud API refused the template list (HTTP ${response.status}${code === undefined ? '' : `, code ${code}`}): ${message}`,
        { status: response.status, ...(code === undefined ? {} : { graphCode: code }) },
      );
    }
    if (typeof body !== 'object' || body === null) {
      throw upstreamFailed(
        'whatsapp',
        'the WhatsApp Cloud API answered the template list with something other than JSON',
      );
    }
    return body;
  }
}

function isTemplate(value: unknown): value is CloudApiTemplateDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<string, unknown>;
  return (
    typeof t.name === 'string' && typeof t.language === 'string' && typeof t.status === 'string'
  );
}

function describe(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  return cause?.code ?? (error instanceof Error ? error.message : String(error));
}
