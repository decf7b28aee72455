/**
 * The minified dist/hark-ui.js itself, as the core loads it: some bugs exist only after
 * minification. The core's script tag is stood in for by `document.currentScript`.
 */
import type { MessageEventProperties } from '@hark/protocol';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { UiAnswer, UiBridge } from '../src/core/types.js';
import { eligible, elapse, readBuiltScript, useFreshPage } from './helpers.js';
import { key } from './ui-helpers.js';

useFreshPage();

let code: string;
beforeAll(() => {
  code = readBuiltScript('hark-ui.js');
});
afterEach(() => {
  for (const host of document.querySelectorAll('hark-messages')) host.remove();
});

function loadBuiltUi(bridge: Partial<UiBridge>) {
  const script = Object.assign(document.createElement('script'), bridge);
  vi.spyOn(document, 'currentScript', 'get').mockReturnValue(script);
  new Function(code)();
}

describe('the built hark-ui.js', () => {
  it('takes the answers waiting on its script tag\'s bridge, renders them, reports what the visitor does, and adds no global', async () => {
    const reported: [string, string, MessageEventProperties][] = [];
    const survey = eligible('rate', {
      kind: 'survey',
      appearance: { ...eligible('x').appearance, position: 'center' },
      content: { title: 'How was it?', body: '', lowLabel: 'Bad', highLabel: 'Great', followUp: '', followUpPlaceholder: '', submitLabel: 'Send' },
    } as never);
    let tracked = '';
    const bridge = {
      q: [[[eligible('hello'), survey], undefined]] as UiAnswer[],
      t: (name: string) => ((tracked = name), { ok: true as const }),
      e: (name: string, properties: MessageEventProperties) => reported.push([name.replace('message:', ''), tracked, properties]),
    };
    const globals = Object.keys(window);
    loadBuiltUi(bridge);
    await elapse(0);
    const root = document.querySelector('hark-messages')!.shadowRoot!;

    expect(Array.from(root.querySelectorAll('.hark-title'), (title) => title.textContent)).toEqual(['Title of hello', 'How was it?']);
    const radio = root.querySelector<HTMLButtonElement>('[role=radio]')!;
    expect(root.activeElement).toBe(radio);
    key(radio, 'ArrowRight');
    await elapse(0);
    root.querySelector<HTMLButtonElement>('[role=dialog] button[type=submit]')!.click();
    bridge.q.push([[eligible('later')], { type: 'track', messageId: 'm', event: 'x' }]);

    expect(reported.map(([how, name, properties]) => `${how}:${name}:${properties.deliveryId}:${properties.value ?? ''}`)).toEqual([
      'shown:Message Shown:dlv_hello:',
      'shown:Message Shown:dlv_rate:',
      'answered:Message Answered:dlv_rate:2',
    ]);
    expect(Object.keys(window).filter((name) => !globals.includes(name))).toEqual([]);
  });

  it('does nothing when loaded without the core\'s bridge', () => {
    loadBuiltUi({});
    expect(document.querySelector('hark-messages')).toBeNull();
  });
});
