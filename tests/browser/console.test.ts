import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Message, MessageResults } from '@hark/protocol';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, eventually, launchChromium, root, startCollector, type RunningCollector } from './harness.js';

/**
 * The team console (issue 14) in real Chromium, against a real collector serving the built
 * console at /console with its strict CSP: the first admin through the setup link, login, an
 * invite and its first login, roles, a survey authored with its live preview and answered on the
 * demo page, a contact's timeline, text that looks like HTML, and axe on every page at 1280 px
 * and 390 px. The steps share one collector and run in order, as a team would go through them.
 */

const PASSWORD = 'correct horse battery';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const shots = join(root, 'docs', 'screenshots');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser: Browser;
let collector: RunningCollector;
let admin: BrowserContext;
let page: Page;
/** Everything the pages threw or logged as an error; the console must produce none. */
const pageErrors: string[] = [];

async function newPage(context: BrowserContext): Promise<Page> {
  const opened = await context.newPage();
  opened.on('pageerror', (error) => pageErrors.push(`${opened.url()}: ${error.message}`));
  opened.on('console', (message) => {
    // A refused call is the browser's own log line for a 4xx the test provoked on purpose.
    if (message.type() == 'error' && !/Failed to load resource/.test(message.text())) pageErrors.push(`${opened.url()}: ${message.text()}`);
  });
  return opened;
}

/** Settled first (fonts, two frames), so the same page gives the same picture on every run. */
async function shoot(target: Page, name: string) {
  // From the top of the page, with no field focused (no caret, no focus ring).
  await target.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  await target.evaluate(() => document.fonts.ready.then(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))));
  await target.screenshot({ path: join(shots, `console-${name}.png`), animations: 'disabled', caret: 'hide', fullPage: false });
}

/** axe-core's serious and critical violations on the page as it stands. */
async function axeViolations(target: Page): Promise<string[]> {
  // evaluate() runs outside the page's CSP, which refuses any script not served by the collector.
  await target.evaluate(axeSource);
  return target.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: unknown }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact == 'serious' || v.impact == 'critical').map((v) => `${v.id} (${v.impact}): ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  });
}

/** Loaded: no progress bar, no "Loading…" left. */
async function settled(target: Page) {
  await target.waitForFunction(() => !document.querySelector('[aria-busy="true"]') && !document.querySelector('.progress.on'));
}

async function goto(target: Page, path: string) {
  await target.goto(`${collector.url}${path}`);
  await settled(target);
}

async function logIn(target: Page, email: string) {
  await goto(target, '/console/login');
  await target.getByLabel('Email').fill(email);
  await target.getByLabel('Password').fill(PASSWORD);
  await target.getByRole('button', { name: 'Log in' }).click();
  await target.getByRole('navigation', { name: 'Main' }).waitFor();
}

describe.skipIf(!browserAvailable)('the team console', () => {
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    browser = await launchChromium();
    collector = await startCollector();
    admin = await browser.newContext({ viewport: DESKTOP });
    page = await newPage(admin);
  });

  afterAll(async () => {
    await browser?.close();
    await collector?.close();
  });

  it('serves itself with a strict CSP, and shows the login form to anyone without a session', async () => {
    const response = await page.goto(`${collector.url}/console/contacts`);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByRole('heading', { name: 'Log in to Hark' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
  });

  it('creates the first admin from the setup link, then guides them to paste the snippet and sees the first event arrive live', async () => {
    const link = await collector.setupLink();
    expect(link).toBeTruthy();
    await goto(page, new URL(link!).pathname + new URL(link!).search);
    await page.getByLabel('Your name').fill('Ada Admin');
    await page.getByLabel('Email').fill('ada@team.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create admin and log in' }).click();
    await page.getByRole('heading', { name: 'Welcome to Hark' }).waitFor();
    const snippet = await page.locator('pre code').first().textContent();
    expect(snippet).toContain(`s.src='${collector.url}/hark.js'`);
    expect(snippet).toContain(`s.dataset.writeKey='${collector.writeKey}'`);
    await page.getByText('Waiting for the first event').waitFor();
    await shoot(page, 'first-run');

    const visitor = await browser.newContext({ viewport: DESKTOP });
    const demo = await newPage(visitor);
    await demo.goto(`${collector.url}/`);
    await page.getByText('Your first event arrived').waitFor({ timeout: 15_000 });
    await visitor.close();
  });

  it('logs out and in again', async () => {
    await goto(page, '/console/account');
    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await page.getByRole('heading', { name: 'Log in to Hark' }).waitFor();
    await page.getByLabel('Email').fill('ada@team.test');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').waitFor();
    await shoot(page, 'login');
    await logIn(page, 'ada@team.test');
    expect(await page.locator('.me').textContent()).toContain('Ada Admin');
  });

  it('shows every time in the time zone the member chose on their account', async () => {
    await goto(page, '/console/account');
    await page.getByLabel('Time zone').selectOption('Asia/Tokyo');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.').waitFor();
    const since = page.locator('time').first();
    const iso = (await since.getAttribute('datetime'))!;
    const inTokyo = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Tokyo' }).format(new Date(iso));
    expect(await since.textContent()).toBe(inTokyo);
    const me = await page.evaluate(() => fetch('/api/v1/me', { credentials: 'same-origin' }).then((r) => r.json()));
    expect(me.timeZone).toBe('Asia/Tokyo');
  });

  let agent: BrowserContext;
  let agentPage: Page;

  it('invites a new member, who joins by the link and logs in for the first time', async () => {
    await goto(page, '/console/settings/team');
    await page.getByLabel('Email').fill('ben@team.test');
    await page.getByLabel('Role', { exact: true }).selectOption('agent');
    await page.getByRole('button', { name: 'Create invite link' }).click();
    const inviteUrl = (await page.locator('.invite-url').textContent())!;
    expect(inviteUrl).toMatch(new RegExp(`^${collector.url}/console/invite`));
    await page.getByText('ben@team.test as agent').waitFor();
    await shoot(page, 'team');

    agent = await browser.newContext({ viewport: DESKTOP });
    agentPage = await newPage(agent);
    await goto(agentPage, new URL(inviteUrl).pathname + new URL(inviteUrl).search);
    await agentPage.getByText('You were invited as').waitFor();
    await agentPage.getByLabel('Your name').fill('Ben Agent');
    await agentPage.getByLabel('Choose a password').fill(PASSWORD);
    await agentPage.getByRole('button', { name: 'Join and log in' }).click();
    await agentPage.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(await agentPage.locator('.me').textContent()).toContain('Ben Agent');
    // The same member in a fresh browser: their password works.
    const again = await browser.newContext({ viewport: DESKTOP });
    await logIn(await newPage(again), 'ben@team.test');
    await again.close();
  });

  it('refuses an agent a settings change, and says which role it needs', async () => {
    await goto(agentPage, '/console/settings');
    await agentPage.getByLabel('Identity verification', { exact: true }).selectOption('enforce');
    await agentPage.getByRole('button', { name: 'Save', exact: true }).click();
    const alert = agentPage.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/manager|admin/);
    const project = await collector.admin<{ identityVerification: string }>('/api/v1/project');
    expect(project!.identityVerification).toBe('off');
  });

  let survey: Message;

  it('authors a survey with forms and the real message UI as its live preview', async () => {
    await goto(page, '/console/messages');
    await page.getByText('No messages yet').waitFor();
    await goto(page, '/console/messages/new?kind=survey');
    await page.getByLabel('Name (for your team only)').fill('Rate the demo');
    await page.getByLabel('Title').fill('Hi {{name|there}}, how useful is the demo?');
    await page.getByLabel('Follow-up question (asked after the grade; empty for none)').fill('What is missing?');
    await page.getByLabel('Position').selectOption('bottom_left');
    // The preview is hark-ui.js itself, drawn in a frame as a visitor would see it.
    const preview = page.frameLocator('.preview iframe');
    await preview.locator('hark-messages .hark-frame').getByText('Hi there, how useful is the demo?').waitFor({ timeout: 15_000 });
    expect(await preview.locator('hark-messages [role=radio]').count()).toBe(5);
    await shoot(page, 'message-editor');

    // A field error from the collector lands beside its field.
    await page.getByLabel('Title').fill('Hi {{name');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.locator('.field.has-error .field-error').first().waitFor();
    expect(await page.locator('#f-content-title[aria-invalid=true]').count()).toBe(1);
    await page.getByLabel('Title').fill('Hi {{name|there}}, how useful is the demo?');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.getByRole('heading', { name: 'Status: draft' }).waitFor();
    await page.getByRole('button', { name: 'Go live' }).click();
    await page.getByRole('heading', { name: 'Status: live' }).waitFor();
    const list = await collector.admin<{ items: Message[] }>('/api/v1/messages');
    survey = list!.items[0]!;
    expect(survey).toMatchObject({ name: 'Rate the demo', kind: 'survey', status: 'live', appearance: { position: 'bottom_left' } });
  });

  it('shows the survey on the demo page, and the answer given there in the console’s results', async () => {
    const visitor = await browser.newContext({ viewport: DESKTOP });
    const demo = await newPage(visitor);
    await demo.goto(`${collector.url}/`);
    const frame = demo.locator('hark-messages .hark-frame');
    await frame.getByText('how useful is the demo?').waitFor({ timeout: 15_000 });
    await frame.getByRole('radio', { name: /^4/ }).click();
    await frame.locator('textarea').fill('More examples');
    await frame.getByRole('button', { name: 'Send' }).click();
    await eventually(async () => (await collector.admin<MessageResults>(`/api/v1/messages/${survey.id}/results`))!.answered == 1, 15_000, 'the answer stored');
    await visitor.close();

    await goto(page, `/console/messages/${survey.id}/results`);
    await page.getByRole('heading', { name: 'Answers' }).waitFor();
    const row = page.getByRole('table', { name: 'Answers, newest first' }).locator('tbody tr').first();
    expect(await row.textContent()).toContain('More examples');
    expect(await row.locator('td').nth(2).textContent()).toBe('4');
    expect(await page.locator('figure.chart table').first().textContent()).toContain('Answered1');
    // Today, in the member's zone, on the chart over time: shown 1, clicked 0, answered 1.
    const today = page.getByRole('table', { name: /^Per day/ }).locator('tbody tr').last();
    expect(await today.locator('td').allTextContents()).toEqual(['1', '0', '1']);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const csv = readFileSync((await (await download).path())!, 'utf8');
    expect(csv.split('\r\n')[1]).toContain(',4,More examples,');
    await shoot(page, 'message-results');
  });

  it('finds a contact by search, reads their timeline, and shows a trait that looks like HTML as text', async () => {
    const hostile = '<img src=x onerror="window.__xss=1">';
    const send = (path: string, body: Record<string, unknown>) =>
      fetch(`${collector.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ writeKey: collector.writeKey, ...body }) });
    expect((await send('/v1/identify', { userId: 'u-ana', traits: { name: 'Ana Lima', email: 'ana@example.com', plan: 'pro', bio: hostile } })).status).toBe(200);
    expect((await send('/v1/track', { userId: 'u-ana', event: 'Report Created', properties: { note: hostile } })).status).toBe(200);
    expect((await send('/v1/group', { userId: 'u-ana', groupId: 'acme', traits: { name: 'Acme Inc', plan: hostile } })).status).toBe(200);

    await goto(page, '/console/contacts');
    await page.getByLabel('Search by name, email or user id').fill('Ana');
    await page.getByRole('button', { name: 'Search' }).click();
    // Polled: right after the click the search may not have started, so "settled" is no proof
    // that its answer is on the page (a loaded machine showed all three contacts still).
    await expect.poll(() => page.getByRole('table', { name: 'Contacts, most recently seen first' }).locator('tbody tr').count(), { timeout: 15_000 }).toBe(1);
    await settled(page);
    await shoot(page, 'contacts');
    await page.getByRole('link', { name: 'Ana Lima' }).click();
    await page.getByRole('heading', { name: 'Ana Lima' }).waitFor();
    await settled(page);
    expect(await page.getByLabel('Value of bio').inputValue()).toBe(hostile);
    const timeline = page.getByRole('list', { name: 'Activity, newest first' });
    expect(await timeline.textContent()).toContain('Report Created');
    expect(await timeline.textContent()).toContain(hostile);
    await page.getByLabel('Show').selectOption('identify');
    expect(await timeline.textContent()).not.toContain('Report Created');
    await page.getByLabel('Show').selectOption('');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await shoot(page, 'contact');

    // Her company, with its people.
    await page.getByRole('link', { name: 'Acme Inc' }).click();
    await page.getByRole('heading', { name: 'Acme Inc' }).waitFor();
    await settled(page);
    expect(await page.getByRole('link', { name: 'Ana Lima' }).count()).toBe(1);
    expect(await page.locator('dl.props').textContent()).toContain(hostile);
    expect(await page.locator('img').count()).toBe(0);
    await shoot(page, 'company');
  });

  it('lets an agent edit a contact’s traits', async () => {
    const person = await collector.admin<{ id: string }>('/api/v1/people/lookup?userId=u-ana');
    await goto(agentPage, `/console/contacts/${person!.id}`);
    await agentPage.getByLabel('Value of plan').fill('enterprise');
    await agentPage.getByRole('button', { name: 'Save traits' }).click();
    await agentPage.getByText('Traits saved.').waitFor();
    const after = await collector.admin<{ traits: Record<string, unknown> }>(`/api/v1/people/${person!.id}`);
    expect(after!.traits).toMatchObject({ plan: 'enterprise', bio: '<img src=x onerror="window.__xss=1">' });
  });

  it('exports a contact\'s data and erases them on request', async () => {
    const res = await fetch(`${collector.url}/v1/identify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeKey: collector.writeKey, userId: 'u-gone', traits: { name: 'Gus Gone', email: 'gus@example.com' } }),
    });
    expect(res.status).toBe(200);
    const person = await collector.admin<{ id: string }>('/api/v1/people/lookup?userId=u-gone');
    await goto(page, `/console/contacts/${person!.id}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export their data (JSON)' }).click()]);
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { person: { userId: string } };
    expect(exported.person.userId).toBe('u-gone');

    const erase = page.getByRole('button', { name: 'Erase this person' });
    expect(await erase.isDisabled()).toBe(true);
    await page.getByLabel('Type “Gus Gone” to erase').fill('Gus Gone');
    await erase.click();
    await page.getByRole('heading', { name: 'Contacts' }).waitFor();
    expect(await collector.admin('/api/v1/people/lookup?userId=u-gone')).toBeNull();

    // Their identifiers are kept so a late event cannot bring them back; an admin can lift one.
    await goto(page, '/console/settings/erasures');
    await page.getByRole('cell', { name: 'u-gone', exact: true }).waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Lift erasure of u-gone' }).click();
    await page.getByText('u-gone can be seen again.').waitFor();
    const erased = await collector.admin<{ items: { type: string; value: string }[] }>('/api/v1/erasures');
    expect(erased!.items.map((entry) => `${entry.type}:${entry.value}`)).toEqual(['email:gus@example.com']);
  });

  it('logs a member out everywhere: their other browsers are back at the login form', async () => {
    const other = await browser.newContext({ viewport: DESKTOP });
    const otherPage = await newPage(other);
    await logIn(otherPage, 'ben@team.test');
    await goto(agentPage, '/console/account');
    await agentPage.getByRole('button', { name: 'Log out everywhere' }).click();
    await agentPage.getByRole('heading', { name: 'Log in to Hark' }).waitFor();
    await goto(otherPage, '/console/contacts');
    await otherPage.getByRole('heading', { name: 'Log in to Hark' }).waitFor();
    await other.close();
  });

  describe('every page, by keyboard and screen reader, at 1280 and 390 px', () => {
    const pages = async () => {
      const person = await collector.admin<{ id: string }>('/api/v1/people/lookup?userId=u-ana');
      return [
        '/console',
        '/console/contacts',
        `/console/contacts/${person!.id}`,
        '/console/companies',
        '/console/companies/acme',
        '/console/messages',
        '/console/messages/new',
        '/console/messages/new?kind=cta',
        `/console/messages/${survey.id}`,
        `/console/messages/${survey.id}/results`,
        '/console/settings',
        '/console/settings/suppressions',
        '/console/settings/team',
        '/console/settings/erasures',
        '/console/account',
      ];
    };

    it('has no serious or critical axe violation on any page', async () => {
      const found: string[] = [];
      const pictures: Record<string, string> = { '/console/messages': 'messages', '/console/settings': 'settings', '/console/account': 'account' };
      for (const path of await pages()) {
        await goto(page, path);
        for (const violation of await axeViolations(page)) found.push(`${path}: ${violation}`);
        if (pictures[path]) await shoot(page, pictures[path]);
      }
      const outside = await browser.newContext({ viewport: DESKTOP });
      const anonymous = await newPage(outside);
      for (const path of ['/console/login', '/console/invite/not-a-token']) {
        await goto(anonymous, path);
        for (const violation of await axeViolations(anonymous)) found.push(`${path}: ${violation}`);
      }
      await outside.close();
      expect(found).toEqual([]);
    });

    it('fits a 390 px wide phone without sideways scrolling', async () => {
      const phone = await browser.newContext({ viewport: PHONE, storageState: await admin.storageState() });
      const small = await newPage(phone);
      const overflowing: string[] = [];
      for (const path of await pages()) {
        await goto(small, path);
        const width = await small.evaluate(() => document.documentElement.scrollWidth);
        if (width > PHONE.width) overflowing.push(`${path}: ${width}px`);
      }
      await goto(small, `/console/messages/${survey.id}`);
      await shoot(small, 'phone-message-editor');
      await phone.close();
      expect(overflowing).toEqual([]);
    });

    it('threw nothing and logged no error on any page', () => {
      expect(pageErrors).toEqual([]);
    });
  });
});
