import type { CsvMapping, ParameterMapping, ResolvedParameters } from '@wab/contracts';

/**
 * Resolves and checks one recipient's template parameters against Meta's limits
 * (../shared/reference/whatsapp-cloud-api.md §1.2 and §5.4), so that a row Meta would refuse is
 * reported at split time with its row and column, not as a send failure later.
 */
export const PARAMETER_LIMITS = {
  /** BODY text is at most 1,024 characters, so no single body parameter can be longer. */
  body: 1024,
  /** HEADER text is at most 60 characters. */
  headerText: 60,
  /** Media header link (contract limit). */
  headerMedia: 2048,
  /** URL button: the dynamic suffix appended to the template URL. */
  url: 2000,
  /** Quick-reply payload (message.send-requested limit). */
  quickReply: 1000,
  /** COPY_CODE coupon code. */
  copyCode: 15,
} as const;

export type ParameterProblem = {
  ok: false;
  reason: 'missing-parameter' | 'parameter-too-long' | 'invalid-parameter';
  message: string;
  column: string;
};
export type ParametersResult = { ok: true; parameters: ResolvedParameters } | ParameterProblem;

export interface ParameterCheckOptions {
  /**
   * Refuse text parameters with newlines, tabs or more than four consecutive spaces, which the Cloud
   * API rejects in template parameters (error 132018). Default true.
   */
  strictWhitespace?: boolean;
}

/** Where a parameter goes, for messages: `body parameter {{2}}`, `header`, `button 0 (url)`. */
function bodyLabel(p: ParameterMapping['body'][number], index: number): string {
  return p.name ? `body parameter {{${p.name}}}` : `body parameter {{${p.position ?? index + 1}}}`;
}

const FORBIDDEN_WHITESPACE = /[\n\r\t]| {5,}/;

function characters(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

function check(
  value: string | undefined,
  column: string,
  label: string,
  limit: number,
  textRules: boolean,
  options: ParameterCheckOptions,
): ParameterProblem | string {
  const text = (value ?? '').trim();
  if (text.length === 0) {
    return {
      ok: false,
      reason: 'missing-parameter',
      column,
      message: `Column "${column}" is empty (${label})`,
    };
  }
  const length = characters(text);
  if (length > limit) {
    return {
      ok: false,
      reason: 'parameter-too-long',
      column,
      message: `Column "${column}" has ${length} characters; ${label} allows at most ${limit}`,
    };
  }
  if (textRules && (options.strictWhitespace ?? true) && FORBIDDEN_WHITESPACE.test(text)) {
    return {
      ok: false,
      reason: 'invalid-parameter',
      column,
      message: `Column "${column}" contains a newline, a tab or more than 4 consecutive spaces, which WhatsApp refuses in ${label}`,
    };
  }
  return text;
}

/** `lookup(column)` gives the row's value of a mapped column (undefined when the row has no such cell). */
export function resolveParameters(
  mapping: ParameterMapping,
  lookup: (column: string) => string | undefined,
  options: ParameterCheckOptions = {},
): ParametersResult {
  const parameters: ResolvedParameters = { body: [] };
  if (mapping.header) {
    const { type, column, name } = mapping.header;
    const media = type !== 'text';
    const result = check(
      lookup(column),
      column,
      `the ${type} header`,
      media ? PARAMETER_LIMITS.headerMedia : PARAMETER_LIMITS.headerText,
      !media,
      options,
    );
    if (typeof result !== 'string') return result;
    if (media && !isHttpsUrl(result)) {
      return {
        ok: false,
        reason: 'invalid-parameter',
        column,
        message: `Column "${column}" must be a public https URL of the ${type} header`,
      };
    }
    parameters.header = { type, value: result, ...(name ? { name } : {}) };
  }
  for (const [index, body] of mapping.body.entries()) {
    const result = check(
      lookup(body.column),
      body.column,
      bodyLabel(body, index),
      PARAMETER_LIMITS.body,
      true,
      options,
    );
    if (typeof result !== 'string') return result;
    parameters.body.push({
      text: result,
      ...(body.position !== undefined ? { position: body.position } : {}),
      ...(body.name ? { name: body.name } : {}),
    });
  }
  if (mapping.buttons && mapping.buttons.length > 0) {
    parameters.buttons = [];
    for (const button of mapping.buttons) {
      const limit =
        button.subType === 'url'
          ? PARAMETER_LIMITS.url
          : button.subType === 'quick_reply'
            ? PARAMETER_LIMITS.quickReply
            : PARAMETER_LIMITS.copyCode;
      const result = check(
        lookup(button.column),
        button.column,
        `button ${button.index} (${button.subType})`,
        limit,
        false,
        options,
      );
      if (typeof result !== 'string') return result;
      parameters.buttons.push({ index: button.index, subType: button.subType, value: result });
    }
  }
  return { ok: true, parameters };
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

/** Every column a mapping reads, with what it is for (messages name both). */
export function mappedColumns(mapping: CsvMapping): { column: string; role: string }[] {
  const columns = [{ column: mapping.phoneColumn, role: 'phone number' }];
  if (mapping.header)
    columns.push({ column: mapping.header.column, role: `${mapping.header.type} header` });
  for (const [index, body] of mapping.body.entries())
    columns.push({ column: body.column, role: bodyLabel(body, index) });
  for (const button of mapping.buttons ?? [])
    columns.push({ column: button.column, role: `button ${button.index} (${button.subType})` });
  return columns;
}

export type HeaderResult =
  | { ok: true; indexOf: ReadonlyMap<string, number>; phoneIndex: number }
  | { ok: false; missing: { column: string; role: string }[]; message: string };

/**
 * Maps the mapping's columns to positions in the header. Names compare after trimming; when no
 * header cell matches exactly, a case-insensitive match is accepted. The first of duplicate names wins.
 */
export function resolveHeader(header: readonly string[], mapping: CsvMapping): HeaderResult {
  const exact = new Map<string, number>();
  const folded = new Map<string, number>();
  header.forEach((cell, index) => {
    const name = cell.replace(/^\ufeff/, '').trim();
    if (!exact.has(name)) exact.set(name, index);
    if (!folded.has(name.toLowerCase())) folded.set(name.toLowerCase(), index);
  });
  const indexOf = new Map<string, number>();
  const missing: { column: string; role: string }[] = [];
  for (const { column, role } of mappedColumns(mapping)) {
    const key = column.trim();
    const index = exact.get(key) ?? folded.get(key.toLowerCase());
    if (index === undefined) {
      if (!missing.some((m) => m.column === column)) missing.push({ column, role });
    } else indexOf.set(column, index);
  }
  if (missing.length > 0) {
    const names = missing.map((m) => `"${m.column}" (${m.role})`).join(', ');
    const present = header
      .map((h) => `"${h.trim()}"`)
      .slice(0, 20)
      .join(', ');
    return {
      ok: false,
      missing,
      message: `The CSV header has no column ${names}; it has ${present}`.slice(0, 1000),
    };
  }
  return { ok: true, indexOf, phoneIndex: indexOf.get(mapping.phoneColumn) ?? 0 };
}
