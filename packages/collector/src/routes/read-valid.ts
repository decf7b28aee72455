import type { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import { readJsonBody } from '../http/read-body.js';
import { collect, type FieldErrors } from '../messages/field-errors.js';

const TEAM_BODY_BYTES = 16 * 1024;

/** The body, read with the collector's caps and checked by `schema`; `400 invalid_fields` keyed by field otherwise. */
export async function readValid<T extends z.ZodType>(request: Request, schema: T): Promise<z.output<T>> {
  const fields: FieldErrors = {};
  const value = collect(schema, await readJsonBody(request, TEAM_BODY_BYTES), '', fields);
  if (value === undefined) throw new ApiError(400, 'invalid_fields', 'Some fields are not valid; see fields.', fields);
  return value;
}
