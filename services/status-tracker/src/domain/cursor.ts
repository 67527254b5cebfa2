/**
 * Opaque keyset cursors for paged listings. Keyset (not offset) paging stays fast on page 500 of a
 * million rows and is stable while rows change state; the cursor is the sort key of the last item.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Undefined for anything that is not a cursor we issued with `arity` parts. */
export function decodeCursor(cursor: string, arity: number): (string | number)[] | undefined {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((part) => typeof part === 'string' || typeof part === 'number')
    ) {
      return key;
    }
  } catch {
    // fall through
  }
  return undefined;
}
