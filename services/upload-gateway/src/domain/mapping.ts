/**
 * Choosing the template of a broadcast and checking the CSV mapping against it, before any file is
 * uploaded: every parameter the template needs is mapped exactly once, nothing the template does
 * not have is mapped. Each problem names the template, the parameter and where in the request it
 * is, so an operator can fix it without guessing. Pure functions, no I/O.
 */
import type { CsvMapping } from '@wab/contracts';
import { placeholderLabel, type TemplateInfo } from './templates.js';

export type TemplateProblemCode =
  'unknown-template' | 'unknown-language' | 'template-not-approved' | 'unsupported-template';

export type MappingProblemCode =
  | 'missing-parameter'
  | 'unexpected-parameter'
  | 'duplicate-parameter'
  | 'parameter-format-mismatch'
  | 'parameter-type-mismatch';

export interface Problem<C extends string = string> {
  code: C;
  message: string;
  /** The template parameter concerned, e.g. `body {{2}}`, `header`, `button 0`. */
  parameter?: string;
  /** Where in the request, e.g. `mapping.body[2]`. */
  path?: string;
}

export type TemplateChoice =
  { ok: true; template: TemplateInfo } | { ok: false; problem: Problem<TemplateProblemCode> };

/** The APPROVED template `name` in `language`, or the reason there is none. */
export function chooseTemplate(
  templates: readonly TemplateInfo[],
  name: string,
  language: string,
): TemplateChoice {
  const sameName = templates.filter((t) => t.name === name);
  if (sameName.length === 0) {
    return {
      ok: false,
      problem: {
        code: 'unknown-template',
        message: `template "${name}" does not exist`,
        path: 'template.name',
      },
    };
  }
  const approvedLanguages = sameName
    .filter((t) => t.status === 'APPROVED')
    .map((t) => t.language)
    .sort();
  const exact = sameName.find((t) => t.language === language);
  if (!exact) {
    return {
      ok: false,
      problem: {
        code: 'unknown-language',
        message:
          `template "${name}" has no approved language "${language}"` +
          (approvedLanguages.length > 0
            ? ` (approved: ${approvedLanguages.join(', ')})`
            : ' (it has no approved language)'),
        path: 'template.language',
      },
    };
  }
  if (exact.status !== 'APPROVED') {
    return {
      ok: false,
      problem: {
        code: 'template-not-approved',
        message: `template "${name}" (${language}) is ${exact.status}: only APPROVED templates can be sent`,
        path: 'template',
      },
    };
  }
  if (exact.unsupported) {
    return {
      ok: false,
      problem: {
        code: 'unsupported-template',
        message: `template "${name}" (${language}) cannot be used for a broadcast: ${exact.unsupported.join('; ')}`,
        path: 'template',
      },
    };
  }
  return { ok: true, template: exact };
}

type Mapping = Pick<CsvMapping, 'body' | 'header' | 'buttons'>;

/** Every problem of `mapping` against `template`; empty when it fits. */
export function checkMapping(
  template: TemplateInfo,
  mapping: Mapping,
): Problem<MappingProblemCode>[] {
  const problems: Problem<MappingProblemCode>[] = [];
  const of = `of template "${template.name}" (${template.language})`;
  const named = template.parameterFormat === 'named';

  // Body.
  const expected = template.parameters.body;
  const expectedKeys = expected.map((p) => (named ? p.name! : String(p.position)));
  const mappedBy = new Map<string, number>();
  mapping.body.forEach((entry, index) => {
    const path = `mapping.body[${index}]`;
    if (entry.position !== undefined && entry.name !== undefined) {
      problems.push({
        code: 'parameter-format-mismatch',
        message: `${path} gives both "position" and "name": give ${named ? '"name"' : '"position"'} only`,
        path,
      });
      return;
    }
    if (named && entry.name === undefined) {
      problems.push({
        code: 'parameter-format-mismatch',
        message:
          `${path} gives ${entry.position === undefined ? 'no placeholder' : `position ${entry.position}`}, but template ` +
          `"${template.name}" (${template.language}) uses named parameters: give "name" (one of ${listOr(expectedKeys, '{{', '}}')})`,
        path,
      });
      return;
    }
    if (!named && entry.position === undefined) {
      problems.push({
        code: 'parameter-format-mismatch',
        message:
          `${path} gives ${entry.name === undefined ? 'no placeholder' : `name "${entry.name}"`}, but template ` +
          `"${template.name}" (${template.language}) uses positional parameters: give "position"`,
        path,
      });
      return;
    }
    const key = named ? entry.name! : String(entry.position);
    const label = placeholderLabel(entry);
    if (!expectedKeys.includes(key)) {
      problems.push({
        code: 'unexpected-parameter',
        message:
          `${path} maps body parameter ${label}, which template "${template.name}" (${template.language}) does not have ` +
          (expectedKeys.length === 0
            ? '(its body has no parameters)'
            : `(its body has ${expectedKeys.map((k) => `{{${k}}}`).join(', ')})`),
        parameter: `body ${label}`,
        path,
      });
      return;
    }
    const earlier = mappedBy.get(key);
    if (earlier !== undefined) {
      problems.push({
        code: 'duplicate-parameter',
        message: `${path} maps body parameter ${label} again (mapping.body[${earlier}] already maps it)`,
        parameter: `body ${label}`,
        path,
      });
      return;
    }
    mappedBy.set(key, index);
  });
  for (const parameter of expected) {
    const key = named ? parameter.name! : String(parameter.position);
    if (!mappedBy.has(key)) {
      const label = placeholderLabel(parameter);
      problems.push({
        code: 'missing-parameter',
        message: `mapping misses body parameter ${label} ${of}: add {"${named ? 'name' : 'position'}": ${named ? `"${key}"` : key}, "column": "<csv column>"} to mapping.body`,
        parameter: `body ${label}`,
        path: 'mapping.body',
      });
    }
  }

  // Header.
  const wantHeader = template.parameters.header;
  const header = mapping.header;
  if (wantHeader && !header) {
    const what =
      wantHeader.type === 'text'
        ? `the text placeholder {{${wantHeader.name ?? '1'}}} of "${template.header?.text ?? ''}"`
        : `the ${wantHeader.type} URL of the ${template.header?.format ?? ''} header`;
    problems.push({
      code: 'missing-parameter',
      message: `mapping misses the header parameter (${what}) ${of}: add mapping.header {"type": "${wantHeader.type}", ${wantHeader.name ? `"name": "${wantHeader.name}", ` : ''}"column": "<csv column>"}`,
      parameter: 'header',
      path: 'mapping.header',
    });
  } else if (!wantHeader && header) {
    problems.push({
      code: 'unexpected-parameter',
      message: `mapping.header is given, but template "${template.name}" (${template.language}) has no header parameter`,
      parameter: 'header',
      path: 'mapping.header',
    });
  } else if (wantHeader && header) {
    if (header.type !== wantHeader.type) {
      problems.push({
        code: 'parameter-type-mismatch',
        message: `mapping.header.type is "${header.type}", but the header ${of} is ${template.header?.format ?? wantHeader.type.toUpperCase()}: use "${wantHeader.type}"`,
        parameter: 'header',
        path: 'mapping.header.type',
      });
    } else if (named && wantHeader.name !== undefined && header.name !== wantHeader.name) {
      problems.push({
        code: header.name === undefined ? 'parameter-format-mismatch' : 'unexpected-parameter',
        message:
          header.name === undefined
            ? `mapping.header needs "name": "${wantHeader.name}" (template "${template.name}" (${template.language}) uses named parameters)`
            : `mapping.header names {{${header.name}}}, but the header ${of} has {{${wantHeader.name}}}`,
        parameter: 'header',
        path: 'mapping.header.name',
      });
    }
  }

  // Buttons.
  const wantButtons = new Map(template.parameters.buttons.map((b) => [b.index, b]));
  const mappedButtons = new Map<number, number>();
  (mapping.buttons ?? []).forEach((entry, index) => {
    const path = `mapping.buttons[${index}]`;
    const want = wantButtons.get(entry.index);
    if (!want) {
      const button = template.buttons.find((b) => b.index === entry.index);
      problems.push({
        code: 'unexpected-parameter',
        message: button
          ? `${path} maps button ${entry.index}, but that button of template "${template.name}" (${template.language}) takes no parameter (${button.type}${button.url ? ` ${button.url}` : ''})`
          : `${path} maps button ${entry.index}, which template "${template.name}" (${template.language}) does not have` +
            (template.buttons.length === 0
              ? ' (it has no buttons)'
              : ` (it has buttons 0-${template.buttons.length - 1})`),
        parameter: `button ${entry.index}`,
        path,
      });
      return;
    }
    if (entry.subType !== want.subType) {
      problems.push({
        code: 'parameter-type-mismatch',
        message: `${path} has subType "${entry.subType}", but button ${entry.index} ${of} is a ${want.subType} button: use "${want.subType}"`,
        parameter: `button ${entry.index}`,
        path: `${path}.subType`,
      });
      return;
    }
    const earlier = mappedButtons.get(entry.index);
    if (earlier !== undefined) {
      problems.push({
        code: 'duplicate-parameter',
        message: `${path} maps button ${entry.index} again (mapping.buttons[${earlier}] already maps it)`,
        parameter: `button ${entry.index}`,
        path,
      });
      return;
    }
    mappedButtons.set(entry.index, index);
  });
  for (const want of template.parameters.buttons) {
    if (!want.required || mappedButtons.has(want.index)) continue;
    const what =
      want.subType === 'url' ? `the URL suffix of ${want.url ?? 'its URL'}` : 'the coupon code';
    problems.push({
      code: 'missing-parameter',
      message: `mapping misses button ${want.index} (${what}) ${of}: add {"index": ${want.index}, "subType": "${want.subType}", "column": "<csv column>"} to mapping.buttons`,
      parameter: `button ${want.index}`,
      path: 'mapping.buttons',
    });
  }
  return problems;
}

function listOr(keys: string[], open: string, close: string): string {
  return keys.length === 0 ? 'none' : keys.map((k) => `${open}${k}${close}`).join(', ');
}
