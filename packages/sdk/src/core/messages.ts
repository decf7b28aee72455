import type { HarkCore } from './types.js';

/**
 * The seam for in-app messages (DESIGN §2; a later issue fills it in). `start()` calls it once
 * the first page view is recorded. It will ask the collector which messages this visitor may see
 * now (`GET /v1/messages?anonymousId=…&userId=…&url=…`, again on each `event` the core emits),
 * load hark-ui.js only when one is due, report interactions with `core.hark.track` and
 * `MESSAGE_EVENTS`, and tell the page with `core.emit('message:shown', …)`. Empty until then, it
 * costs nothing in hark.js: the minifier drops the call.
 */
export function startMessages(core: HarkCore): void {
  void core;
}
