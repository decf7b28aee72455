import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium, startCollector, type RunningCollector } from './harness.js';

/**
 * The console's email templates (issue 13) in real Chromium: a template written in the editor,
 * its live preview for a chosen contact drawn in a sandboxed frame with the contact's traits
 * escaped, the missing variables listed, a Liquid error shown beside its field, and the saved
 * template in the list.
 */

let browser: Browser;
let collector: RunningCollector;
let page: Page;
const pageErrors: string[] = [];

describe.skipIf(!browserAvailable)('the console’s email templates', () => {
  beforeAll(async () => {
    browser = await launchChromium();
    collector = await startCollector();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const identify = await fetch(`${collector.url}/v1/identify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeKey: collector.writeKey, userId: 'u-1', traits: { name: 'Ann <b>bold</b>', email: 'ann@example.com' } }),
    });
    expect(identify.status).toBe(200);
    const link = new URL((await collector.setupLink())!);
    await page.goto(`${collector.url}${link.pathname}${link.search}`);
    await page.getByLabel('Your name').fill('Ada Admin');
    await page.getByLabel('Email').fill('ada@team.test');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create admin and log in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await collector?.close();
  });

  it('writes a template beside a live preview for a chosen contact, shows Liquid errors by field, and lists it', async () => {
    await page.getByRole('link', { name: 'Email' }).click();
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Welcome');
    await page.getByLabel('Subject').fill('Hi {{ person.traits.name }}');
    await page.getByLabel('HTML').fill('<p style="color: rgb(200, 0, 0)">Hello {{ person.traits.name }}{{ person.traits.plan }}</p>');
    await page.getByLabel('Preview for').selectOption({ label: 'Ann <b>bold</b>' });

    const frame = page.frameLocator('iframe.email-preview');
    await expect.poll(() => frame.locator('p').textContent(), { timeout: 15_000 }).toBe('Hello Ann <b>bold</b>');
    // Sandboxed to an opaque origin; the email's inline styles apply (the frame's page has its own policy).
    expect(await page.locator('iframe.email-preview').getAttribute('sandbox')).toBe('allow-scripts');
    expect(await frame.locator('p').evaluate((p) => getComputedStyle(p).color)).toBe('rgb(200, 0, 0)');
    expect(await frame.locator('body').evaluate(() => { try { return String(window.parent.document.title); } catch { return 'blocked'; } })).toBe('blocked');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'person.traits.plan is not set' }).count()).toBe(1);
    expect(await page.getByText('Subject: Hi Ann <b>bold</b>', { exact: false }).count()).toBe(1);

    await page.getByLabel('HTML').fill('<p>{% if person.traits.plan %}</p>');
    await page.getByRole('button', { name: 'Save template' }).click();
    await expect.poll(() => page.locator('#f-html-error').textContent()).toMatch(/^line 1, column 4: /);

    await page.getByLabel('HTML').fill('<p>Hello {{ person.traits.name }}</p>');
    await page.getByRole('button', { name: 'Save template' }).click();
    // A new template's editor reopens at its own address, titled with its name.
    await page.getByRole('heading', { name: 'Welcome', level: 1 }).waitFor();
    await page.waitForURL(/\/console\/email-templates\/[0-9a-f-]{36}$/);
    await page.getByRole('link', { name: '← Email templates' }).click();
    await page.getByRole('cell', { name: 'Hi {{ person.traits.name }}' }).waitFor();
    expect(await page.getByRole('link', { name: 'Welcome' }).count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });

  it('lists the sends with their template and status', async () => {
    const templates = (await collector.admin<{ items: { id: string }[] }>('/api/v1/email-templates'))!;
    const sent = await collector.adminSend<{ id: string }>('/api/v1/emails', { to: 'ann@example.com', from: 'hello@example.com', templateId: templates.items[0]!.id });
    expect(sent.id).toBeTruthy();
    await page.goto(`${collector.url}/console/email-templates`);
    await page.getByRole('link', { name: 'Sends' }).click();
    await page.getByRole('heading', { name: 'Email sends' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'ann@example.com' });
    await row.waitFor();
    expect(await row.getByRole('cell', { name: 'Welcome' }).count()).toBe(1);
    expect(await row.getByRole('cell', { name: 'Hi Ann <b>bold</b>' }).count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
