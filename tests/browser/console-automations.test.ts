import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { automationJobHandlers, type ActionHandler } from '../../packages/collector/src/automations/index.js';
import { systemClock } from '../../packages/collector/src/clock.js';
import { createJobRunner, type JobRunner } from '../../packages/collector/src/jobs/job-runner.js';
import { browserAvailable, launchChromium, root, startCollector, type RunningCollector } from './harness.js';

/**
 * The console's automations (issue 12) in real Chromium against a real collector with a job
 * runner: an automation built from the forms (an event trigger, a wait-free action step), put
 * live, a contact's event runs it, and the runs table and the step's counts show the run.
 */

const PASSWORD = 'correct horse battery';

let browser: Browser;
let collector: RunningCollector;
let runner: JobRunner;
let page: Page;
const pageErrors: string[] = [];

describe.skipIf(!browserAvailable)('the console’s automations', () => {
  beforeAll(async () => {
    browser = await launchChromium();
    collector = await startCollector();
    // An email step that sends nothing (the email module has its own browser tests): the counts are what is shown here.
    const email: ActionHandler<'email'> = { type: 'email', run: async () => undefined };
    runner = createJobRunner({ store: collector.store, clock: systemClock, handlers: automationJobHandlers({ store: collector.store, actions: [email as ActionHandler] }), pollMs: 100, logError: () => undefined });
    runner.start();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const link = new URL((await collector.setupLink())!);
    await page.goto(`${collector.url}${link.pathname}${link.search}`);
    await page.getByLabel('Your name').fill('Ada Admin');
    await page.getByLabel('Email').fill('ada@team.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create admin and log in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  });

  afterAll(async () => {
    await runner?.stop();
    await browser?.close();
    await collector?.close();
  });

  it('builds an automation with forms, puts it live, and sees a contact’s run finish', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Automations' }).click();
    await page.getByRole('link', { name: 'New automation' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Welcome');
    await page.getByLabel('Event name').fill('Signed Up');
    await page.getByLabel('Add a step to Steps').selectOption('action');
    await page.getByLabel('Action', { exact: true }).selectOption('update_traits');
    await page.getByLabel('Trait', { exact: true }).fill('welcomed');
    await page.getByLabel('Value', { exact: true }).fill('yes');
    await page.getByRole('button', { name: 'Create automation' }).click();
    await page.getByRole('heading', { name: 'Welcome' }).waitFor();
    await page.getByRole('button', { name: 'Go live' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();

    const send = await fetch(`${collector.url}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeKey: collector.writeKey, userId: 'u-1', event: 'Signed Up' }),
    });
    expect(send.status).toBe(200);
    await expect
      .poll(async () => (await collector.admin<{ traits: Record<string, unknown> }>('/api/v1/people/lookup?userId=u-1'))?.traits.welcomed, { timeout: 15_000 })
      .toBe('yes');

    await page.reload();
    const runs = page.getByRole('table', { name: 'Runs, newest first' });
    await expect.poll(() => runs.textContent(), { timeout: 15_000 }).toMatch(/finished/);
    await expect.poll(() => page.locator('.step-counts').first().textContent()).toMatch(/1 entered · 0 waiting · 1 passed/);

    await page.screenshot({ path: join(root, 'docs', 'screenshots', 'console-automations.png'), fullPage: true, animations: 'disabled', caret: 'hide' });

    await page.goto(`${collector.url}/console/automations`);
    await expect.poll(() => page.getByRole('row', { name: /Welcome/ }).textContent()).toMatch(/WelcomeLive1/);
    expect(pageErrors).toEqual([]);
  });

  it('shows an email step’s sends and the conversions that followed on its step counts', async () => {
    const automation = await collector.adminSend<{ id: string }>('/api/v1/automations', {
      name: 'Nudge',
      status: 'live',
      entry: 'every_time',
      trigger: { type: 'event', event: 'Trial Started' },
      exit: { goal: { event: 'Upgraded' } },
      steps: [
        { id: 'mail', type: 'action', action: { type: 'email', templateId: 'nudge' }, next: 'w' },
        { id: 'w', type: 'wait', duration: { amount: 1, unit: 'days' } },
      ],
    });
    const track = (userId: string, event: string) =>
      fetch(`${collector.url}/v1/track`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ writeKey: collector.writeKey, userId, event }) });
    for (const userId of ['t-1', 't-2']) expect((await track(userId, 'Trial Started')).status).toBe(200);
    await expect
      .poll(async () => (await collector.admin<{ steps: Record<string, { email?: { sent: number } }> }>(`/api/v1/automations/${automation.id}/stats`))?.steps.mail?.email?.sent, { timeout: 15_000 })
      .toBe(2);
    expect((await track('t-1', 'Upgraded')).status).toBe(200);
    await expect.poll(async () => (await collector.admin<{ conversions: number }>(`/api/v1/automations/${automation.id}/stats`))?.conversions, { timeout: 15_000 }).toBe(1);

    await page.goto(`${collector.url}/console/automations/${automation.id}`);
    await expect.poll(() => page.locator('.step-counts[data-step="mail"]').textContent(), { timeout: 15_000 }).toMatch(/sent to 2 · 1 converted \(50%\)/);
    expect(pageErrors).toEqual([]);
  });
});
