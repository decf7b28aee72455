import { Hono } from 'hono';
import type { Clock } from '../clock.js';
import { runImport } from '../audiences/imports/index.js';
import { checkMapping, type ColumnMapping } from '../audiences/csv-import/index.js';
import { ApiError } from '../http/api-error.js';
import type { AuthVariables } from '../http/auth.js';
import { readUpload } from '../http/read-upload.js';
import type { FieldErrors } from '../messages/field-errors.js';
import type { Store } from '../store/store.js';

/** The largest CSV an import takes (issue 11); larger files are refused with 413. */
export const DEFAULT_IMPORT_MAX_BYTES = 50 * 1024 * 1024;

export interface ImportRouteDeps {
  store: Store;
  clock: Clock;
  maxBytes?: number;
  logError?: (error: unknown) => void;
}

const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel'];

function parseMapping(raw: unknown): ColumnMapping | undefined {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ApiError(400, 'invalid_fields', 'The import was not started; see fields.', { mapping: 'must be a JSON object' });
    }
  }
  const fields: FieldErrors = {};
  const mapping = checkMapping(value, fields);
  if (Object.keys(fields).length) throw new ApiError(400, 'invalid_fields', 'The import was not started; see fields.', fields);
  return mapping;
}

/** The CSV and its mapping from a multipart upload, a CSV body, or JSON `{ csv, mapping? }`. */
async function readImport(request: Request, maxBytes: number, query: Record<string, string>): Promise<{ csv: Buffer | string; mapping?: ColumnMapping }> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const body = await readUpload(request, maxBytes);
  if (type === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(body), { headers: { 'content-type': request.headers.get('content-type')! } }).formData();
    } catch {
      throw new ApiError(400, 'invalid_body', 'The multipart body could not be read.');
    }
    const file = form.get('file');
    if (!file || typeof file === 'string') {
      throw new ApiError(400, 'invalid_fields', 'The import was not started; see fields.', { file: 'is required: the CSV file, as a file field named "file"' });
    }
    return { csv: Buffer.from(await file.arrayBuffer()), mapping: parseMapping(form.get('mapping') ?? undefined) };
  }
  if (CSV_TYPES.includes(type)) return { csv: body, mapping: parseMapping(query.mapping) };
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ApiError(400, 'invalid_json', 'The body is not valid JSON.');
    }
    const { csv, mapping, ...rest } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    const fields: FieldErrors = {};
    if (typeof csv !== 'string' || csv.trim() === '') fields.csv = 'is required: the rows as CSV text, header line first';
    for (const key of Object.keys(rest)) fields[key] = 'is not a known field';
    if (Object.keys(fields).length) throw new ApiError(400, 'invalid_fields', 'The import was not started; see fields.', fields);
    return { csv: csv as string, mapping: parseMapping(mapping) };
  }
  throw new ApiError(415, 'unsupported_media_type', 'Send the CSV as multipart/form-data (field "file"), as text/csv, or as JSON { csv, mapping? }.');
}

/** CSV imports onto lists (DESIGN §8): `202 { id }`, then progress at `GET /imports/:id`. Behind the secret key. */
export function importRoutes(deps: ImportRouteDeps): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();
  const maxBytes = deps.maxBytes ?? DEFAULT_IMPORT_MAX_BYTES;

  routes.post('/lists/:id/import', async (c) => {
    const projectId = c.get('project').id;
    const list = await deps.store.lists.get(projectId, c.req.param('id'));
    if (!list) throw new ApiError(404, 'not_found', 'No list has this id.');
    const { csv, mapping } = await readImport(c.req.raw, maxBytes, c.req.query());
    const job = await deps.store.imports.create(projectId, list.id, deps.clock.now());
    // Runs after this answer, a chunk per turn of the event loop; runImport never rejects.
    void runImport(
      { imports: deps.store.imports, lists: deps.store.lists, clock: deps.clock, ...(deps.logError ? { logError: deps.logError } : {}) },
      { projectId, importId: job.id, listId: list.id, csv, ...(mapping ? { mapping } : {}) },
    );
    return c.json({ id: job.id, status: job.status }, 202);
  });

  routes.get('/imports/:id', async (c) => {
    const job = await deps.store.imports.get(c.get('project').id, c.req.param('id'));
    if (!job) throw new ApiError(404, 'not_found', 'No import has this id.');
    return c.json(job);
  });

  return routes;
}
