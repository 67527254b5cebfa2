import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse } from 'yaml';

/**
 * Validators built from Meta's own OpenAPI document (../shared/reference/meta-openapi, beside the
 * repository), so the tests check the simulator against Meta's shapes rather than our reading.
 */
const SPEC = fileURLToPath(new URL('../../../../shared/reference/meta-openapi/business-messaging-api_v23.0.yaml', import.meta.url));

let ajv: Ajv2020 | undefined;
let doc: Record<string, unknown> | undefined;

function load(): { ajv: Ajv2020; doc: Record<string, unknown> } {
  if (!ajv || !doc) {
    if (!existsSync(SPEC)) throw new Error(`Meta OpenAPI spec not found at ${SPEC}`);
    doc = parse(readFileSync(SPEC, 'utf8'), { uniqueKeys: false }) as Record<string, unknown>;
    ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ $id: 'meta', components: doc.components }, 'meta');
  }
  return { ajv, doc };
}

/** Validator for `#/components/schemas/<name>`. */
export function componentValidator(name: string): ValidateFunction {
  return load().ajv.compile({ $ref: `meta#/components/schemas/${name}` });
}

/** Validator for the JSON schema of a path's response (inline schemas may $ref components). */
export function responseValidator(path: string, method: string, status: string): ValidateFunction {
  const { ajv, doc } = load();
  const paths = doc.paths as Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: unknown }> }> }>>;
  const schema = paths[path]?.[method]?.responses[status]?.content['application/json']?.schema;
  if (!schema) throw new Error(`no schema for ${method} ${path} ${status}`);
  return ajv.compile(rewriteRefs(schema) as object);
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `meta${v}` : rewriteRefs(v)]),
    );
  }
  return value;
}

/** Asserts `value` is valid, with ajv's errors in the failure message. */
export function expectValid(validate: ValidateFunction, value: unknown): void {
  if (!validate(value)) {
    throw new Error(`not valid against Meta's schema: ${JSON.stringify(validate.errors, null, 1)}\nvalue: ${JSON.stringify(value)}`);
  }
}

/** A named example of the /whatsapp/webhooks request body in Meta's spec. */
export function webhookExample(name: string): unknown {
  const paths = load().doc.paths as Record<string, { post: { requestBody: { content: Record<string, { examples: Record<string, { value: unknown }> }> } } }>;
  const example = paths['/whatsapp/webhooks']?.post.requestBody.content['application/json']?.examples[name]?.value;
  if (example === undefined) throw new Error(`no webhook example "${name}"`);
  return example;
}

/**
 * Asserts `actual` has exactly the keys of Meta's example, recursively, with the same JSON types
 * (values may differ). Used for inbound payloads, whose component schemas in the v23 document are
 * broken by a name collision (IncomingMessage maps `text` to the outgoing TextMessage schema).
 */
export function expectSameShape(actual: unknown, example: unknown, path = '$'): void {
  const kind = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  if (kind(actual) !== kind(example)) throw new Error(`${path}: ${kind(actual)} where Meta's example has ${kind(example)}`);
  if (Array.isArray(example) && Array.isArray(actual)) {
    if (example.length > 0) actual.forEach((item, i) => expectSameShape(item, example[0], `${path}[${i}]`));
    return;
  }
  if (kind(example) === 'object') {
    const a = actual as Record<string, unknown>;
    const e = example as Record<string, unknown>;
    const keys = (o: Record<string, unknown>): string => Object.keys(o).sort().join(',');
    if (keys(a) !== keys(e)) throw new Error(`${path}: keys [${keys(a)}] where Meta's example has [${keys(e)}]`);
    for (const key of Object.keys(e)) expectSameShape(a[key], e[key], `${path}.${key}`);
  }
}
