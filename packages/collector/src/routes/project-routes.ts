import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import { callerCan, type AuthVariables } from '../http/auth.js';
import { readJsonBody } from '../http/read-body.js';
import { collect, type FieldErrors } from '../messages/field-errors.js';
import type { Clock } from '../clock.js';
import type { Store } from '../store/store.js';
import type { Project } from '../store/types.js';

const MAX_GRACE_SECONDS = 30 * 24 * 3600;
const ADMIN_BODY_BYTES = 16 * 1024;

const origin = z.string().refine((value) => {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}, 'must be an origin such as https://app.example.com (scheme, host and port only)');

const settingsPatch = z
  .object({
    identityVerification: z.enum(['off', 'verify', 'enforce']).optional(),
    allowedOrigins: z.array(origin).max(100).optional(),
  })
  .strict();

const rotation = z
  .object({
    key: z.enum(['write', 'secret', 'verification']),
    graceSeconds: z.number().int().min(0).max(MAX_GRACE_SECONDS).default(0),
  })
  .strict();

/**
 * What the admin API shows of a project. The secret key is never echoed except right after it is
 * rotated; the verification secret (which can vouch for any user) only to admins and the secret key.
 */
function describe(project: Project, showSecrets = true) {
  return {
    id: project.id,
    name: project.name,
    writeKey: project.writeKey,
    identityVerification: project.settings.identityVerification,
    verificationSecret: showSecrets ? project.settings.verificationSecret : null,
    allowedOrigins: project.settings.allowedOrigins,
  };
}

/** Project settings and key rotation. Mounted behind the secret key. */
export function projectRoutes(deps: { store: Store; clock: Clock }): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();

  routes.get('/project', (c) => c.json(describe(c.get('project'), callerCan(c.get('caller'), 'secrets.read'))));

  routes.patch('/project', async (c) => {
    const patch = await readValid(c.req.raw, settingsPatch);
    const updated = await deps.store.updateProjectSettings(c.get('project').id, stripUndefined(patch));
    return c.json(describe(updated));
  });

  routes.post('/project/keys/rotate', async (c) => {
    const { key, graceSeconds } = await readValid(c.req.raw, rotation);
    const updated = await deps.store.rotateKey(c.get('project').id, key, graceSeconds * 1000);
    return c.json({
      ...describe(updated),
      ...(key === 'secret' ? { secretKey: updated.secretKey } : {}),
      rotated: key,
      previousKeyValidUntil: new Date(deps.clock.now() + graceSeconds * 1000).toISOString(),
    });
  });

  return routes;
}

/** The body, parsed (with the collector's body caps) and checked; one sentence per bad field otherwise. */
async function readValid<T extends z.ZodType>(request: Request, schema: T): Promise<z.output<T>> {
  const fields: FieldErrors = {};
  const value = collect(schema, await readJsonBody(request, ADMIN_BODY_BYTES), '', fields);
  if (value === undefined) throw new ApiError(400, 'invalid_fields', 'Some fields are not valid; see fields.', fields);
  return value;
}

const stripUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
