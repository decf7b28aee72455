import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { browserAvailable, launchChromium, startCollector, type RunningCollector } from './harness.js';

/**
 * Settings → Webhooks in real Chromium: a webhook made with a form, its secret shown once, a
 * test event sent to a real receiver on 127.0.0.1 that checks the signature, and the delivery in
 * the table; then disabled and deleted, all without writing JSON.
 */
const PASSWORD = 'correct horse battery';
let browser: Browser;
let collector: RunningCollector;
let page: Page;
const pageErrors: string[] = [];
const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    received.push({ headers: req.headers, body });
    res.writeHead(200).end('ok');
  });
});

describe.skipIf(!browserAvailable)('the console’s webhooks', () => {
  beforeAll(async () => {
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    browser = await launchChromium();
    collector = await startCollector({ webhooks: true });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
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
    await browser?.close();
    await collector?.close();
    receiver.closeAllConnections();
    await new Promise((done) => receiver.close(done));
  });

  it('creates a webhook, shows its secret once, sends a signed test event and lists the delivery', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/in`;
    await page.goto(`${collector.url}/console/settings/webhooks`);
    await page.getByRole('heading', { name: 'No webhooks' }).waitFor();
    // A bad URL: the collector's field error shows beside the field.
    await page.getByLabel('URL (http or https)').fill('ftp://example.com/in');
    await page.getByLabel('Event names, one per line').fill('Signed Up\nOrdered');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await page.locator('.field-error').filter({ hasText: 'must use http or https' }).waitFor();
    await page.getByLabel('URL (http or https)').fill(url);
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const secret = (await page.getByRole('status').filter({ hasText: 'Signing secret' }).locator('code').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByText('Events: "Signed Up", "Ordered"').waitFor();

    await page.getByRole('button', { name: 'Send test event' }).click();
    await expect.poll(() => received.length, { timeout: 15_000 }).toBe(1);
    const [got] = received;
    const timestamp = String(got!.headers['hark-webhook-timestamp']);
    expect(got!.headers['hark-webhook-signature']).toBe(`v1=${createHmac('sha256', secret).update(`${timestamp}.${got!.body}`).digest('hex')}`);

    await page.getByRole('button', { name: /^Deliveries/ }).click();
    const table = page.getByRole('region', { name: 'Deliveries' }).getByRole('table');
    await expect.poll(async () => (await table.locator('tbody tr').first().textContent()) ?? '', { timeout: 15_000 }).toMatch(/webhook\.testDelivered1200/);

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByText('Disabled', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete for good' }).click();
    await page.getByRole('heading', { name: 'No webhooks' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
