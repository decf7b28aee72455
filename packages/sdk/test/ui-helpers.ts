import type { EligibleMessage, MessageEventProperties, WireEvent } from '@hark/protocol';
import { afterEach } from 'vitest';
import type { UiAnswer, UiBridge } from '../src/core/types.js';
import { startUi } from '../src/ui/start-ui.js';
import { elapse } from './helpers.js';

export type Act = { how: string; name: string; properties: MessageEventProperties };

/**
 * The UI started as the core starts it, on a bridge that records what the UI reports instead of
 * tracking it. `answers` wait in the bridge's queue, as poll answers do before hark-ui.js loads.
 */
export async function showUi(answers: UiAnswer[] = [], nonce?: string) {
  const acts: Act[] = [];
  // The UI tracks each interaction, then emits it: the two calls make one act.
  let tracked = '';
  const bridge: UiBridge = {
    q: [...answers],
    t: (name) => ((tracked = name), { ok: true }),
    e: (name, properties) => acts.push({ how: name.replace('message:', ''), name: tracked, properties }),
  };
  startUi(bridge, nonce);
  await elapse(0);
  const host = document.querySelector('hark-messages') as HTMLElement;
  const root = host.shadowRoot!;
  return {
    acts,
    host,
    root,
    /** Hands the UI one more poll answer, as the core does. */
    receive: async (messages: EligibleMessage[], event?: Partial<WireEvent>) => {
      bridge.q.push([messages, event as WireEvent | undefined]);
      await elapse(0);
    },
    /** The message frames on screen. */
    frames: () => Array.from(root.querySelectorAll<HTMLElement>('.hark-frame')),
    /** The interactions reported, as `how:deliveryId`. */
    reported: () => acts.map((act) => `${act.how}:${act.properties.deliveryId}`),
  };
}

afterEach(() => {
  for (const host of document.querySelectorAll('hark-messages')) host.remove();
});

export const key = (target: EventTarget, key: string, init: KeyboardEventInit = {}) =>
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true, ...init }));

export function type(input: HTMLInputElement | HTMLTextAreaElement, text: string) {
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

export const click = (element: Element | null | undefined) => {
  if (!element) throw new Error('nothing to click');
  (element as HTMLElement).click();
};
