import { ApiError } from '../http/api-error.js';
import type { PageQuery } from '../store/types.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

/** `limit` (1–200, default 50) and the opaque `cursor` every list endpoint takes. */
export function readPageQuery(query: Record<string, string>): PageQuery {
  let limit = DEFAULT_LIMIT;
  if (query.limit !== undefined) {
    limit = Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new ApiError(400, 'invalid_query', `limit must be a whole number from 1 to ${MAX_LIMIT}.`);
    }
  }
  return { limit, cursor: query.cursor || null };
}
