/**
 * The core's half of in-app messages, against a fake collector that fails on any request it
 * does not expect. hark-ui.js is not loaded here (happy-dom loads no scripts): a test reads the
 * bridge the core left on the script tag, or starts the real UI on it.
 * @vitest-environment-options { "settings": { "handleDisabledFileLoadingAsSuccess": true } }
 */
import type { MessagesResponse } from '@hark/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UiAnswer, UiBridge } from '../src/core/types.js';
import { startUi } from '../src/ui/start-ui.js';
import { API_HOST, WRITE_KEY, eligible, elapse, fakeCollector, startHark, useFreshPage } from './helpers.js';

useFreshPage();

type UiScript = HTMLScriptElement & UiBridge;
const uiScripts = () => Array.from(document.querySelectorAll<UiScript>('script[src$="/hark-ui.js"]'));
/** What the core handed the UI so far: a list while hark-ui.js has not taken over. */
const handedOver = () => uiScripts()[0]!.q as UiAnswer[];
/** Lets the page's calls, the polls they cause and the answers run (the core asks a task after the call). */
const settle = () => elapse(10);
const asked = (collector: ReturnType<typeof fakeCollector>) => collector.polls.map((query) => Object.fromEntries(query));

afterEach(() => {
  for (const script of uiScripts()) script.remove();
  for (const host of document.querySelectorAll('hark-messages')) host.remove();
});

/** A collector with these messages due on every poll, and these trigger events. */
function collectorWith(due: MessagesResponse['messages'], triggerEvents: string[] = []) {
  const collector = fakeCollector();
  collector.messages.answer = () => ({ messages: due, triggerEvents });
  return collector;
}

describe('asking the collector for messages', () => {
  it('asks once when the App starts, with the visitor\'s id and the page URL, and loads no UI when nothing is due', async () => {
    const collector = fakeCollector();
    history.replaceState(null, '', '/pricing?plan=pro');
    startHark();
    await elapse(1_000);

    expect(asked(collector)).toEqual([{ writeKey: WRITE_KEY, anonymousId: localStorage.getItem('hark_aid'), url: `${location.origin}/pricing?plan=pro` }]);
    expect(uiScripts()).toEqual([]);
    expect(collector.unexpected).toEqual([]);
  });

  it('asks again after each SPA navigation, and after identify with the user id and its userHash', async () => {
    const collector = fakeCollector();
    const hark = startHark();
    await settle();
    history.pushState({}, '', '/docs');
    await settle();
    hark.identify('user_42', {}, { userHash: 'a1b2' });
    await settle();
    history.pushState({}, '', '/docs/install');
    await settle();

    expect(asked(collector).map(({ url, userId, userHash }) => [new URL(url!).pathname, userId, userHash])).toEqual([
      ['/', undefined, undefined],
      ['/docs', undefined, undefined],
      ['/docs', 'user_42', 'a1b2'],
      ['/docs/install', 'user_42', 'a1b2'],
    ]);
  });

  it('asks again with event= after a track whose name triggers a live message, and not after any other track', async () => {
    const collector = collectorWith([], ['Report Exported']);
    const hark = startHark();
    await settle();
    hark.track('Clicked Around');
    hark.track('Report Exported', { format: 'pdf' });
    await settle();

    expect(asked(collector).map((query) => query.event)).toEqual([undefined, 'Report Exported']);
  });

  it('asks nothing while the visitor has opted out', async () => {
    const collector = fakeCollector();
    const hark = startHark({ autoPage: false });
    await settle();
    hark.optOut();
    collector.messages.answer = () => ({ messages: [eligible('welcome')], triggerEvents: ['Clicked'] });
    startHark();
    history.pushState({}, '', '/elsewhere');
    hark.track('Clicked');
    await elapse(1_000);

    expect(collector.polls).toHaveLength(1);
    expect(uiScripts()).toEqual([]);
  });
});

describe('loading the UI', () => {
  it('loads hark-ui.js once, from the collector, with the page\'s CSP nonce, when a message is due', async () => {
    collectorWith([eligible('welcome')]);
    startHark({ nonce: 'r4nd0m' });
    await settle();
    history.pushState({}, '', '/next');
    await settle();

    expect(uiScripts().map((script) => [script.src, script.nonce])).toEqual([[`${API_HOST}/hark-ui.js`, 'r4nd0m']]);
    expect(handedOver().map(([messages]) => messages.map((message) => message.id))).toEqual([['welcome'], ['welcome']]);
  });

  it('does not load it for messages that wait for an event, until the poll after that event', async () => {
    const onExport = eligible('export', { trigger: { type: 'event', event: 'Report Exported', where: [] } });
    const collector = collectorWith([onExport], ['Report Exported']);
    const hark = startHark();
    await settle();
    expect(uiScripts()).toEqual([]);

    hark.track('Report Exported', { format: 'pdf' });
    await settle();
    const [[messages, event]] = handedOver() as [UiAnswer];
    expect(messages.map((message) => message.id)).toEqual(['export']);
    expect(event && [event.event, event.properties]).toEqual(['Report Exported', { format: 'pdf' }]);
    expect(collector.polls).toHaveLength(2);
  });

  it('does not show again a delivery this page already reported, though the collector still names it', async () => {
    // The Shown event may still wait in the queue (here: the collector is unreachable). The core
    // hands every answer over; the UI remembers what it took, so nothing is remembered twice.
    const collector = collectorWith([eligible('welcome')]);
    collector.answer(new TypeError('Failed to fetch'));
    const hark = startHark();
    const shown = vi.fn();
    hark.on('message:shown', shown);
    await settle();
    const script = uiScripts()[0]!;
    startUi(script, script.nonce);
    await settle();
    const root = document.querySelector('hark-messages')!.shadowRoot!;
    root.querySelector<HTMLButtonElement>('.hark-close')!.click();
    history.pushState({}, '', '/next');
    await settle();

    expect(collector.polls).toHaveLength(2);
    expect(root.querySelector('.hark-frame')).toBeNull();
    expect(shown).toHaveBeenCalledTimes(1);
  });
});

describe('what the UI reports', () => {
  it('goes through the App\'s queue as a track event, and to the page\'s message:* listeners', async () => {
    const collector = collectorWith([eligible('survey')]);
    const hark = startHark({ autoPage: false });
    const heard: unknown[] = [];
    for (const name of ['message:shown', 'message:answered']) hark.on(name, (properties: unknown) => heard.push([name, properties]));
    await settle();
    // What the UI does with each interaction: track it through the App, then emit it.
    const bridge = uiScripts()[0]!;
    const shown = { messageId: 'survey', deliveryId: 'dlv_survey' };
    const answered = { ...shown, value: 4, text: 'Good' };
    expect(bridge.t('Message Shown', shown)).toEqual({ ok: true });
    bridge.e('message:shown', shown);
    expect(bridge.t('Message Answered', answered)).toEqual({ ok: true });
    bridge.e('message:answered', answered);
    await elapse(500);

    expect(collector.events().map((event) => [event.type, event.event, event.properties])).toEqual([
      ['track', 'Message Shown', { messageId: 'survey', deliveryId: 'dlv_survey' }],
      ['track', 'Message Answered', { messageId: 'survey', deliveryId: 'dlv_survey', value: 4, text: 'Good' }],
    ]);
    expect(heard).toEqual([
      ['message:shown', { messageId: 'survey', deliveryId: 'dlv_survey' }],
      ['message:answered', { messageId: 'survey', deliveryId: 'dlv_survey', value: 4, text: 'Good' }],
    ]);
  });

  it('end to end with the real UI: shown on render, dismissed by its button, each once', async () => {
    const collector = collectorWith([eligible('welcome')]);
    const hark = startHark({ autoPage: false });
    const dismissed = vi.fn();
    hark.on('message:dismissed', dismissed);
    await settle();
    const script = uiScripts()[0]!;
    startUi(script, script.nonce);
    await settle();
    const root = document.querySelector('hark-messages')!.shadowRoot!;
    expect(root.querySelector('.hark-title')!.textContent).toBe('Title of welcome');
    root.querySelector<HTMLButtonElement>('.hark-close')!.click();
    history.pushState({}, '', '/next');
    hark.page();
    await elapse(500);

    expect(collector.events().filter((event) => event.type == 'track').map((event) => event.event)).toEqual(['Message Shown', 'Message Dismissed']);
    expect(dismissed).toHaveBeenCalledWith({ messageId: 'welcome', deliveryId: 'dlv_welcome' });
    expect(root.querySelector('.hark-frame')).toBeNull();
  });
});

describe('a collector that misbehaves', () => {
  it('breaks nothing in the page: no exception escapes, and the App keeps recording', async () => {
    const collector = fakeCollector();
    const errors: unknown[] = [];
    const onError = (event: Event) => errors.push(event);
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onError);
    const answers: unknown[] = [{}, { messages: 'nope' }, { messages: [null, 7, { id: 1 }], triggerEvents: 'x' }, null];
    collector.messages.answer = () => answers.shift() as MessagesResponse;
    const hark = startHark();
    await settle();
    for (const path of ['/a', '/b', '/c']) {
      history.pushState({}, '', path);
      await settle();
    }

    expect(collector.polls).toHaveLength(4);
    expect(hark.track('Still Fine')).toEqual({ ok: true });
    expect(errors).toEqual([]);
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onError);
  });
});
