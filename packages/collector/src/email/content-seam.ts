/**
 * The content half of email (branch `email-content`: templates, tracking links, unsubscribe) as
 * the sending half calls it. Each hook is optional: until that branch is wired in, a send carries
 * its text/HTML as given, no tracking and no unsubscribe headers, and a templateId is refused.
 */
export interface EmailContent {
  /** Renders a stored template for a person (email/render-template.ts `renderTemplate`). Null: no such template. */
  render?(projectId: string, templateId: string, context: { personId: string | null; data: Record<string, unknown> }): Promise<{
    subject: string;
    text: string | null;
    html: string | null;
    warnings: string[];
  } | null>;
  /** Rewrites links and adds the open pixel (email/track-links.ts `addTracking`). */
  track?(projectId: string, html: string, sendId: string): Promise<string>;
  /** The one-click unsubscribe address for a non-transactional send (email/unsubscribe-link.ts `unsubscribeUrl`). */
  unsubscribeUrl?(projectId: string, personId: string | null, sendId: string): Promise<string | null>;
}

/** RFC 8058 one-click unsubscribe headers for a non-transactional send. */
export function unsubscribeHeaders(url: string | null): Record<string, string> {
  if (!url) return {};
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
