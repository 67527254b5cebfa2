import { readFileSync } from 'node:fs';
import { GraphError } from './errors.js';

/** A template definition as Meta returns it from GET /{WABA-ID}/message_templates. */
export interface TemplateDefinition {
  id: string;
  name: string;
  language: string;
  status: string;
  category: string;
  parameter_format?: 'POSITIONAL' | 'NAMED';
  components: TemplateDefinitionComponent[];
}

export interface TemplateDefinitionComponent {
  type: string;
  format?: string;
  text?: string;
  buttons?: Array<{ type: string; text: string; url?: string; example?: unknown }>;
  example?: unknown;
}

/** What the simulator records of one accepted template send: the values, and the text they render. */
export interface RenderedTemplate {
  name: string;
  language: string;
  category: string;
  header?: string[];
  body: string[] | Record<string, string>;
  buttons: Array<{ index: number; subType: string; values: string[] }>;
  renderedHeader?: string;
  renderedBody: string;
  urls?: string[];
}

export const DEFAULT_TEMPLATES_FILE = new URL('../templates/default-templates.json', import.meta.url);

export function loadTemplates(file: string | URL = DEFAULT_TEMPLATES_FILE): TemplateDefinition[] {
  return loadTemplatesFromJson(JSON.parse(readFileSync(file, 'utf8')), String(file));
}

/** Accepts an array of template definitions, or Meta's list response shape `{data: [...]}`. */
export function loadTemplatesFromJson(parsed: unknown, file = 'templates'): TemplateDefinition[] {
  const list = Array.isArray(parsed) ? parsed : (parsed as { data?: unknown }).data;
  if (!Array.isArray(list)) throw new Error(`${file}: expected an array (or {data: [...]})`);
  return list.map((t, i) => {
    const tpl = t as TemplateDefinition;
    if (typeof tpl.name !== 'string' || typeof tpl.language !== 'string' || !Array.isArray(tpl.components)) {
      throw new Error(`${file}: entry ${i} needs name, language, components`);
    }
    return {
      ...tpl,
      id: tpl.id ?? String(9_000_000_000_000 + i),
      status: tpl.status ?? 'APPROVED',
      category: tpl.category ?? 'UTILITY',
    };
  });
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

function placeholders(text: string | undefined): string[] {
  if (!text) return [];
  const seen = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) seen.add(m[1]!);
  return [...seen];
}

interface ButtonExpectation {
  type: string;
  dynamic: boolean;
  url?: string;
}

/** A template compiled for fast validation of sends. */
interface CompiledTemplate {
  def: TemplateDefinition;
  named: boolean;
  header: { kind: 'none' } | { kind: 'text'; names: string[]; text: string } | { kind: 'media'; format: string };
  bodyNames: string[];
  bodyText: string;
  buttons: ButtonExpectation[];
}

function compile(def: TemplateDefinition): CompiledTemplate {
  const header = def.components.find((c) => c.type.toUpperCase() === 'HEADER');
  const body = def.components.find((c) => c.type.toUpperCase() === 'BODY');
  const buttons = def.components.find((c) => c.type.toUpperCase() === 'BUTTONS')?.buttons ?? [];
  let compiledHeader: CompiledTemplate['header'] = { kind: 'none' };
  if (header) {
    const format = (header.format ?? 'TEXT').toUpperCase();
    if (format === 'TEXT') {
      const names = placeholders(header.text);
      if (names.length > 0) compiledHeader = { kind: 'text', names, text: header.text ?? '' };
    } else {
      compiledHeader = { kind: 'media', format };
    }
  }
  return {
    def,
    named: def.parameter_format === 'NAMED',
    header: compiledHeader,
    bodyNames: placeholders(body?.text),
    bodyText: body?.text ?? '',
    buttons: buttons.map((b) => ({
      type: b.type.toUpperCase(),
      dynamic: b.type.toUpperCase() === 'URL' ? placeholders(b.url).length > 0 : b.type.toUpperCase() === 'COPY_CODE',
      ...(b.url !== undefined ? { url: b.url } : {}),
    })),
  };
}

export type TemplateOverride = 'PAUSED' | 'DISABLED';

/** The template registry: lookup by name + language, paging for the list endpoint, send validation. */
export class TemplateRegistry {
  private byKey = new Map<string, CompiledTemplate>();
  private list: TemplateDefinition[] = [];
  /** Runtime fault overrides (template paused → 132015, disabled → 132016), keyed by name. */
  readonly overrides = new Map<string, TemplateOverride>();

  constructor(templates: TemplateDefinition[]) {
    this.replace(templates);
  }

  replace(templates: TemplateDefinition[]): void {
    this.list = templates;
    this.byKey = new Map(templates.map((t) => [`${t.name}\u0000${t.language}`, compile(t)]));
  }

  all(): TemplateDefinition[] {
    return this.list.map((t) => this.withOverride(t));
  }

  private withOverride(t: TemplateDefinition): TemplateDefinition {
    const override = this.overrides.get(t.name);
    return override ? { ...t, status: override } : t;
  }

  /**
   * Validates the `template` object of a send against the registry. Throws GraphError with
   * 100 (malformed / unknown fields), 132001 (unknown or not approved), 132015/132016 (paused,
   * disabled), 132000 (count or positional/named mismatch), 132012 (parameter type mismatch),
   * 131008 (missing value). Returns the values and the rendered text for the ledger.
   */
  validate(template: unknown): RenderedTemplate {
    const t = asObject(template, 'template');
    checkKeys(t, ['name', 'language', 'components', 'namespace'], 'template');
    if (typeof t.name !== 'string' || t.name === '') throw new GraphError(131008, 'Parameter template.name is required');
    const language = asObject(t.language, 'template.language');
    checkKeys(language, ['code', 'policy'], 'template.language');
    if (typeof language.code !== 'string') throw new GraphError(131008, 'Parameter template.language.code is required');
    if (language.policy !== undefined && language.policy !== 'deterministic') {
      throw new GraphError(100, `Invalid parameter template.language.policy: ${show(language.policy)}`);
    }
    const compiled = this.byKey.get(`${t.name}\u0000${language.code}`);
    if (!compiled) {
      throw new GraphError(132001, `template name (${t.name}) does not exist in ${language.code}`);
    }
    const status = this.overrides.get(t.name) ?? compiled.def.status;
    if (status === 'PAUSED') throw new GraphError(132015, `template (${t.name}) is paused`);
    if (status === 'DISABLED') throw new GraphError(132016, `template (${t.name}) is disabled`);
    if (status !== 'APPROVED') {
      throw new GraphError(132001, `template name (${t.name}) does not exist in ${language.code} (status ${status})`);
    }

    let headerParams: unknown[] = [];
    let bodyParams: unknown[] = [];
    const buttonParams = new Map<number, { subType: string; params: unknown[] }>();
    if (t.components !== undefined) {
      if (!Array.isArray(t.components)) throw new GraphError(100, 'Invalid parameter template.components: expected an array');
      for (const raw of t.components) {
        const c = asObject(raw, 'template.components[]');
        checkKeys(c, ['type', 'parameters', 'sub_type', 'index'], 'template.components[]');
        const type = typeof c.type === 'string' ? c.type.toLowerCase() : '';
        const params = c.parameters === undefined ? [] : c.parameters;
        if (!Array.isArray(params)) throw new GraphError(100, 'Invalid parameter components[].parameters: expected an array');
        if (type === 'header') headerParams = params;
        else if (type === 'body') bodyParams = params;
        else if (type === 'button') {
          const index = Number(c.index);
          if (!Number.isInteger(index) || index < 0) throw new GraphError(100, 'Invalid parameter components[].index');
          if (typeof c.sub_type !== 'string') throw new GraphError(131008, 'Parameter components[].sub_type is required');
          buttonParams.set(index, { subType: c.sub_type.toLowerCase(), params });
        } else throw new GraphError(100, `Invalid parameter components[].type: ${String(c.type)}`);
      }
    }

    const rendered: RenderedTemplate = {
      name: compiled.def.name,
      language: compiled.def.language,
      category: compiled.def.category,
      body: [],
      buttons: [],
      renderedBody: '',
    };

    // Header.
    const header = compiled.header;
    if (header.kind === 'none') {
      if (headerParams.length > 0) throw countMismatch('header', headerParams.length, 0);
    } else if (header.kind === 'text') {
      const values = this.textValues('header', headerParams, header.names, compiled.named);
      rendered.header = Array.isArray(values) ? values : Object.values(values);
      rendered.renderedHeader = render(header.text, header.names, values);
    } else {
      if (headerParams.length !== 1) throw countMismatch('header', headerParams.length, 1);
      const p = asObject(headerParams[0], 'header parameter');
      const want = header.format.toLowerCase();
      if (p.type !== want) throw new GraphError(132012, `header: parameter type ${String(p.type)} does not match format ${header.format}`);
      const media = asObject(p[want], `header.${want}`);
      const ref = typeof media.link === 'string' ? media.link : typeof media.id === 'string' ? media.id : undefined;
      if (ref === undefined) throw new GraphError(131008, `header.${want} needs an id or a link`);
      rendered.header = [ref];
    }

    // Body.
    const bodyValues = this.textValues('body', bodyParams, compiled.bodyNames, compiled.named);
    rendered.body = bodyValues;
    rendered.renderedBody = render(compiled.bodyText, compiled.bodyNames, bodyValues);

    // Buttons.
    for (const [index, given] of buttonParams) {
      const def = compiled.buttons[index];
      if (!def) throw new GraphError(132000, `button at index ${index} does not exist in the template`);
      if (given.subType !== def.type.toLowerCase()) {
        throw new GraphError(132012, `button ${index}: sub_type ${given.subType} does not match ${def.type}`);
      }
      const values: string[] = [];
      for (const raw of given.params) {
        const p = asObject(raw, 'button parameter');
        if (def.type === 'URL') {
          if (p.type !== 'text') throw new GraphError(132012, `button ${index}: URL parameters are of type text`);
          values.push(requireString(p.text, `button ${index} text`));
        } else if (def.type === 'QUICK_REPLY') {
          if (p.type !== 'payload') throw new GraphError(132012, `button ${index}: quick reply parameters are of type payload`);
          values.push(requireString(p.payload, `button ${index} payload`));
        } else if (def.type === 'COPY_CODE') {
          if (p.type !== 'coupon_code') throw new GraphError(132012, `button ${index}: copy code parameters are of type coupon_code`);
          values.push(requireString(p.coupon_code, `button ${index} coupon_code`));
        }
      }
      const expected = def.dynamic ? 1 : def.type === 'QUICK_REPLY' ? values.length : 0;
      if (def.type === 'QUICK_REPLY' ? values.length > 1 : values.length !== expected) {
        throw countMismatch(`button ${index}`, values.length, def.type === 'QUICK_REPLY' ? 1 : expected);
      }
      rendered.buttons.push({ index, subType: given.subType, values });
      if (def.type === 'URL' && def.url) {
        (rendered.urls ??= []).push(def.url.replace(PLACEHOLDER, values[0] ?? ''));
      }
    }
    compiled.buttons.forEach((def, index) => {
      if (def.dynamic && !buttonParams.has(index)) throw countMismatch(`button ${index}`, 0, 1);
    });
    return rendered;
  }

  /** Values of text placeholders: positional → array in order; named → map by parameter_name. */
  private textValues(where: string, params: unknown[], names: string[], named: boolean): string[] | Record<string, string> {
    if (params.length !== names.length) throw countMismatch(where, params.length, names.length);
    const positional: string[] = [];
    const byName: Record<string, string> = {};
    for (const raw of params) {
      const p = asObject(raw, `${where} parameter`);
      if (p.type !== 'text' && p.type !== 'currency' && p.type !== 'date_time') {
        throw new GraphError(132012, `${where}: parameter type ${show(p.type)} does not match the template's text placeholders`);
      }
      checkKeys(p, ['type', 'text', 'currency', 'date_time', 'parameter_name'], `${where} parameter`);
      const hasName = p.parameter_name !== undefined;
      if (hasName !== named) {
        throw new GraphError(
          132000,
          `${where}: template uses ${named ? 'named' : 'positional'} parameters but the request sent ${hasName ? 'named' : 'positional'} ones`,
        );
      }
      const value = paramValue(where, p);
      if (named) {
        const name = String(p.parameter_name);
        if (!names.includes(name) || name in byName) {
          throw new GraphError(132000, `${where}: unexpected parameter_name "${name}" (expected ${names.join(', ')})`);
        }
        byName[name] = value;
      } else positional.push(value);
    }
    return named ? byName : positional;
  }

  /** Cursor paging over the registry, as Graph does: opaque cursors, `limit` (default 25). */
  page(query: URLSearchParams): { data: TemplateDefinition[]; paging?: { cursors: { before: string; after: string }; next?: string; previous?: string } ; start: number; end: number } {
    let items = this.all();
    const name = query.get('name');
    if (name) items = items.filter((t) => t.name === name);
    const status = query.get('status');
    if (status) items = items.filter((t) => t.status === status.toUpperCase());
    const language = query.get('language');
    if (language) items = items.filter((t) => t.language === language);
    const category = query.get('category');
    if (category) items = items.filter((t) => t.category === category.toUpperCase());
    const limit = Math.max(1, Math.min(1000, Number(query.get('limit') ?? 25) || 25));
    let start = 0;
    const after = query.get('after');
    const before = query.get('before');
    if (after) start = decodeCursor(after) + 1;
    else if (before) start = Math.max(0, decodeCursor(before) - limit);
    const end = Math.min(items.length, start + limit);
    const data = items.slice(start, end);
    if (data.length === 0) return { data, start, end };
    return { data, paging: { cursors: { before: encodeCursor(start), after: encodeCursor(end - 1) } }, start, end };
  }
}

export function encodeCursor(index: number): string {
  return Buffer.from(`tpl:${index}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString();
  const m = /^tpl:(\d+)$/.exec(text);
  if (!m) throw new GraphError(100, `Invalid parameter: cursor "${cursor}"`);
  return Number(m[1]);
}

function render(text: string, names: string[], values: string[] | Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    if (Array.isArray(values)) {
      const i = names.indexOf(name);
      return i >= 0 ? (values[i] ?? whole) : whole;
    }
    return values[name] ?? whole;
  });
}

function paramValue(where: string, p: Record<string, unknown>): string {
  switch (p.type) {
    case 'text':
      return requireString(p.text, `${where} text`);
    case 'currency': {
      const c = asObject(p.currency, `${where} currency`);
      if (typeof c.code !== 'string' || typeof c.amount_1000 !== 'number') {
        throw new GraphError(131008, `${where}: currency needs code and amount_1000`);
      }
      return requireString(c.fallback_value, `${where} currency.fallback_value`);
    }
    case 'date_time': {
      const d = asObject(p.date_time, `${where} date_time`);
      return requireString(d.fallback_value, `${where} date_time.fallback_value`);
    }
    default:
      throw new GraphError(132012, `${where}: parameter type ${String(p.type)} does not match the template's text placeholders`);
  }
}

function countMismatch(where: string, got: number, expected: number): GraphError {
  return new GraphError(
    132000,
    `${where}: number of localizable_params (${got}) does not match the expected number of params (${expected})`,
  );
}

function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new GraphError(131008, `Parameter ${what} is required`);
  return value;
}

/** Printable form of an untrusted JSON value, for error details. */
export function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? 'undefined';
}

export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GraphError(100, `Invalid parameter ${what}: expected an object`);
  }
  return value as Record<string, unknown>;
}

export function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new GraphError(100, `Unexpected key "${key}" on param "${what}"`);
  }
}
