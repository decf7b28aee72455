import type { WireEvent } from '@hark/protocol';
import { drop, read as load, write as save } from './storage.js';

export const QUEUE_KEY = 'hark_queue';
/** Most unsent events kept; past it the oldest are dropped. */
export const MAX_QUEUE = 200;

/**
 * A tuple rather than an object, so no property name survives minification (DESIGN §7).
 * `pending` is this page's waiting events, oldest first, changed in place (never replaced), so
 * the transport reads it directly; they stay until acknowledged.
 */
export type EventQueue = [
  pending: readonly WireEvent[],
  add: (event: WireEvent) => void,
  /** The collector has them: forget them here and in storage. */
  ack: (events: WireEvent[]) => void,
  clear: () => void,
];

/**
 * Unsent events, in memory for this page and in localStorage until the collector acknowledges
 * them, so a reload, a crash or a closed tab loses nothing: the next page sends them. Storage is
 * read, changed and written back on every change, so two tabs do not overwrite each other's
 * events; an event both tabs send arrives twice and the collector keeps one (dedupe by messageId).
 */
export function createEventQueue(): EventQueue {
  const read = (): WireEvent[] => {
    try {
      const list = JSON.parse(load(QUEUE_KEY)!);
      return Array.isArray(list) ? list : [];
    } catch {
      return [];
    }
  };
  const write = (list: WireEvent[]) => save(QUEUE_KEY, JSON.stringify(list.slice(-MAX_QUEUE)));
  const pending = read();

  return [
    pending,
    (event) => {
      pending.push(event);
      pending.splice(0, pending.length - MAX_QUEUE);
      write([...read(), event]);
    },
    (events) => {
      const sent = events.map((event) => event.messageId);
      const unsent = (event: WireEvent) => !sent.includes(event.messageId);
      pending.splice(0, pending.length, ...pending.filter(unsent));
      write(read().filter(unsent));
    },
    () => {
      pending.length = 0;
      drop(QUEUE_KEY);
    },
  ];
}
