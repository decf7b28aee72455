import { createHmac, timingSafeEqual } from 'node:crypto';
import { LIMITS } from '@hark/protocol';

/**
 * Where an event sits in a chain (DESIGN §9): the event that started the chain, the event it
 * follows directly, and the person the link was made for (null when unknown, e.g. a link sent
 * to an address nobody identified yet). Ids are messageIds.
 */
export interface ChainLink {
  rootId: string;
  parentId: string;
  personId: string | null;
}

/**
 * A chain link a third party can carry but not forge: `base64url(JSON).base64url(HMAC-SHA256)`
 * with the project's link secret (ProjectSettings.linkSecret). Email links carry it as `hk_chain`;
 * the App hands it back as `context.hark.chainToken` and the collector verifies it on ingest.
 *
 * @example signChainToken(project.settings.linkSecret, { rootId: sent.messageId, parentId: sent.messageId, personId })
 */
export function signChainToken(secret: string, link: ChainLink): string {
  const payload = Buffer.from(JSON.stringify({ rootId: link.rootId, parentId: link.parentId, personId: link.personId })).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** The link a token carries, or null for anything not signed with `secret` (never throws: tokens come from URLs). */
export function verifyChainToken(secret: string, token: string): ChainLink | null {
  if (typeof token !== 'string' || typeof secret !== 'string' || secret === '' || token.length > MAX_TOKEN_CHARS) return null;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return null;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    return asLink(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    return null;
  }
}

// Three ids at the wire's id cap, base64url'd, plus the MAC: anything longer is not ours.
const MAX_TOKEN_CHARS = Math.ceil(((3 * LIMITS.maxIdLength + 64) * 4) / 3) + 44;

const mac = (secret: string, payload: string): Buffer => createHmac('sha256', secret).update(payload).digest();

const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= LIMITS.maxIdLength;

function asLink(value: unknown): ChainLink | null {
  if (typeof value !== 'object' || value === null) return null;
  const { rootId, parentId, personId } = value as Record<string, unknown>;
  if (!isId(rootId) || !isId(parentId) || !(personId === null || isId(personId))) return null;
  return { rootId, parentId, personId };
}
