import type { EmailLeaf, EventLeaf } from './rule-types.js';

/** The events the email tracking URLs record (email/tracking-actions.ts), by what a rule asks. */
export const EMAIL_EVENTS = { opened: 'Email Opened', clicked: 'Email Clicked' } as const;

/**
 * An email leaf is an event leaf over the tracking events, so it needs no facts of its own:
 * any email reads the daily event counts; one template reads occurrences with their
 * `templateId` property (the send's template, recorded on every open and click).
 */
export function emailLeafAsEvent(leaf: EmailLeaf): EventLeaf {
  return {
    type: 'event',
    event: EMAIL_EVENTS[leaf.op],
    ...(leaf.window ? { window: leaf.window } : {}),
    ...(leaf.template !== undefined ? { where: [{ property: 'templateId', op: 'equals' as const, value: leaf.template }] } : {}),
  };
}
