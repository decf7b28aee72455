import type { WireEvent } from '@hark/protocol';
import type { SafeStorage } from './storage.js';

export const QUEUE_KEY = 'hark_queue';
/** Most unsent events kept; past it the oldest are dropped. */
export const MAX_QUEUE = 200;

export interface EventQueue {
  /** How many events this page has waiting. */
  readonly size: number;
  add(event: WireEvent): void;
  /** The oldest `count` events waiting; they stay queued until acknowledged. */
  peek(count: number): WireEvent[];
  /** The collector has them: forget them here and in storage. */
  ack(events: WireEvent[]): void;
  clear(): void;
}

/**
 * Unsent events, in memory for this page and in localStorage until the collector acknowledges
 * them, so a reload, a crash or a closed tab loses nothing: the next page sends them. Storage is
 * read, changed and written back on every change, so two tabs do not overwrite each other's
 * events; an event both tabs send arrives twice and the collector keeps one (dedupe by messageId).
 */
export function createEventQueue(storage: SafeStorage): EventQueue {
  const read = (): WireEvent[] => {
    try {
      const list = JSON.parse(storage.read(QUEUE_KEY)!);
      return Array.isArray(list) ? list : [];
    } catch {
      return [];
    }
  };
  const write = (list: WireEvent[]) => storage.write(QUEUE_KEY, JSON.stringify(list.slice(-MAX_QUEUE)));
  let pending = read();

  return {
    get size() {
      return pending.length;
    },
    add(event) {
      pending = [...pending, event].slice(-MAX_QUEUE);
      write([...read(), event]);
    },
    peek: (count) => pending.slice(0, count),
    ack(events) {
      const sent = events.map((event) => event.messageId);
      const unsent = (event: WireEvent) => !sent.includes(event.messageId);
      pending = pending.filter(unsent);
      write(read().filter(unsent));
    },
    clear() {
      pending = [];
      storage.drop(QUEUE_KEY);
    },
  };
}
