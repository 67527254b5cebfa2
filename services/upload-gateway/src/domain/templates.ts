/**
 * Reading Cloud API template definitions (`GET /{waba-id}/message_templates`) into what an operator
 * needs to map a CSV: which parameters a send must carry (body `{{1}}` or `{{name}}`, a header
 * parameter, dynamic button values), with Meta's approval examples. Pure functions, no I/O.
 *
 * What a send must carry follows Meta's rules (reference §1.2–1.3, §5) and our simulator's checks:
 * every body and TEXT-header placeholder; one media parameter for an IMAGE/VIDEO/DOCUMENT header;
 * the suffix of a URL button whose URL has a placeholder; the code of a COPY_CODE button. A
 * QUICK_REPLY payload is optional. Templates with parts a CSV row cannot fill (LOCATION header,
 * carousels, OTP/catalog buttons) are listed but marked `unsupported`.
 */
export interface CloudApiTemplateButton {
  type: string;
  text?: string;
  url?: string;
  example?: unknown;
}

export interface CloudApiTemplateComponent {
  type: string;
  format?: string;
  text?: string;
  example?: unknown;
  buttons?: CloudApiTemplateButton[];
}

/** A template as the Cloud API lists it: only the fields read here. */
export interface CloudApiTemplateDefinition {
  id?: string;
  name: string;
  language: string;
  status: string;
  category?: string;
  parameter_format?: string;
  components?: CloudApiTemplateComponent[];
}

export type ParameterFormat = 'positional' | 'named';
export type HeaderParameterType = 'text' | 'image' | 'video' | 'document';
export type ButtonParameterSubType = 'url' | 'quick_reply' | 'copy_code';

export interface BodyParameter {
  /** Positional templates: 1 for {{1}}. */
  position?: number;
  /** Named templates: `first_name` for {{first_name}}. */
  name?: string;
  example?: string;
}

export interface HeaderParameter {
  type: HeaderParameterType;
  /** Named TEXT headers. */
  name?: string;
  example?: string;
}

export interface ButtonParameter {
  index: number;
  subType: ButtonParameterSubType;
  /** False for quick replies (the payload is optional). */
  required: boolean;
  /** The button's URL with its placeholder (URL buttons). */
  url?: string;
  example?: string;
}

export interface TemplateParameters {
  header?: HeaderParameter;
  body: BodyParameter[];
  buttons: ButtonParameter[];
}

export interface TemplateInfo {
  id?: string;
  name: string;
  language: string;
  status: string;
  category?: string;
  parameterFormat: ParameterFormat;
  header?: { format: string; text?: string };
  /** Body text with its placeholders, e.g. "Hi {{1}}, your order {{2}} has shipped." */
  body: string;
  footer?: string;
  buttons: { index: number; type: string; text?: string; url?: string }[];
  parameters: TemplateParameters;
  /** Why a broadcast cannot use this template; absent when it can. */
  unsupported?: string[];
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Placeholder names in order of first appearance, without repeats. */
export function placeholders(text: string | undefined): string[] {
  if (!text) return [];
  const seen = new Set<string>();
  for (const match of text.matchAll(PLACEHOLDER)) seen.add(match[1]!);
  return [...seen];
}

const MEDIA_HEADERS: Record<string, HeaderParameterType> = {
  IMAGE: 'image',
  VIDEO: 'video',
  DOCUMENT: 'document',
};

/** Button types that never take a parameter at send time. */
const STATIC_BUTTONS = new Set(['PHONE_NUMBER', 'VOICE_CALL', 'FLOW']);

export function describeTemplate(definition: CloudApiTemplateDefinition): TemplateInfo {
  const named = definition.parameter_format?.toUpperCase() === 'NAMED';
  const parameterFormat: ParameterFormat = named ? 'named' : 'positional';
  const unsupported: string[] = [];
  const components = definition.components ?? [];
  const find = (type: string) => components.find((c) => c.type?.toUpperCase() === type);

  for (const component of components) {
    const type = component.type?.toUpperCase();
    if (!['HEADER', 'BODY', 'FOOTER', 'BUTTONS'].includes(type)) {
      unsupported.push(`it has a ${component.type} component`);
    }
  }

  const parameters: TemplateParameters = { body: [], buttons: [] };

  // Body.
  const bodyComponent = find('BODY');
  const bodyText = bodyComponent?.text ?? '';
  const bodyNames = placeholders(bodyText);
  const bodyExample = bodyComponent?.example as
    { body_text?: unknown; body_text_named_params?: unknown } | undefined;
  if (named) {
    const examples = namedExamples(bodyExample?.body_text_named_params);
    parameters.body = bodyNames.map((name) => withExample({ name }, examples.get(name)));
  } else {
    const numbers = numericPlaceholders(bodyNames, 'body', unsupported);
    const examples = firstRow(bodyExample?.body_text);
    parameters.body = numbers.map((position) => withExample({ position }, examples[position - 1]));
  }

  // Header.
  const headerComponent = find('HEADER');
  let header: TemplateInfo['header'];
  if (headerComponent) {
    const format = (headerComponent.format ?? 'TEXT').toUpperCase();
    header = {
      format,
      ...(headerComponent.text === undefined ? {} : { text: headerComponent.text }),
    };
    const headerExample = headerComponent.example as
      { header_text?: unknown; header_text_named_params?: unknown } | undefined;
    if (format === 'TEXT') {
      const names = placeholders(headerComponent.text);
      if (names.length > 1) unsupported.push('its TEXT header has more than one placeholder');
      const first = names[0];
      if (first !== undefined) {
        if (named) {
          parameters.header = withExample(
            { type: 'text' as const, name: first },
            namedExamples(headerExample?.header_text_named_params).get(first),
          );
        } else {
          numericPlaceholders([first], 'header', unsupported);
          parameters.header = withExample(
            { type: 'text' as const },
            stringAt(headerExample?.header_text, 0),
          );
        }
      }
    } else if (MEDIA_HEADERS[format]) {
      parameters.header = { type: MEDIA_HEADERS[format] };
    } else {
      unsupported.push(`its header is ${format}, which a CSV column cannot fill`);
    }
  }

  // Buttons.
  const buttons: TemplateInfo['buttons'] = [];
  (find('BUTTONS')?.buttons ?? []).forEach((button, index) => {
    const type = (button.type ?? '').toUpperCase();
    buttons.push({
      index,
      type,
      ...(button.text === undefined ? {} : { text: button.text }),
      ...(button.url === undefined ? {} : { url: button.url }),
    });
    if (type === 'URL') {
      if (placeholders(button.url).length > 0) {
        parameters.buttons.push(
          withExample(
            {
              index,
              subType: 'url',
              required: true,
              ...(button.url === undefined ? {} : { url: button.url }),
            },
            stringAt(button.example, 0),
          ),
        );
      }
    } else if (type === 'QUICK_REPLY') {
      parameters.buttons.push({ index, subType: 'quick_reply', required: false });
    } else if (type === 'COPY_CODE') {
      parameters.buttons.push(
        withExample(
          { index, subType: 'copy_code', required: true },
          typeof button.example === 'string' ? button.example : stringAt(button.example, 0),
        ),
      );
    } else if (!STATIC_BUTTONS.has(type)) {
      unsupported.push(`button ${index} is a ${type} button, which a CSV column cannot fill`);
    }
  });

  const footer = find('FOOTER')?.text;
  return {
    ...(definition.id === undefined ? {} : { id: definition.id }),
    name: definition.name,
    language: definition.language,
    status: definition.status,
    ...(definition.category === undefined ? {} : { category: definition.category }),
    parameterFormat,
    ...(header ? { header } : {}),
    body: bodyText,
    ...(footer === undefined ? {} : { footer }),
    buttons,
    parameters,
    ...(unsupported.length > 0 ? { unsupported } : {}),
  };
}

/** Positional templates use {{1}}, {{2}}, ...: sorted numbers; anything else is unsupported. */
function numericPlaceholders(names: string[], where: string, unsupported: string[]): number[] {
  const numbers: number[] = [];
  for (const name of names) {
    if (/^[1-9][0-9]*$/.test(name)) numbers.push(Number(name));
    else
      unsupported.push(
        `its ${where} placeholder {{${name}}} is not a number in a positional template`,
      );
  }
  return numbers.sort((a, b) => a - b);
}

function withExample<T extends object>(
  value: T,
  example: string | undefined,
): T & { example?: string } {
  return example === undefined ? value : { ...value, example };
}

function firstRow(value: unknown): (string | undefined)[] {
  if (!Array.isArray(value)) return [];
  const row: unknown = value[0];
  if (!Array.isArray(row)) return [];
  return row.map((cell) => (typeof cell === 'string' ? cell : undefined));
}

function stringAt(value: unknown, index: number): string | undefined {
  if (!Array.isArray(value)) return undefined;
  const item: unknown = value[index];
  return typeof item === 'string' ? item : undefined;
}

function namedExamples(value: unknown): Map<string, string> {
  const examples = new Map<string, string>();
  if (!Array.isArray(value)) return examples;
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { param_name: name, example } = item as { param_name?: unknown; example?: unknown };
    if (typeof name === 'string' && typeof example === 'string') examples.set(name, example);
  }
  return examples;
}

/** How a parameter is named in messages: `{{1}}`, `{{first_name}}`. */
export function placeholderLabel(parameter: { position?: number; name?: string }): string {
  return `{{${parameter.name ?? String(parameter.position ?? '?')}}}`;
}
