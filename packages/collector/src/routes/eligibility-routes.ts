import { LIMITS } from '@hark/protocol';
import { Hono } from 'hono';
import type { Clock } from '../clock.js';
import { ApiError } from '../http/api-error.js';
import { publicCors } from '../http/public-cors.js';
import { checkOrigin, projectForWriteKey, writeKeyFromRequest } from '../http/auth.js';
import { isPlaceholderId } from '../identity/placeholder-ids.js';
import { isVerifiedUser } from '../identity/user-hash.js';
import { eligibleMessages } from '../messages/eligibility.js';
import type { Store } from '../store/store.js';

const MAX_URL = 2048;

/**
 * `GET /v1/messages`: what this visitor may see now (DESIGN §3, §5). Public like ingest: the
 * write key comes as HTTP Basic user or `?writeKey=`, and any origin may ask, so the App's GET
 * needs no pre-flight (unless the project names its allowed origins). Nothing is written:
 * asking does not create a person or a delivery. A `userHash` proves the user id, as on
 * identify (DESIGN §4): without it a verified person is reached only through this device's
 * anonymous id, and a project that enforces verification refuses the user id.
 */
export function eligibilityRoutes(deps: { store: Store; clock: Clock }): Hono {
  const routes = new Hono();
  routes.use('/messages', publicCors({ allowMethods: ['GET', 'OPTIONS'], allowHeaders: ['Authorization'], maxAge: 86400 }));

  routes.get('/messages', async (c) => {
    const project = await projectForWriteKey(deps.store, writeKeyFromRequest(c));
    checkOrigin(project, c.req.header('origin'));
    const id = (name: 'userId' | 'anonymousId'): string | null => {
      const value = c.req.query(name);
      if (value !== undefined && value.length > LIMITS.maxIdLength) {
        throw new ApiError(400, 'invalid_query', `${name} must be at most ${LIMITS.maxIdLength} characters.`);
      }
      return isPlaceholderId(value) ? null : value!;
    };
    const userId = id('userId');
    const anonymousId = id('anonymousId');
    if (userId === null && anonymousId === null) {
      throw new ApiError(400, 'missing_id', 'Ask with the visitor\'s anonymousId, userId or both.');
    }
    const userVerified = userId !== null && isVerifiedUser(project, userId, c.req.query('userHash'));
    if (userId !== null && !userVerified && project.settings.identityVerification === 'enforce') {
      throw new ApiError(401, 'verification_required', 'This project requires userHash with userId: HMAC-SHA256(verification secret, userId), computed on your server.');
    }
    const url = c.req.query('url') || null;
    if (url !== null && url.length > MAX_URL) throw new ApiError(400, 'invalid_query', `url must be at most ${MAX_URL} characters.`);
    const event = c.req.query('event') || null;
    if (event !== null && event.length > LIMITS.maxNameLength) {
      throw new ApiError(400, 'invalid_query', `event must be at most ${LIMITS.maxNameLength} characters.`);
    }
    const debug = ['1', 'true'].includes(c.req.query('debug') ?? '');

    const answer = await eligibleMessages(deps.store.messages, project.id, { userId, anonymousId, userVerified, url, event, debug }, deps.clock.now(), {
      segments: deps.store.segments,
      suppressionRules: deps.store.suppressionRules,
      grants: (projectId, personId, messageIds) => deps.store.automations.messageGrants(projectId, personId, messageIds),
    });
    c.header('Cache-Control', 'no-store');
    return c.json(answer);
  });

  return routes;
}
