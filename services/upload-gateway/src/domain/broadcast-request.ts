/**
 * The body of `POST /v1/broadcasts`, built from the contracts' field schemas (the mapping is exactly
 * the `broadcast.uploaded` CsvMapping), so the HTTP API, the event and the OpenAPI document cannot
 * drift apart. Unlike events (which allow unknown fields for compatible evolution), a request with
 * an unknown field is refused: a typo such as `defaultcountry` must not be silently ignored.
 */
import { CloneType, Kind, Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  CountryCode,
  CsvMapping,
  PhoneNumberId,
  TemplateLanguage,
  TemplateName,
  type TemplateRef,
} from '@wab/contracts';

/** Sets `additionalProperties: false` on every object schema, on a deep copy. */
function strict<T extends TSchema>(schema: T): T {
  const copy = CloneType(schema);
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string | symbol, unknown>;
    if (record[Kind] === 'Object') record.additionalProperties = false;
    for (const value of Object.values(record)) {
      if (Array.isArray(value)) value.forEach(visit);
      else visit(value);
    }
  };
  visit(copy);
  return copy;
}

export const CreateBroadcastRequest = strict(
  Type.Object(
    {
      name: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 200,
          description: 'A name for people (shown in lists and reports).',
          examples: ['June shipping notice'],
        }),
      ),
      template: Type.Object(
        { name: TemplateName, language: TemplateLanguage },
        { description: 'An APPROVED template of the sender, by name and language.' },
      ),
      phoneNumberId: PhoneNumberId,
      mapping: CsvMapping,
      defaultCountry: Type.Optional(CountryCode),
    },
    {
      description:
        'A new broadcast: the template, the sender and how CSV columns fill the template parameters. ' +
        'The CSV itself is uploaded next (pre-signed URL or PUT /v1/broadcasts/{id}/file).',
    },
  ),
);
export type CreateBroadcastRequest = Static<typeof CreateBroadcastRequest>;

const check = TypeCompiler.Compile(CreateBroadcastRequest);

export type ParsedRequest =
  { ok: true; request: CreateBroadcastRequest } | { ok: false; errors: string[] };

/** Validates a parsed JSON body; errors read `mapping.body[0].position: Expected integer`. */
export function parseCreateBroadcastRequest(body: unknown): ParsedRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: ['the body must be a JSON object'] };
  }
  const input = { ...(body as Record<string, unknown>) };
  // Country codes are upper case in the contract; accept `de` for `DE`.
  if (typeof input.defaultCountry === 'string')
    input.defaultCountry = input.defaultCountry.toUpperCase();
  if (check.Check(input)) return { ok: true, request: input };
  const errors: string[] = [];
  for (const error of check.Errors(input)) {
    const line = `${readablePath(error.path)}: ${error.message}`;
    if (!errors.includes(line)) errors.push(line);
    if (errors.length >= 20) break;
  }
  return { ok: false, errors };
}

/** `/mapping/body/0/column` → `mapping.body[0].column`. */
export function readablePath(pointer: string): string {
  if (pointer === '') return '(body)';
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(
      (path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part),
      '',
    );
}

/**
 * What the gateway keeps about a broadcast between creation and start (a small JSON object beside
 * the CSV in the object store; status-tracker keeps its state). Persisted: fields are only added.
 */
export interface BroadcastDraft {
  version: 1;
  id: string;
  tenantId: string;
  name?: string;
  phoneNumberId: string;
  template: TemplateRef;
  mapping: CsvMapping;
  defaultCountry?: string;
  object: { bucket: string; key: string };
  createdAt: string;
}

/**
 * Object keys of a broadcast, under the tenant's prefix: a key can only be reached through the
 * tenant that owns it. Persisted identifiers: changing them strands uploaded files.
 */
export function broadcastObjectKeys(
  tenantId: string,
  broadcastId: string,
): {
  csv: string;
  draft: string;
} {
  const base = `uploads/${tenantId}/${broadcastId}`;
  return { csv: `${base}.csv`, draft: `${base}.draft.json` };
}

/** Same rule as the contracts' BroadcastId: ids from URLs are checked before they reach a key or a URL. */
export const BROADCAST_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
