/**
 * Opaque page cursors: the sort key of the last row seen, as base64url JSON. Clients must not
 * build them; a cursor that does not decode is a 400, not an empty page.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, shape: readonly ('string' | 'number')[]): (string | number)[] | null {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(key) || key.length !== shape.length) return null;
    return key.every((part, i) => typeof part === shape[i]) ? (key as (string | number)[]) : null;
  } catch {
    return null;
  }
}

export class InvalidCursorError extends Error {
  constructor() {
    super('The cursor is not one this endpoint gave out.');
  }
}

/**
 * A page from rows fetched with `LIMIT limit + 1`: the extra row only says there is more, and the
 * last row kept gives the cursor for the next page.
 */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, keyOf: (row: R) => (string | number)[]): { items: T[]; nextCursor: string | null } {
  const kept = rows.slice(0, limit);
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}

/**
 * The sort key a page cursor carries, or nulls for the first page. A cursor this endpoint did
 * not give out throws InvalidCursorError (a 400).
 */
export function cursorKey<const S extends readonly ('string' | 'number')[]>(cursor: string | null, shape: S): { [K in keyof S]: (S[K] extends 'number' ? number : string) | null } {
  type Key = { [K in keyof S]: (S[K] extends 'number' ? number : string) | null };
  if (!cursor) return shape.map(() => null) as unknown as Key;
  const key = decodeCursor(cursor, shape);
  if (!key) throw new InvalidCursorError();
  return key as unknown as Key;
}
