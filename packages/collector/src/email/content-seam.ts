import type { Store } from '../store/store.js';
import { previewContext } from './preview-context.js';
import { renderTemplate } from './render-template.js';
import { addTracking } from './track-links.js';
import { listUnsubscribeHeaders, unsubscribeUrl } from './unsubscribe-link.js';

/**
 * The content half of email (templates, tracking links, unsubscribe: render-template.ts,
 * track-links.ts, unsubscribe-link.ts) as the sending half calls it at accept time, so what a
 * send will say is fixed on its row before any job runs, the same on every retry.
 */
export interface EmailContent {
  /** Renders a stored template for the recipient. Null: no such template. */
  render(projectId: string, templateId: string, context: { personId: string | null; data: Record<string, unknown> }): Promise<{
    subject: string;
    text: string | null;
    html: string | null;
    warnings: string[];
    transactional: boolean;
  } | null>;
  /** Rewrites links to signed click URLs and adds the open pixel; `links` go on the send row. */
  track(projectId: string, html: string, sendId: string): Promise<{ html: string; links: string[] }>;
  /** List-Unsubscribe headers (RFC 8058) for a non-transactional send to a known contact. */
  unsubscribeHeaders(projectId: string, personId: string | null, sendId: string): Promise<Record<string, string>>;
}

/**
 * The content side over the store, for links on `baseUrl` (the collector's public origin: the
 * request's for the API, HARK_PUBLIC_URL for automations). Without a base URL (or the project's
 * link secret) mail goes out untracked and without unsubscribe headers rather than with links
 * that point nowhere.
 */
export function createEmailContent(store: Store, baseUrl: string | null): EmailContent {
  const secretOf = async (projectId: string) => (await store.findProjectById(projectId))?.settings.linkSecret ?? null;
  return {
    async render(projectId, templateId, { personId, data }) {
      const template = await store.emailTemplates.get(projectId, templateId);
      if (!template) return null;
      const context = await previewContext(store, projectId, { ...(personId ? { personId } : {}), data });
      const rendered = renderTemplate(template, context);
      return {
        subject: rendered.subject,
        text: rendered.text === '' ? null : rendered.text,
        html: rendered.html === '' ? null : rendered.html,
        warnings: rendered.warnings,
        transactional: template.kind === 'transactional',
      };
    },
    async track(projectId, html, sendId) {
      const secret = await secretOf(projectId);
      if (!baseUrl || !secret) return { html, links: [] };
      return addTracking(html, { sendId, baseUrl, secret });
    },
    async unsubscribeHeaders(projectId, personId, sendId) {
      const secret = await secretOf(projectId);
      if (!baseUrl || !secret || !personId) return {};
      return listUnsubscribeHeaders(unsubscribeUrl({ baseUrl, secret, projectId, personId, sendId }));
    },
  };
}
