/**
 * Values that broken integrations send as ids. Merging on one of these would fold thousands of
 * unrelated visitors into a single person, so they are never treated as an identity.
 */
const PLACEHOLDERS = new Set([
  '',
  'null',
  'undefined',
  'nil',
  'none',
  'nan',
  '0',
  '-1',
  'anonymous',
  'anon',
  'guest',
  'unknown',
  'not_authenticated',
  'false',
  'true',
  '[object object]',
  'id',
  'user_id',
  'userid',
  'distinct_id',
  'email',
]);

/** True when `id` is missing or one of the well-known placeholder values. */
export function isPlaceholderId(id: string | null | undefined): boolean {
  if (id === null || id === undefined) return true;
  return PLACEHOLDERS.has(id.trim().toLowerCase());
}
