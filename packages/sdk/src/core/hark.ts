import { LIMITS, type EventType, type WireEvent } from '@hark/protocol';
import { allowed, choose } from './consent.js';
import { createContext, pageInfo } from './context.js';
import { createEmitter } from './emitter.js';
import { createEventQueue } from './event-queue.js';
import { anonymousId, forgetIds, setUserId, userId } from './identity.js';
import { guard } from './listen.js';
import { startMessages } from './messages.js';
import { trackPages } from './page-tracking.js';
import { createTransport } from './transport.js';
import type { Hark, HarkOptions, Properties, Result } from './types.js';
import { uuid } from './uuid.js';

/** A tuple rather than an object, so no property name survives minification (DESIGN §7). */
export type Instance = [
  app: Hark,
  /** Runs one call given as `[method, ...args]`, dated `at` (ms) when the stub recorded it earlier. */
  run: (args: ArrayLike<unknown>, at?: number) => unknown,
  /**
   * Records the first page view, starts page tracking and the messages seam, and sends what
   * earlier pages left unsent.
   */
  start: () => void,
];

const need = (condition: unknown, message = 'invalid arguments') => {
  if (!condition) throw Error(message);
};
const fail = (error: string): Result => ({ ok: false, error });
const id = (value: unknown): string => {
  need((typeof value == 'string' && value) || (typeof value == 'number' && isFinite(value)));
  return '' + value;
};
const props = (value: unknown): Properties => {
  need(value == null || (typeof value == 'object' && !Array.isArray(value)));
  return value as Properties;
};

/**
 * The App: identity, consent, queue and transport wired together behind the public calls. Every
 * public call is wrapped so that nothing thrown inside reaches the host page; it comes back as
 * `{ ok: false, error }` and is logged in debug mode.
 */
export function createInstance(initial?: HarkOptions): Instance {
  const options: HarkOptions = { apiHost: '', ...initial };
  const log = (...args: unknown[]) => options.debug && console.log('[hark]', ...args);
  const [on, emit] = createEmitter(log);
  const queue = createEventQueue();
  const [schedule, flush] = createTransport(queue, options, log);
  const [, add, , clear] = queue;
  // When a replayed call was made, so calls queued before hark.js loaded keep their own time.
  let calledAt: number | undefined;
  // The signed `hk_chain` of the link this page was landed on (an email's), sent with the events
  // of this page view and dropped at the next navigation; the collector verifies it.
  let chain: { chainToken: string } | undefined;

  const record = (type: EventType, fields: Partial<WireEvent>, parentId?: unknown) => {
    need(allowed(options), 'opted out');
    // JSON drops the fields left undefined, such as userId before identify.
    const json = JSON.stringify({
      type,
      messageId: uuid(),
      anonymousId: anonymousId(options),
      userId: userId(),
      timestamp: new Date(calledAt ?? Date.now()).toISOString(),
      context: createContext(parentId ? { ...chain, parentId } : chain),
      ...fields,
    });
    need(json.length < LIMITS.maxEventBytes, 'too large');
    // Parsed back so the queued event is plain data that the host can no longer change.
    const event = JSON.parse(json) as WireEvent;
    add(event);
    schedule();
    emit('event', event);
  };

  const methods: Record<Exclude<keyof Hark, 'on'>, Function> = {
    // Block bodies: the wrapper below drops what a method returns, and terser would keep a `return`.
    init: (changes: HarkOptions) => {
      Object.assign(options, props(changes));
    },
    identify: (user: unknown, traits?: Properties, extra?: { userHash?: string }) => {
      record('identify', { userId: (user = id(user)), traits: props(traits), userHash: props(extra)?.userHash as string });
      // Kept only once recorded, so an opted-out visitor's id is never stored.
      setUserId(user as string);
    },
    track: (event: string, properties?: Properties, extra?: { parentId?: string }) => {
      need(typeof event == 'string' && event);
      record('track', { event, properties: props(properties) }, extra?.parentId);
    },
    page: (name?: string, properties?: Properties) => {
      need(name == null || typeof name == 'string');
      record('page', { name, properties: { ...pageInfo(), ...props(properties) } });
    },
    group: (groupId: unknown, traits?: Properties) => {
      record('group', { groupId: id(groupId), traits: props(traits) });
    },
    // The new anonymous id is stored at once, so a server render or another script reading the
    // cookie sees it before the next event; an opted-out visitor gets none.
    reset: () => {
      forgetIds(options);
      allowed(options) && anonymousId(options);
    },
    optOut: () => {
      choose('out');
      clear();
      forgetIds(options);
    },
    optIn: () => {
      choose('in');
    },
    debug: (on?: boolean) => {
      options.debug = on !== false;
    },
  };

  // No prototype: hark('toString') is an unknown call, not Object.prototype's.
  const hark = Object.create(null) as Record<string, Function>;
  for (const [name, method] of Object.entries(methods)) {
    hark[name] = (...args: unknown[]) => {
      try {
        method(...args);
        return { ok: true };
      } catch (error) {
        log(name, error);
        return fail(name + ': ' + (error as Error)?.message);
      }
    };
  }
  hark.on = on;

  return [
    hark as unknown as Hark,
    (args, at) => {
      calledAt = at;
      try {
        const [name, ...rest] = Array.from(args);
        return hark[name as string]!(...rest);
      } catch {
        return fail('unknown call');
      } finally {
        calledAt = undefined;
      }
    },
    guard(() => {
      // Out of the address bar before anything reads it: not bookmarked, shared or sent in page URLs.
      const url = new URL(location.href);
      const token = url.searchParams.get('hk_chain');
      if (token) {
        chain = { chainToken: token };
        url.searchParams.delete('hk_chain');
        history.replaceState(history.state, '', url);
      }
      if (options.autoPage !== false) {
        hark.page!();
        // The argument clears the token for the new page, and is page()'s name: undefined.
        trackPages(() => hark.page!((chain = undefined)), options);
      }
      flush();
      startMessages(options, hark as unknown as Hark, emit, log);
    }, log),
  ];
}
