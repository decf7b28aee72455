import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Message, MessageDefinition, MessageKind, MessagePosition, MessageResults, MessagesResponse } from '@hark/protocol';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  browserAvailable,
  eventually,
  htmlPage,
  launchChromium,
  root,
  snippet,
  startCollector,
  startSite,
  type RunningCollector,
  type Site,
} from './harness.js';

/**
 * In-app messages end to end (issue 4): messages authored through the admin API of a real
 * collector, shown by the real hark.js and hark-ui.js in Chromium on a customer's page, answered
 * by keyboard, and read back from the results and the person's activity.
 */

/** A page that does its worst to every element it can reach, and to custom properties. */
const HOSTILE_CSS = `<style>
* { all: unset !important; font-size: 0 !important; color: transparent !important }
div, p, form, button, input, a { display: none !important }
:root { --hark-bg: #ff0000 !important; --hark-fg: #ff0000 !important; --hark-btn: #ff0000 !important }
hark-messages { display: none !important; opacity: 0 !important; position: static !important; width: 1px !important }
</style>`;

const POSITIONS: MessagePosition[] = ['center', 'top', 'bottom', 'top_left', 'top_right', 'bottom_left', 'bottom_right'];
const VIEWPORT = { width: 1024, height: 640 };

let browser: Browser;
let collector: RunningCollector;
let site: Site;
let context: BrowserContext;
let page: Page;

const author = (definition: Omit<MessageDefinition, 'status'>) => collector.adminSend<Message>('/api/v1/messages', { status: 'live', ...definition });
const results = (message: Message) => collector.admin<MessageResults>(`/api/v1/messages/${message.id}/results`) as Promise<MessageResults>;
const anonymousId = (): Promise<string> => page.evaluate(() => localStorage.getItem('hark_aid')!);

/** A page of the customer's site carrying the README snippet, `head` and `body`. */
const sitePage = (path: string, head = '', body = '') =>
  site.page(path, htmlPage(path, snippet({ src: `${collector.url}/hark.js`, writeKey: collector.writeKey }) + head, body));

/** What has focus inside the message UI: the position of its message, and which control. */
const focused = () =>
  page.evaluate(() => {
    const active = document.querySelector('hark-messages')?.shadowRoot?.activeElement as HTMLElement | null | undefined;
    if (!active) return null;
    const region = active.closest('.hark-region');
    const position = region ? region.classList[1]!.replace('hark-', '') : active.closest('.hark-backdrop') ? 'center' : null;
    return { position, control: active.getAttribute('role') ?? active.className };
  });

/** Presses Tab until the control `control` of the message at `position` has focus. */
async function tabTo(position: MessagePosition, control: string) {
  for (let presses = 0; presses < 40; presses++) {
    const now = await focused();
    if (now?.position == position && now.control.includes(control)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${control} of the message at ${position}; focus is on ${JSON.stringify(await focused())}`);
}

const frames = () => page.locator('hark-messages .hark-frame');
/** Waits until `count` message frames are on screen. */
const framesToBe = (count: number, what = `${count} message(s) on screen`) => eventually(async () => (await frames().count()) == count, 15_000, what);
/** Waits until focus is on `control` of the message at `position`. */
const focusToBe = (position: MessagePosition, control: string) =>
  eventually(async () => {
    const now = await focused();
    return now?.position == position && now.control == control;
  }, 10_000, `focus on ${control} at ${position}`);
const frameAt = (position: MessagePosition) =>
  page.locator(position == 'center' ? 'hark-messages .hark-backdrop > .hark-frame' : `hark-messages .hark-${position} > .hark-frame`);

/** The content each kind is given in the keyboard tests; the position goes into the texts. */
function contentFor(kind: MessageKind, position: MessagePosition): MessageDefinition['content'] {
  switch (kind) {
    case 'notification':
      return { title: `Notice at ${position}`, body: 'Scheduled maintenance tonight.' };
    case 'input':
      return { title: `Question at ${position}`, body: 'What brought you here?', inputType: 'text', placeholder: 'A few words', submitLabel: 'Send' };
    case 'survey':
      return { title: `Survey at ${position}`, lowLabel: 'Not likely', highLabel: 'Very likely', followUp: 'What would make it a 5?', submitLabel: 'Send' };
    case 'cta':
      return { title: `Offer at ${position}`, body: 'Reports are here.', buttonLabel: 'See reports', url: `${site.url}/reports?from=${position}`, newTab: true };
  }
}

/** Answers the message at `position` by keyboard alone, as its kind asks. */
async function answerByKeyboard(kind: MessageKind, position: MessagePosition, index: number) {
  switch (kind) {
    case 'notification':
      // The modal: Escape. Toasts and bars: Tab to the dismiss button, then Enter or Space.
      if (position == 'center') {
        expect(await focused()).toEqual({ position, control: 'hark-close' });
        await page.keyboard.press('Escape');
      } else {
        await tabTo(position, 'hark-close');
        await page.keyboard.press(index % 2 ? 'Space' : 'Enter');
      }
      return;
    case 'input':
      await tabTo(position, 'hark-input');
      await page.keyboard.type(`Answer from ${position}`);
      await page.keyboard.press('Enter');
      return;
    case 'survey':
      await tabTo(position, 'radio');
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Tab');
      await page.keyboard.type(`Faster at ${position}`);
      await page.keyboard.press('Tab');
      await page.keyboard.press(index % 2 ? 'Space' : 'Enter');
      return;
    case 'cta':
      await tabTo(position, 'hark-button');
      await page.keyboard.press('Enter');
      return;
  }
}

/** What the results say once the answer to a message of `kind` arrived. */
function expectedResults(kind: MessageKind, position: MessagePosition) {
  const base = { shown: 1, clicked: 0, dismissed: 0, answered: 0 };
  switch (kind) {
    case 'notification':
      return { ...base, dismissed: 1 };
    case 'input':
      return { ...base, answered: 1, answers: { items: [expect.objectContaining({ text: `Answer from ${position}`, value: `Answer from ${position}` })], nextCursor: null } };
    case 'survey':
      return {
        ...base,
        answered: 1,
        survey: { distribution: { 1: 0, 2: 0, 3: 0, 4: 1, 5: 0 }, mean: 4 },
        answers: { items: [expect.objectContaining({ value: 4, text: `Faster at ${position}` })], nextCursor: null },
      };
    case 'cta':
      return { ...base, clicked: 1 };
  }
}

const ANSWER_EVENT = { notification: 'Message Dismissed', input: 'Message Answered', survey: 'Message Answered', cta: 'Message Clicked' };

describe.skipIf(!browserAvailable)('in-app messages in Chromium, against a real collector', () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    collector = await startCollector();
    site = await startSite();
    context = await browser.newContext({ viewport: VIEWPORT, reducedMotion: 'reduce' });
    page = await context.newPage();
    // A cta opening a new tab: that tab is not what these tests look at.
    context.on('page', (opened) => void opened.close());
  });
  afterEach(async () => {
    await context?.close();
    await site?.close();
    await collector?.close();
  });

  for (const kind of ['notification', 'input', 'survey', 'cta'] as const) {
    it(`${kind == 'input' ? 'an' : 'a'} ${kind} renders at every position on a page with hostile CSS, works by keyboard, and its answer reaches the results and the timeline`, async () => {
      const messages = new Map<MessagePosition, Message>();
      for (const [index, position] of POSITIONS.entries()) {
        messages.set(position, await author({ name: `${kind} ${position}`, kind, priority: index, content: contentFor(kind, position), appearance: { position } }));
      }
      await page.goto(sitePage('/hostile', HOSTILE_CSS));
      await framesToBe(POSITIONS.length);

      // Where the page's CSS cannot reach: each one sits where its position says, with its own type and colours.
      for (const position of POSITIONS) {
        const box = (await frameAt(position).boundingBox())!;
        const title = frameAt(position).locator('.hark-title');
        expect(await title.textContent()).toBe(`${contentFor(kind, position).title}`);
        const style = await title.evaluate((element) => {
          const css = getComputedStyle(element);
          const frame = getComputedStyle(element.closest('.hark-frame')!);
          return { fontSize: parseFloat(css.fontSize), color: css.color, background: frame.backgroundColor };
        });
        expect(style, position).toEqual({ fontSize: expect.any(Number), color: 'rgb(31, 41, 55)', background: 'rgb(255, 255, 255)' });
        expect(style.fontSize, position).toBeGreaterThanOrEqual(15);
        const right = VIEWPORT.width - box.x - box.width;
        const bottom = VIEWPORT.height - box.y - box.height;
        const near = (a: number, b: number) => Math.abs(a - b) <= 1;
        const where = {
          center: near(box.x, right) && near(box.y, bottom),
          top: near(box.y, 0) && near(box.width, VIEWPORT.width),
          bottom: near(bottom, 0) && near(box.width, VIEWPORT.width),
          top_left: near(box.x, 16) && near(box.y, 16),
          top_right: near(right, 16) && near(box.y, 16),
          bottom_left: near(box.x, 16) && near(bottom, 16),
          bottom_right: near(right, 16) && near(bottom, 16),
        };
        expect(where[position], `${position}: ${JSON.stringify(box)}`).toBe(true);
      }
      // The modal is a dialog that holds focus until it is answered or dismissed.
      expect(await focused()).toMatchObject({ position: 'center' });
      expect(await page.locator('hark-messages [role=dialog][aria-modal=true]').count()).toBe(1);

      for (const [index, position] of POSITIONS.entries()) {
        await answerByKeyboard(kind, position, index);
        await eventually(async () => (await frameAt(position).count()) == 0, 10_000, `the message at ${position} to close once answered`);
      }

      for (const [position, message] of messages) {
        await eventually(async () => (await results(message)).shown == 1 && (await results(message))[kind == 'cta' ? 'clicked' : kind == 'notification' ? 'dismissed' : 'answered'] == 1, 15_000, `the answer at ${position}`);
        expect(await results(message), position).toMatchObject(expectedResults(kind, position));
      }
      const timeline = await collector.activity({ anonymousId: await anonymousId() });
      for (const [position, message] of messages) {
        const about = timeline.filter((item) => item.properties.messageId == message.id).map((item) => item.name);
        expect(about, position).toEqual(['Message Shown', ANSWER_EVENT[kind]]);
      }
    });
  }

  it('a message triggered by a track call appears without a reload, only when its property filter holds', async () => {
    const message = await author({
      name: 'after a pdf export',
      kind: 'notification',
      content: { title: 'Your PDF is ready', body: 'Find it in Downloads.' },
      conditions: { trigger: { type: 'event', event: 'Report Exported', where: [{ property: 'format', op: 'equals', value: 'pdf' }] } },
    });
    const url = sitePage(
      '/reports',
      '',
      `<button id="csv" onclick="hark('track','Report Exported',{format:'csv'})">CSV</button><button id="pdf" onclick="hark('track','Report Exported',{format:'pdf'})">PDF</button>`,
    );
    const polled = (event?: string) => page.waitForResponse((response) => response.url().includes('/v1/messages?') && (event ? response.url().includes(`event=${event}`) : true));
    const firstPoll = polled();
    await page.goto(url);
    await page.evaluate(() => ((window as { loadedOnce?: boolean }).loadedOnce = true));
    expect(((await (await firstPoll).json()) as MessagesResponse).triggerEvents).toEqual(['Report Exported']);

    const afterCsv = polled('Report+Exported');
    await page.click('#csv');
    expect(((await (await afterCsv).json()) as MessagesResponse).messages.map((m) => m.id)).toEqual([message.id]);
    // The UI loads for it, and shows nothing: the export was not a pdf.
    await eventually(() => page.evaluate(() => !!document.querySelector('hark-messages')), 10_000, 'the UI to load');
    await page.evaluate(() => new Promise((done) => setTimeout(done)));
    expect(await frames().count()).toBe(0);

    await page.click('#pdf');
    await framesToBe(1);
    // A toast announces itself without taking focus from the page.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('pdf');
    expect(await frames().locator('.hark-title').textContent()).toBe('Your PDF is ready');
    expect(await page.evaluate(() => (window as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
    await eventually(async () => (await results(message)).shown == 1, 15_000, 'the showing to be stored');
  });

  it('a message shown once does not come back after a reload', async () => {
    const message = await author({ name: 'once', kind: 'notification', content: { title: 'Only once', body: '' }, conditions: { frequency: { type: 'once' } } });
    await page.goto(sitePage('/once'));
    await framesToBe(1);
    await eventually(async () => (await results(message)).shown == 1, 15_000, 'the showing to be stored');

    const poll = page.waitForResponse((response) => response.url().includes('/v1/messages?'));
    await page.reload();
    expect(((await (await poll).json()) as MessagesResponse).messages).toEqual([]);
    await page.evaluate(() => new Promise((done) => setTimeout(done)));
    expect(await page.evaluate(() => !!document.querySelector('hark-messages, script[src$="/hark-ui.js"]'))).toBe(false);
  });

  it('an email given in an input message makes the anonymous visitor a lead with that email', async () => {
    const message = await author({
      name: 'newsletter',
      kind: 'input',
      content: { title: 'Get the monthly product notes', body: '', inputType: 'email', placeholder: 'you@example.com', submitLabel: 'Subscribe' },
      appearance: { position: 'center' },
    });
    await page.goto(sitePage('/blog'));
    await focusToBe('center', 'hark-input');
    await page.keyboard.type('not an email');
    await page.keyboard.press('Enter');
    await eventually(() => page.locator('hark-messages .hark-error').isVisible(), 10_000, 'the error');
    expect(await page.locator('hark-messages .hark-error').textContent()).toBe('Please enter a valid email address.');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('lead@example.com');
    await page.keyboard.press('Enter');
    await framesToBe(0);

    const id = await anonymousId();
    const person = await eventually(async () => {
      const found = await collector.admin<{ kind: string; email: string | null }>(`/api/v1/people/lookup?anonymousId=${id}`);
      return found?.kind == 'lead' && found;
    }, 15_000, 'the visitor to become a lead');
    expect(person.email).toBe('lead@example.com');
    expect((await results(message)).answers?.items.map((item) => [item.text, item.person.email])).toEqual([['lead@example.com', 'lead@example.com']]);
  });

  it('a cta opens its http(s) link in the same tab, and the click is recorded on the way', async () => {
    const message = await author({
      name: 'go to reports',
      kind: 'cta',
      content: { title: 'Scheduled reports are here', body: '', buttonLabel: 'Take a look', url: `${site.url}/reports`, newTab: false },
      appearance: { position: 'bottom' },
    });
    sitePage('/reports');
    await page.goto(sitePage('/home'));
    await framesToBe(1);
    await tabTo('bottom', 'hark-button');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${site.url}/reports`);

    await eventually(async () => (await results(message)).clicked == 1, 15_000, 'the click to be stored');
  });

  it('works under a strict Content-Security-Policy: nonce-only scripts, no inline styles at all', async () => {
    await author({ name: 'csp', kind: 'survey', content: { title: 'Rate the docs', lowLabel: 'Poor', highLabel: 'Great' }, appearance: { position: 'center' } });
    const policy = `default-src 'none'; script-src 'nonce-t3st'; style-src 'none'; connect-src ${collector.url}`;
    const head =
      `<meta http-equiv="Content-Security-Policy" content="${policy}">` +
      `<script nonce="t3st">window.violations=[];document.addEventListener('securitypolicyviolation',function(e){violations.push(e.violatedDirective+' '+e.blockedURI)})</script>` +
      // As the README says: the nonce on the snippet's script, on hark.js, and given to the App.
      snippet({ src: `${collector.url}/hark.js`, writeKey: collector.writeKey })
        .replace('<script>', '<script nonce="t3st">')
        .replace('d.head.appendChild(s)', "s.nonce='t3st';d.head.appendChild(s)")
        .replace('</script>', "hark('init',{nonce:'t3st'});</script>");
    await page.goto(site.page('/strict', htmlPage('Strict', head)));
    await framesToBe(1);

    const style = await frameAt('center').evaluate((frame) => ({ background: getComputedStyle(frame).backgroundColor, radius: getComputedStyle(frame).borderRadius, position: getComputedStyle(frame.parentElement!).position }));
    expect(style).toEqual({ background: 'rgb(255, 255, 255)', radius: '16px', position: 'fixed' });
    await focusToBe('center', 'radio');
    await page.keyboard.press('End');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await framesToBe(0);
    expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
  });

  describe('screenshots for the README', () => {
    const dir = join(root, 'docs', 'screenshots');
    /** A plain product page behind the messages, so the pictures show them in context. */
    const APP_PAGE = `<style>
      body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: #334155; background: #f8fafc }
      header { display: flex; align-items: center; gap: 24px; height: 56px; padding: 0 32px; background: #fff; border-bottom: 1px solid #e2e8f0 }
      header b { color: #0f172a; font-size: 17px } header span { color: #64748b }
      main { display: grid; grid-template-columns: repeat(3, 1fr); gap: 20px; padding: 32px }
      h1 { grid-column: 1 / -1; margin: 0; font-size: 24px; color: #0f172a }
      .card { height: 150px; border-radius: 12px; background: #fff; border: 1px solid #e2e8f0 }
      .wide { grid-column: 1 / -1; height: 180px }
    </style>`;
    const APP_BODY = `<header><b>Acme Analytics</b><span>Dashboards</span><span>Reports</span><span>Settings</span></header>
      <main><div class="card"></div><div class="card"></div><div class="card"></div><div class="card wide"></div></main>`;

    beforeAll(() => mkdirSync(dir, { recursive: true }));

    const show = async (definition: Omit<MessageDefinition, 'status' | 'name'>) => {
      await author({ name: definition.kind, ...definition });
      const head = snippet({ src: `${collector.url}/hark.js`, writeKey: collector.writeKey }) + APP_PAGE;
      await page.goto(site.page('/app', `<!doctype html><html><head><meta charset="utf-8"><title>Reports</title>${head}</head><body>${APP_BODY}</body></html>`));
      await framesToBe(1);
    };
    const shoot = async (name: string) => {
      // Settled first, so that the same page gives the same picture on every run.
      await page.evaluate(() => document.fonts.ready.then(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))));
      await page.screenshot({ path: join(dir, `${name}.png`), animations: 'disabled', caret: 'hide' });
    };

    it('a notification toast', async () => {
      await show({
        kind: 'notification',
        content: { title: 'Your export is ready', body: 'The March report was sent to ana@example.com.' },
        appearance: { position: 'bottom_right', size: 'medium' },
      });
      await shoot('notification');
    });

    it('an email input in the centre modal', async () => {
      await show({
        kind: 'input',
        content: { title: 'Get the monthly product notes', body: 'One short email a month about what changed. No spam.', inputType: 'email', placeholder: 'you@example.com', submitLabel: 'Subscribe' },
        appearance: { position: 'center', size: 'medium' },
      });
      await focusToBe('center', 'hark-input');
      await page.keyboard.type('ana@example.com');
      await shoot('input');
    });

    it('a survey with a grade chosen by keyboard and its follow-up', async () => {
      await show({
        kind: 'survey',
        content: { title: 'How likely are you to recommend Acme?', body: '', lowLabel: 'Not likely', highLabel: 'Very likely', followUp: 'What would make it a 5?', followUpPlaceholder: 'Tell us in a few words', submitLabel: 'Send' },
        appearance: { position: 'bottom_right', size: 'medium', colors: { button: '#0f766e' } },
      });
      await tabTo('bottom_right', 'radio');
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
      await shoot('survey');
    });

    it('a call to action in a top bar', async () => {
      await show({
        kind: 'cta',
        content: { title: 'Scheduled reports are here.', body: 'Send any dashboard to your team every Monday.', buttonLabel: 'See what is new', url: 'https://example.com/changelog', newTab: true },
        appearance: { position: 'top', size: 'medium', colors: { background: '#1e1b4b', text: '#e0e7ff', button: '#a5b4fc', buttonText: '#1e1b4b' } },
      });
      await tabTo('top', 'hark-button');
      await shoot('cta');
    });
  });
});
