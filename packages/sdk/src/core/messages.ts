import type { MessagesResponse, WireEvent } from '@hark/protocol';
import type { Emitter } from './emitter.js';
import { guard } from './listen.js';
import { allowed } from './consent.js';
import { anonymousId, userId } from './identity.js';
import type { Hark, HarkOptions, UiBridge } from './types.js';

/**
 * In-app messages, the core's half (DESIGN §2, docs/MESSAGES.md): ask the collector what this
 * visitor may see, and load hark-ui.js only when something is due.
 *
 * It asks when the App starts, after each page view (so on SPA navigation), identify and group,
 * and after a `track` whose name a live message is triggered by (every answer lists those names
 * as `triggerEvents`), then with `event=` so that only those messages come back. An
 * event-triggered message in any other answer waits for its event, so it is not handed over.
 *
 * Every later answer is handed over as it came: the UI remembers which deliveries it took on this
 * page (their Message Shown may still sit in the queue when the collector names them again), so
 * the core keeps no list of its own.
 *
 * Arguments are positional rather than one object: hark.js is measured in bytes (DESIGN §7).
 */
export function startMessages(
  options: HarkOptions,
  hark: Hark,
  emit: Emitter[1],
  log: (...args: unknown[]) => void,
): void {
  let triggers: string[] = [];
  let userHash: string | undefined;
  // The script tag that loads hark-ui.js, once something is due; it is also the UI's bridge.
  let script: (HTMLScriptElement & UiBridge) | undefined;

  // Guarded: it runs from a timer, and fetch may be missing or throw at once.
  const ask = guard((event?: WireEvent | false) =>
    allowed(options) &&
    fetch(
      options.apiHost +
        '/v1/messages?' +
        new URLSearchParams(
          // JSON drops what is undefined, so absent ids are not sent as "undefined".
          JSON.parse(
            JSON.stringify({
              writeKey: options.writeKey,
              anonymousId: anonymousId(options),
              userId: userId(),
              userHash,
              url: location.href,
              // `false?.event` is undefined, like an absent event.
              event: (event as WireEvent)?.event,
            }),
          ),
        ),
    )
      .then((response) => response.json())
      .then(({ messages, triggerEvents }: MessagesResponse) => {
        triggers = triggerEvents;
        // Messages that all wait for an event this poll did not follow: nothing can show, load nothing.
        if (messages.some((message) => event || message.trigger.type != 'event')) {
          if (!script) {
            document.head.append(
              (script = Object.assign(document.createElement('script'), {
                src: options.apiHost + '/hark-ui.js',
                nonce: options.nonce || '',
                q: [],
                t: hark.track,
                e: emit,
              })),
            );
          }
          script.q.push([messages, event]);
        }
      })
      .catch(log),
  );

  hark.on('event', (event: WireEvent) => {
    if (event.type == 'identify') userHash = event.userHash;
    // Once the call that recorded it has finished: identify stores the new user id only then.
    if (event.type != 'track' || triggers.includes(event.event!)) setTimeout(ask, 0, event.type == 'track' && event);
  });
  ask();
}
