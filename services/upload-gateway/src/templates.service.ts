/**
 * The sender's templates, read from the Cloud API and kept in memory for a TTL: listing templates
 * and validating a new broadcast must not cost a Graph API call each (Meta rate-limits its
 * management endpoints, code 80008). One refresh at a time (concurrent callers share it); when a
 * refresh fails, the previous list keeps being served for a while (stale-if-error) and the failure
 * is logged once per refresh.
 */
import type { Logger } from '@wab/service-runtime';
import { GatewayError } from './domain/errors.js';
import { chooseTemplate } from './domain/mapping.js';
import { describeTemplate, type TemplateInfo } from './domain/templates.js';
import type { TemplateCatalog } from './ports/template-catalog.port.js';

export interface TemplatesServiceOptions {
  ttlMs: number;
  /** How long a list may be served after failed refreshes (default 15 min). */
  maxStaleMs?: number;
  /** A name/language not in the cached list triggers a refresh when the list is older than this (default 5 s). */
  missRefreshMs?: number;
  now?: () => number;
}

export class TemplatesService {
  private cached: { at: number; templates: TemplateInfo[] } | undefined;
  private refreshing: Promise<TemplateInfo[]> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly catalog: TemplateCatalog,
    private readonly log: Logger,
    private readonly options: TemplatesServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Every template of the account (any status), with its parameters. */
  async all(): Promise<TemplateInfo[]> {
    const cached = this.cached;
    if (cached && this.now() - cached.at < this.options.ttlMs) return cached.templates;
    return this.refresh();
  }

  /** The templates a broadcast can use: APPROVED ones. */
  async approved(): Promise<TemplateInfo[]> {
    return (await this.all()).filter((t) => t.status === 'APPROVED');
  }

  /**
   * The APPROVED template `name` in `language`, or a GatewayError (unprocessable) naming what is
   * wrong: unknown template, no approved language, not approved, unsupported parts.
   */
  async choose(name: string, language: string): Promise<TemplateInfo> {
    let choice = chooseTemplate(await this.all(), name, language);
    // Just approved at Meta? A miss on a list older than a few seconds is worth one fresh look.
    const age = this.cached ? this.now() - this.cached.at : Infinity;
    if (!choice.ok && age > (this.options.missRefreshMs ?? 5000)) {
      choice = chooseTemplate(await this.refresh(), name, language);
    }
    if (!choice.ok) {
      throw new GatewayError('unprocessable', choice.problem.code, choice.problem.message, {
        problems: [choice.problem],
      });
    }
    return choice.template;
  }

  private refresh(): Promise<TemplateInfo[]> {
    this.refreshing ??= this.catalog
      .listAll()
      .then((definitions) => {
        const templates = definitions.map(describeTemplate);
        this.cached = { at: this.now(), templates };
        this.log.debug({ templates: templates.length }, 'template list refreshed');
        return templates;
      })
      .catch((error: unknown) => {
        const stale = this.cached;
        if (stale && this.now() - stale.at < (this.options.maxStaleMs ?? 15 * 60_000)) {
          this.log.warn(
            {
              err: error instanceof Error ? error.message : String(error),
              ageMs: this.now() - stale.at,
            },
            'template list refresh failed; serving the previous list',
          );
          return stale.templates;
        }
        throw error;
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }
}
