import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium, startCollector, type RunningCollector } from './harness.js';

/**
 * The console's sending pages (issue 13) in real Chromium: Settings → Email domains adds a domain
 * and shows the DNS records to copy, the send settings save, and the Outbox explains itself when
 * empty. (Verification looks records up in real DNS, which this machine does not reach: the API
 * tests cover it with a stub resolver.)
 */

let browser: Browser;
let collector: RunningCollector;
let page: Page;
const pageErrors: string[] = [];

describe.skipIf(!browserAvailable)('the console’s email sending pages', () => {
  beforeAll(async () => {
    browser = await launchChromium();
    collector = await startCollector();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
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

  it('adds a sending domain and shows its DKIM, SPF records to publish; saves the send settings', async () => {
    await page.goto(`${collector.url}/console/settings`);
    await page.getByRole('link', { name: 'Email domains' }).click();
    await page.getByRole('heading', { name: 'Sending domains', level: 2, exact: true }).waitFor();
    await page.getByLabel('Domain (the part after @ in From)').fill('not a domain');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await expect.poll(() => page.locator('#f-domain-error').textContent()).toMatch(/must be a domain name/);
    await page.getByLabel('Domain (the part after @ in From)').fill('mail.acme.test');
    await page.getByRole('button', { name: 'Add domain' }).click();
    const records = page.getByRole('table', { name: 'DNS records to publish for mail.acme.test' });
    await records.waitFor();
    const dkim = records.getByRole('row', { name: /DKIM/ });
    expect(await dkim.textContent()).toMatch(/hark[0-9a-f]{6}\._domainkey\.mail\.acme\.test/);
    expect(await dkim.textContent()).toMatch(/v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{300,}/);
    expect(await records.getByRole('row', { name: /SPF/ }).textContent()).toContain('v=spf1');
    expect(await page.getByText('Not verified yet').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Copy the DKIM record value' }).count()).toBe(1);
    const [domain] = (await collector.admin<{ items: { domain: string; status: string }[] }>('/api/v1/domains'))!.items;
    expect(domain).toMatchObject({ domain: 'mail.acme.test', status: 'pending' });

    await page.getByLabel('Sends per minute (more wait for the next minute)').fill('120');
    await page.getByLabel('Default From for automations').fill('Acme <hello@mail.acme.test>');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => collector.admin('/api/v1/email-settings')).toEqual({ sendsPerMinute: 120, defaultFrom: 'Acme <hello@mail.acme.test>' });
    expect(pageErrors).toEqual([]);
  });

  it('shows the outbox, empty until mail is kept', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Outbox' }).click();
    await page.getByRole('heading', { name: 'Outbox', level: 1 }).waitFor();
    expect(await page.getByText('The outbox is empty').count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
