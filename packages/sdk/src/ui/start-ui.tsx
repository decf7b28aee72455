import { render } from 'preact';
import type { UiAnswer, UiBridge } from '../core/types.js';
import { createController, type Showing } from './controller.js';
import { Messages } from './messages.js';
import { mountHost } from './mount.js';

/**
 * Takes over from the core's bridge: mounts the UI (its empty live regions first), then takes
 * the answers that waited for it and every later one.
 */
export function startUi(bridge: UiBridge, nonce?: string): void {
  const container = mountHost(nonce);
  const view = (showing: Showing) => render(<Messages showing={showing} close={controller.close} />, container);
  // Recorded through the App's queue first, then told to the page's listeners.
  const controller = createController((how, name, properties) => {
    bridge.t(name, properties as {});
    bridge.e('message:' + how, properties);
  }, view);
  view(new Map());
  const waiting = bridge.q as UiAnswer[];
  bridge.q = { push: controller.receive };
  // A task later, so the live regions are in the page before the first message goes in.
  setTimeout(() => waiting.forEach((answer) => controller.receive(answer)));
}
