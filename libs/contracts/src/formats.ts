import { FormatRegistry } from '@sinclair/typebox';

/**
 * String formats used by the schemas. TypeBox's compiled validators reject any value whose format is
 * not registered, so every format a schema names must be registered here before validators compile.
 * The registry is process-global; registering is idempotent and never overrides another module's
 * definition of the same format.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// RFC 3339 date-time (the JSON Schema `date-time` format): offset required, fraction optional.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

function isUri(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

const FORMATS: Record<string, (value: string) => boolean> = {
  uuid: (value) => UUID.test(value),
  'date-time': (value) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)),
  uri: isUri,
};

export function registerFormats(): void {
  for (const [name, check] of Object.entries(FORMATS)) {
    if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, check);
  }
}
