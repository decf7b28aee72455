import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../packages/collector/src/app.js';
import { systemClock } from '../../packages/collector/src/clock.js';
import { createOutboxTransport, emailJobHandlers, jobsEmailQueue } from '../../packages/collector/src/email/index.js';
import { createJobRunner } from '../../packages/collector/src/jobs/job-runner.js';
import { openSqliteStore } from '../../packages/collector/src/store/sqlite/sqlite-store.js';
import { createSignIn } from '../../packages/collector/src/team/index.js';
import { browserAvailable, launchChromium, root, startCollector, type RunningCollector } from './harness.js';

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
    // The heading shows before the list has loaded: wait for the answer, then check it is the one.
    await page.getByText('The outbox is empty').waitFor({ timeout: 15_000 });
    expect(await page.getByText('The outbox is empty').count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});

describe.skipIf(!browserAvailable)('the console’s outbox with a kept mail', () => {
  it('lists the mail and shows its headers, its HTML in a sandboxed frame where its script does not run, its text and its attachment', async () => {
    // A collector with the job runner beside it (the shared harness has none), as `npm start` runs.
    const dir = mkdtempSync(join(tmpdir(), 'hark-outbox-'));
    const store = openSqliteStore({ path: join(dir, 'hark.db') });
    const { project } = await store.ensureDefaultProject({});
    const app = createApp({ store, static: { sdkDir: join(root, 'packages', 'sdk', 'dist'), demoDir: join(root, 'examples', 'demo'), consoleDir: join(root, 'packages', 'console', 'dist'), writeKey: project.writeKey }, logError: () => undefined });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((done) => server.once('listening', done));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const runner = createJobRunner({ store, clock: systemClock, handlers: emailJobHandlers({ store, clock: systemClock, transport: createOutboxTransport(store.emails, systemClock), queue: jobsEmailQueue(store.jobs, systemClock) }) });
    const browser2 = await launchChromium();
    try {
      const sent = await fetch(`${base}/api/v1/emails`, {
        method: 'POST',
        headers: { authorization: `Bearer ${project.secretKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ to: 'kim@example.com', from: 'Acme <hello@acme.test>', subject: 'Your receipt', text: 'Thanks, Kim', html: '<p id="greeting">Thanks, <b>Kim</b></p><script>parent.document.title = "owned"</script>', attachments: [{ name: 'receipt.txt', type: 'text/plain', content: Buffer.from('paid 42').toString('base64') }] }),
      });
      expect(sent.status).toBe(202);
      expect(await runner.runOnce()).toBe(1);

      const tab = await (await browser2.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      const errors: string[] = [];
      tab.on('pageerror', (error) => errors.push(error.message));
      const token = await createSignIn({ store, clock: systemClock }).prepareSetup(project.id);
      await tab.goto(`${base}/console/setup?token=${encodeURIComponent(token!)}`);
      await tab.getByLabel('Your name').fill('Ada Admin');
      await tab.getByLabel('Email').fill('ada@team.test');
      await tab.getByLabel('Password').fill('correct horse battery');
      await tab.getByRole('button', { name: 'Create admin and log in' }).click();
      await tab.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Outbox' }).click();
      await tab.getByRole('link', { name: 'Your receipt' }).click();
      await tab.getByRole('heading', { name: 'Your receipt', level: 1 }).waitFor();
      expect(await tab.getByRole('row', { name: /^Subject/ }).textContent()).toContain('Your receipt');
      expect(await tab.getByRole('row', { name: /^Message-ID/ }).textContent()).toContain('@acme.test>');
      const frame = tab.locator('iframe[title="HTML of Your receipt"]');
      expect(await frame.getAttribute('sandbox')).toBe('');
      await expect.poll(() => tab.frameLocator('iframe[title="HTML of Your receipt"]').locator('#greeting').textContent()).toBe('Thanks, Kim');
      expect(await tab.title()).not.toBe('owned'); // the mail's script never ran
      expect(await tab.getByText('Thanks, Kim', { exact: true }).count()).toBe(1); // the text part
      // The attachment is offered with its type and size (its bytes are checked by the API tests).
      expect(await tab.getByRole('button', { name: 'Download receipt.txt' }).count()).toBe(1);
      expect(await tab.getByRole('listitem').filter({ hasText: 'receipt.txt' }).textContent()).toContain('(text/plain, 7 B)');
      expect(errors).toEqual([]);
    } finally {
      await browser2.close();
      await new Promise((done) => server.close(done));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
