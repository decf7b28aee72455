import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium, startCollector, type RunningCollector } from './harness.js';

/**
 * The chain of events and inbound webhooks in the console (issue 12), in real Chromium against a
 * real collector: a contact's timeline shows the visit under the email that led to it and opens
 * the whole chain; an inbound webhook is made from the mapping form, tried on a sample, and its
 * URL (shown once) takes a delivery that lands on the timeline.
 */

const PASSWORD = 'correct horse battery';
let browser: Browser;
let collector: RunningCollector;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

describe.skipIf(!browserAvailable)('the console’s chain of events and inbound webhooks', () => {
  beforeAll(async () => {
    browser = await launchChromium();
    collector = await startCollector();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 9, minute)).toISOString();
    const batch = [
      { type: 'identify', messageId: 'id-1', userId: 'ana', traits: { name: 'Ana', email: 'ana@example.com' }, timestamp: at(0) },
      { type: 'track', messageId: 'sent-1', userId: 'ana', event: 'Email Sent', properties: { subject: 'Welcome' }, timestamp: at(1) },
      { type: 'page', messageId: 'landing-1', userId: 'ana', name: 'Tutorial', properties: { path: '/tutorial', title: 'Tutorial' }, context: { hark: { parentId: 'sent-1' } }, timestamp: at(2) },
      { type: 'track', messageId: 'step-1', userId: 'ana', event: 'Tutorial Finished', context: { hark: { parentId: 'landing-1' } }, timestamp: at(3) },
      { type: 'track', messageId: 'other-1', userId: 'ana', event: 'Settings Opened', timestamp: at(4) },
    ];
    const res = await fetch(`${collector.url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ writeKey: collector.writeKey, batch }) });
    expect(res.status).toBe(200);
    const link = new URL((await collector.setupLink())!);
    await page.goto(`${collector.url}${link.pathname}${link.search}`);
    await page.getByLabel('Your name').fill('Ada Admin');
    await page.getByLabel('Email').fill('ada@team.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create admin and log in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await collector?.close();
  });

  it('shows the visit under the email that led to it, filters by channel, and opens the chain', async () => {
    const person = (await collector.admin<{ id: string }>('/api/v1/people/lookup?userId=ana'))!;
    await page.goto(`${collector.url}/console/contacts/${person.id}`);
    const followed = page.getByRole('list', { name: 'Events that followed Email Sent' });
    await followed.waitFor();
    expect(await followed.getByRole('listitem').allTextContents()).toEqual([expect.stringContaining('Viewed Tutorial'), expect.stringContaining('Tutorial Finished')]);
    await page.getByLabel('Channel').selectOption('email');
    const timeline = page.getByRole('list', { name: 'Activity, newest first' });
    await expect.poll(() => timeline.textContent()).not.toContain('Settings Opened');
    expect(await timeline.textContent()).toContain('Tutorial Finished');
    await page.getByRole('button', { name: 'Open chain' }).click();
    const chain = page.getByRole('region', { name: 'Chain of events' });
    await chain.getByText('3 events').waitFor();
    expect(await chain.textContent()).toMatch(/Email Sent.*Viewed Tutorial.*Tutorial Finished/s);
  });

  it('makes an inbound webhook from the mapping form, tries a sample, and takes a delivery at the URL shown once', async () => {
    await page.goto(`${collector.url}/console/settings/inbound-webhooks`);
    await page.getByLabel('Name', { exact: true }).fill('Demo form');
    await page.getByLabel('Name of the event').fill('Demo Requested');
    await page.getByLabel('JSON path of the email').fill('$.fields.email');
    await page.getByLabel("JSON path of the delivery's id (a repeated delivery is stored once)").fill('$.id');
    await page.getByRole('button', { name: 'Add a trait' }).click();
    await page.getByLabel('Name', { exact: true }).nth(1).fill('company');
    await page.getByLabel('JSON path of company').fill('$.fields.company');
    await page.getByLabel('A sample payload (JSON)').fill('{"id":"d1","fields":{"email":"bea@example.com","company":"Acme"}}');
    await page.getByRole('button', { name: 'Show the event' }).click();
    const mapped = page.getByRole('definition').filter({ hasText: 'bea@example.com' });
    await mapped.waitFor();
    await page.getByRole('button', { name: 'Make the source' }).click();
    const url = await page.getByRole('region', { name: "The new source's URL" }).locator('code').textContent();
    expect(url).toMatch(/\/hooks\/hk_h_/);
    const delivery = await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'd1', fields: { email: 'bea@example.com', company: 'Acme' } }) });
    expect(delivery.status).toBe(202);
    await page.getByText('Demo form').first().waitFor();
    const bea = (await collector.admin<{ traits: Record<string, unknown> }>('/api/v1/people/lookup?email=bea@example.com'))!;
    expect(bea.traits).toMatchObject({ company: 'Acme' });
    expect(pageErrors).toEqual([]);
  });
});
