/**
 * Which way an event reached the contact, for the timeline's channel filter (docs/API.md):
 * `webhook` — stored from an inbound webhook (`context.hook`); `email` — `Email …` events (sent,
 * opened, clicked…); `message` — in-app message interactions (`Message …`); `automation` —
 * `Automation …` events and any event an automation step wrote (`context.automation`); `web`
 * — everything else: page views, identify and the site's or app's own track calls.
 */
export type Channel = 'web' | 'email' | 'message' | 'automation' | 'webhook';

export function channelOf(name: string | null, context: Record<string, unknown>): Channel {
  if (context.hook !== undefined) return 'webhook';
  if (context.automation !== undefined || name?.startsWith('Automation ')) return 'automation';
  if (name?.startsWith('Email ')) return 'email';
  if (name?.startsWith('Message ')) return 'message';
  return 'web';
}
