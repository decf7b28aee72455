import { Hono } from 'hono';
import type { Clock } from '../clock.js';
import { ApiError } from '../http/api-error.js';
import { nodeIncoming, readJsonBody } from '../http/read-body.js';
import { emailAnonymousId, hashHookToken, hookWireEvents } from '../hooks/hook-events.js';
import { mapPayload } from '../hooks/hook-mapping.js';
import { normalizeEmail } from '../identity/email.js';
import { ingestEvents } from '../ingest/ingest-events.js';
import type { Store } from '../store/store.js';

/** A form tool's delivery is one JSON document; 64 KB holds any form and keeps the route cheap to abuse. */
export const HOOK_MAX_BYTES = 64 * 1024;

/**
 * `POST /hooks/:token`: a delivery from a form or landing-page tool, mapped by its source's
 * mapping into a `track` event (and an `identify` when traits are mapped) and stored through the
 * normal write path, so segments and automations see it like any event. Not behind a key: the
 * token in the path is the credential (stored hashed), as the tools that call it can set no header.
 */
export function inboundHookRoutes(deps: { store: Store; clock: Clock }): Hono {
  const routes = new Hono();
  routes.post('/hooks/:token', async (c) => {
    const receivedAt = deps.clock.now();
    const found = await deps.store.hookSources.findByTokenHash(hashHookToken(c.req.param('token')));
    if (!found) throw new ApiError(404, 'unknown_hook', 'No inbound webhook source has this token (deleted, or mistyped).');
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json' && !type.endsWith('+json')) {
      throw new ApiError(415, 'unsupported_media_type', `Send the payload as JSON (Content-Type: application/json); this was "${type || 'none'}".`);
    }
    const payload = await readJsonBody(c.req.raw, HOOK_MAX_BYTES, nodeIncoming(c.env));
    const result = mapPayload(found.source.mapping, payload);
    if (!result.ok) throw new ApiError(400, result.code, result.message, Object.fromEntries(result.paths.map((path) => [path, result.code === 'mapping_path_missing' ? 'is missing from the payload' : 'must be text or a number'])));
    const project = await deps.store.findProjectById(found.projectId);
    if (!project) throw new ApiError(404, 'unknown_hook', 'No inbound webhook source has this token.');

    const { mapped } = result;
    // Known only by email: reach the contact who holds it (by an id they already have), else a
    // stable id made from the email, so every delivery of that email lands on one contact.
    let anonymousId: string | null = null;
    if (!mapped.userId && !mapped.anonymousId && mapped.email) {
      const email = normalizeEmail(mapped.email);
      const holder = await deps.store.lookupPerson(project.id, { email });
      const known = holder?.identities.find((identity) => identity.type === 'anonymous')?.value;
      // An anonymous id first: a verified user's userId alone would need a userHash.
      anonymousId = known ?? (holder?.userId ? null : emailAnonymousId(email));
      if (!known && holder?.userId) mapped.userId = holder.userId;
    }
    const { track, events } = hookWireEvents(found.source, mapped, anonymousId, receivedAt);
    const answer = await ingestEvents(deps.store, { project, trusted: false }, events, { receivedAt, sentAt: null, context: null, userAgent: c.req.header('user-agent') ?? null });
    const rejected = answer.rejected[0];
    if (rejected) throw new ApiError(400, rejected.code, rejected.message);
    const duplicate = answer.accepted === 0 && answer.duplicates > 0;
    return c.json({ ok: true, messageId: track.messageId, event: mapped.event, duplicate, warnings: answer.warnings }, duplicate ? 200 : 202);
  });
  return routes;
}
