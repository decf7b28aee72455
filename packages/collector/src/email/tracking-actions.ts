import { signChainToken } from '../chain/chain-token.js';
import type { Clock } from '../clock.js';
import { validEmail } from '../identity/email.js';
import type { Store } from '../store/store.js';
import { recordEmailEvent } from './record-email-event.js';
import type { EmailSendFacts } from './send-lookup.js';
import { peekToken } from './signed-token.js';
import { readClickToken, readOpenToken } from './track-links.js';
import { readUnsubscribeToken, type UnsubscribeToken } from './unsubscribe-link.js';

const MINUTE_MS = 60_000;

interface Deps {
  store: Store;
  clock: Clock;
}

/** A send and its project's link secret, found from a token that names the send; the token is not trusted yet. */
async function sendOf(deps: Deps, token: string): Promise<{ sendId: string; send: EmailSendFacts; secret: string } | null> {
  const sendId = peekToken(token)?.s;
  if (typeof sendId !== 'string') return null;
  const send = await deps.store.emailSends.findSend(sendId);
  if (!send) return null;
  const project = await deps.store.findProjectById(send.projectId);
  if (!project?.settings.linkSecret) return null;
  return { sendId, send, secret: project.settings.linkSecret };
}

/**
 * An open pixel was loaded: records `Email Opened` on the send's person, chained to its
 * `Email Sent`, at most once per send and minute (mail clients and proxies load a pixel several
 * times; the messageId is derived from the minute, so a repeat is a duplicate). False for a
 * token we did not sign or a send we do not know.
 */
export async function recordOpen(deps: Deps, token: string): Promise<boolean> {
  const found = await sendOf(deps, token);
  if (!found || readOpenToken(found.secret, token)?.sendId !== found.sendId) return false;
  const { send, sendId } = found;
  if (send.personId) {
    const at = deps.clock.now();
    await recordEmailEvent(deps.store, send.projectId, send.personId, {
      messageId: `email-open:${sendId}:${Math.floor(at / MINUTE_MS)}`,
      name: 'Email Opened',
      properties: { sendId, ...(send.templateId ? { templateId: send.templateId } : {}) },
      sentEventId: send.sentEventId,
      rootId: send.rootId,
      at,
    });
  }
  return true;
}

/**
 * A tracked link was clicked: the landing URL is the link recorded for that send at that index
 * (never anything the URL says), with `hk_chain` so the App chains the visit to the click. Records
 * `Email Clicked` with the url, once per send, link and minute. Null for anything else.
 */
export async function followClick(deps: Deps, token: string): Promise<string | null> {
  const found = await sendOf(deps, token);
  if (!found) return null;
  const click = readClickToken(found.secret, token);
  if (!click || click.sendId !== found.sendId) return null;
  const { send, sendId, secret } = found;
  const link = send.links[click.index];
  if (link === undefined) return null;
  let landing: URL;
  try {
    landing = new URL(link);
  } catch {
    return null;
  }
  if (landing.protocol !== 'http:' && landing.protocol !== 'https:') return null;
  const at = deps.clock.now();
  const clickId = `email-click:${sendId}:${click.index}:${Math.floor(at / MINUTE_MS)}`;
  if (send.personId) {
    await recordEmailEvent(deps.store, send.projectId, send.personId, {
      messageId: clickId,
      name: 'Email Clicked',
      properties: { sendId, ...(send.templateId ? { templateId: send.templateId } : {}), url: link, linkIndex: click.index },
      sentEventId: send.sentEventId,
      rootId: send.rootId,
      at,
    });
  }
  landing.searchParams.set('hk_chain', signChainToken(secret, { rootId: send.rootId ?? send.sentEventId ?? clickId, parentId: clickId, personId: send.personId }));
  return landing.toString();
}

/** Who an unsubscribe URL is for, once its token checks out; null for anything we did not sign. */
export async function readUnsubscribe(deps: Deps, token: string): Promise<UnsubscribeToken | null> {
  const projectId = peekToken(token)?.p;
  if (typeof projectId !== 'string') return null;
  const project = await deps.store.findProjectById(projectId);
  if (!project?.settings.linkSecret) return null;
  const who = readUnsubscribeToken(project.settings.linkSecret, token);
  return who && who.projectId === project.id ? who : null;
}

/**
 * Unsubscribes (RFC 8058 one-click, or the page's button): the address the mail went to (else
 * the contact's) joins the suppression list, or their user id when they have no address, and
 * `Email Unsubscribed` is recorded once per send. Repeating it changes nothing.
 */
export async function unsubscribe(deps: Deps, who: UnsubscribeToken): Promise<void> {
  const { store } = deps;
  const send = who.sendId ? await store.emailSends.findSend(who.sendId) : null;
  const person = await store.getPerson(who.projectId, who.personId);
  const email = validEmail(send?.projectId === who.projectId ? send.toEmail : null) ?? validEmail(person?.email);
  const at = deps.clock.now();
  const entries = email ? [{ type: 'email' as const, value: email }] : person?.userId ? [{ type: 'userId' as const, value: person.userId }] : [];
  if (entries.length) await store.messages.addSuppressions(who.projectId, entries, at);
  await recordEmailEvent(store, who.projectId, who.personId, {
    messageId: `email-unsubscribe:${who.sendId ?? 'link'}:${who.personId}`,
    name: 'Email Unsubscribed',
    properties: { ...(who.sendId ? { sendId: who.sendId } : {}), ...(email ? { email } : {}) },
    sentEventId: send?.projectId === who.projectId ? send.sentEventId : null,
    rootId: send?.projectId === who.projectId ? send.rootId : null,
    at,
  });
}
