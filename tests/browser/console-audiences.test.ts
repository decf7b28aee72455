import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium, root, startCollector, type RunningCollector } from './harness.js';

/**
 * The console's audience pages (issue 11) in real Chromium against a real collector: a segment
 * built with the rule-tree builder, its live count changing as a condition is added, saved and
 * filled; a CSV pasted into a list, its columns mapped, the import's progress and a rejected row
 * with its line and reason.
 */

const PASSWORD = 'correct horse battery';
const shots = join(root, 'docs', 'screenshots');

let browser: Browser;
let collector: RunningCollector;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

const liveCount = (target: Page) => target.locator('.live-count [role="status"]');

describe.skipIf(!browserAvailable)('the console’s audiences', () => {
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    browser = await launchChromium();
    collector = await startCollector();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const send = (path: string, body: Record<string, unknown>) =>
      fetch(`${collector.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ writeKey: collector.writeKey, ...body }) });
    for (const [userId, plan] of [['u-1', 'pro'], ['u-2', 'pro'], ['u-3', 'free']]) {
      expect((await send('/v1/identify', { userId, traits: { name: `User ${userId}`, email: `${userId}@example.com`, plan } })).status).toBe(200);
    }
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

  it('builds a segment with the rule-tree builder and sees the live count follow each change', async () => {
    await page.goto(`${collector.url}/console/segments/new`);
    await page.getByLabel('Name', { exact: true }).fill('Pro users');
    // The starting tree (users) matches all three.
    await expect.poll(() => liveCount(page).textContent(), { timeout: 15_000 }).toMatch(/^3\s*people match/);
    await page.getByLabel('Add a condition to this group').first().selectOption('trait');
    // An unfinished condition: the collector's field error shows beside its field.
    await page.locator('#f-rules-and-1-trait-error').waitFor();
    await page.getByLabel('Trait', { exact: true }).fill('plan');
    await page.getByLabel('Value', { exact: true }).fill('pro');
    await expect.poll(() => liveCount(page).textContent(), { timeout: 15_000 }).toMatch(/^2\s*people match/);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.screenshot({ path: join(shots, 'console-segments.png'), animations: 'disabled', caret: 'hide' });
    await page.getByRole('button', { name: 'Create segment' }).click();
    await page.getByRole('heading', { name: 'Pro users' }).waitFor();
    await page.getByRole('table', { name: 'Members of Pro users' }).getByText('User u-1').waitFor({ timeout: 15_000 });
    await page.goto(`${collector.url}/console/segments`);
    const row = page.getByRole('row', { name: /Pro users/ });
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toMatch(/Pro users2Ready/);
  });

  it('imports pasted CSV rows into a list, with the progress and a rejected row', async () => {
    await page.goto(`${collector.url}/console/lists`);
    await page.getByLabel('Name', { exact: true }).fill('Newsletter');
    await page.getByRole('button', { name: 'Create list' }).click();
    await page.getByRole('heading', { name: 'Newsletter' }).waitFor();
    await page.getByLabel('Pasted rows').check();
    await page.getByLabel('Rows, the first line the column names').fill('E-mail;Full name;Plan\nbea@example.com;Bea;pro\n;No Mail;free\nu-1@example.com;User u-1;pro\n');
    expect(await page.getByLabel('What column E-mail holds').inputValue()).toBe('email');
    expect(await page.getByLabel('What column Plan holds').inputValue()).toBe('trait');
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('heading', { name: 'Import finished' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('.import-progress progress').count()).toBe(1);
    expect(await page.locator('.import-progress [role="status"]').textContent()).toBe('3 rows read · 1 created · 1 updated · 1 rejected');
    const rejected = page.getByRole('table', { name: 'Rejected rows' });
    expect(await rejected.locator('tbody tr').first().locator('td').allTextContents()).toEqual(['3', 'missing email']);
    await page.getByRole('table', { name: /People on Newsletter/ }).getByRole('link', { name: 'Bea', exact: true }).waitFor({ timeout: 15_000 });
    expect(pageErrors).toEqual([]);
  });
});
