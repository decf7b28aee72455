import { Parser } from 'htmlparser2';
import { signToken, verifyToken } from './signed-token.js';

export interface TrackingOptions {
  /** The send these links belong to (email_sends.id). */
  sendId: string;
  /** The collector's public origin, e.g. `https://hark.example.com` (no trailing slash needed). */
  baseUrl: string;
  /** The project's link secret (ProjectSettings.linkSecret). */
  secret: string;
}

export interface TrackedHtml {
  html: string;
  /** The original http(s) targets, by link index: store them with the send; only these can be redirected to. */
  links: string[];
}

/** What a click token says: which send, which of its recorded links. */
export interface ClickToken {
  sendId: string;
  index: number;
}

const TRACKABLE = /^https?:\/\//i;

/**
 * Rewrites every http(s) `<a href>` to a signed click URL `${baseUrl}/e/c/<token>` and adds an
 * open pixel `${baseUrl}/e/o/<token>.gif` before `</body>` (or at the end). The token says only
 * send and link index, so the redirect goes to the link stored for that send: a forged or edited
 * URL cannot make Hark an open redirect.
 *
 * Why htmlparser2 and not a regex: an email's HTML is written by people and tools (comments,
 * `<a>` inside conditional comments, single or no quotes, `href` after other attributes, `&amp;`
 * in URLs, `>` inside attribute values). A real tokenizer finds the tags a mail client will see,
 * decodes entities in the URL, and gives each tag's exact place in the source, so we replace only
 * those start tags and leave every other byte of the author's HTML as it was.
 *
 * @example addTracking('<a href="https://x.test/a">A</a>', { sendId, baseUrl: 'https://hark.test', secret })
 */
export function addTracking(html: string, options: TrackingOptions): TrackedHtml {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const links: string[] = [];
  const edits: Array<{ start: number; end: number; text: string }> = [];
  let bodyClose: number | null = null;

  const parser: Parser = new Parser(
    {
      onopentag(name, attribs, isImplied) {
        if (isImplied || name !== 'a') return;
        const href = (attribs.href ?? '').trim();
        if (!TRACKABLE.test(href) || href.startsWith(`${baseUrl}/e/`)) return;
        let index = links.indexOf(href);
        if (index < 0) index = links.push(href) - 1;
        const token = signToken(options.secret, 'email-click', { s: options.sendId, i: index });
        const rewritten = { ...attribs, href: `${baseUrl}/e/c/${token}` };
        const source = html.slice(parser.startIndex, parser.endIndex + 1);
        edits.push({ start: parser.startIndex, end: parser.endIndex + 1, text: startTag(name, rewritten, source.endsWith('/>')) });
      },
      onclosetag(name, isImplied) {
        if (name === 'body' && !isImplied && bodyClose === null) bodyClose = parser.startIndex;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);

  const pixel = `<img src="${baseUrl}/e/o/${signToken(options.secret, 'email-open', { s: options.sendId })}.gif" width="1" height="1" alt="" style="border:0;width:1px;height:1px">`;
  edits.push({ start: bodyClose ?? html.length, end: bodyClose ?? html.length, text: pixel });

  let out = '';
  let at = 0;
  for (const edit of edits.sort((a, b) => a.start - b.start)) {
    out += html.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return { html: out + html.slice(at), links };
}

/** The send and link index a click token carries, or null for anything we did not sign. */
export function readClickToken(secret: string, token: string): ClickToken | null {
  const body = verifyToken(secret, 'email-click', token);
  if (!body || typeof body.s !== 'string' || !Number.isInteger(body.i) || (body.i as number) < 0) return null;
  return { sendId: body.s, index: body.i as number };
}

/** The send an open-pixel token carries (without the `.gif`), or null for anything we did not sign. */
export function readOpenToken(secret: string, token: string): { sendId: string } | null {
  const body = verifyToken(secret, 'email-open', token);
  return body && typeof body.s === 'string' ? { sendId: body.s } : null;
}

function startTag(name: string, attribs: Record<string, string>, selfClosing: boolean): string {
  const attributes = Object.entries(attribs).map(([key, value]) => ` ${key}="${escapeAttribute(value)}"`);
  return `<${name}${attributes.join('')}${selfClosing ? ' /' : ''}>`;
}

const escapeAttribute = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
