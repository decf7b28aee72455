/**
 * Message interactions travel as ordinary track events with these reserved names,
 * so they share the App's queue, retry and the collector's dedupe.
 */
export const MESSAGE_EVENTS = {
  shown: 'Message Shown',
  clicked: 'Message Clicked',
  dismissed: 'Message Dismissed',
  answered: 'Message Answered',
} as const;
export type MessageEventName = (typeof MESSAGE_EVENTS)[keyof typeof MESSAGE_EVENTS];
