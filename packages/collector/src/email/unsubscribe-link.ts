import { signToken, verifyToken } from './signed-token.js';

export interface UnsubscribeLinkInput {
  /** The collector's public origin, e.g. `https://hark.example.com`. */
  baseUrl: string;
  /** The project's link secret (ProjectSettings.linkSecret). */
  secret: string;
  projectId: string;
  personId: string;
  /** The send the link is in, so the unsubscribe is recorded against it; null outside a send. */
  sendId: string | null;
}

/** Who an unsubscribe token is for. */
export interface UnsubscribeToken {
  projectId: string;
  personId: string;
  sendId: string | null;
}

/**
 * The one-click unsubscribe URL for a contact: `${baseUrl}/e/u/<token>`. A GET shows a page with
 * a button (link scanners that follow every URL in a mail must not unsubscribe anyone); a POST
 * (the button, or a mail client's RFC 8058 one-click) unsubscribes.
 *
 * @example unsubscribeUrl({ baseUrl: 'https://hark.test', secret, projectId, personId, sendId })
 */
export function unsubscribeUrl(input: UnsubscribeLinkInput): string {
  const token = signToken(input.secret, 'email-unsubscribe', { p: input.projectId, u: input.personId, s: input.sendId });
  return `${input.baseUrl.replace(/\/+$/, '')}/e/u/${token}`;
}

/**
 * The headers every non-transactional email carries (RFC 8058): mail clients show their own
 * unsubscribe button and POST `List-Unsubscribe=One-Click` to the URL.
 */
export function listUnsubscribeHeaders(url: string): { 'List-Unsubscribe': string; 'List-Unsubscribe-Post': string } {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/** The contact an unsubscribe token is for, or null for anything we did not sign. */
export function readUnsubscribeToken(secret: string, token: string): UnsubscribeToken | null {
  const body = verifyToken(secret, 'email-unsubscribe', token);
  if (!body || typeof body.p !== 'string' || typeof body.u !== 'string') return null;
  if (!(body.s === null || typeof body.s === 'string')) return null;
  return { projectId: body.p, personId: body.u, sendId: body.s };
}
