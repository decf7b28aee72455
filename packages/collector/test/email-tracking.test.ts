import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifyChainToken } from '../src/chain/chain-token.js';
import { addTracking } from '../src/email/track-links.js';
import { listUnsubscribeHeaders, unsubscribeUrl } from '../src/email/unsubscribe-link.js';
import { emailEvents, storeSentEmail } from './email-send-fixture.js';
import { startAutomations } from './automation-helpers.js';
import { mid, startCollector, storeKinds, type TestCollector } from './harness.js';

// On PostgreSQL each test migrates a fresh schema first.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

let hark: TestCollector | null = null;
afterEach(async () => {
  await hark?.close();
  hark = null;
});

const BASE = 'https://hark.test';

async function withContact(c: TestCollector): Promise<{ id: string; secret: string }> {
  await c.send('/v1/batch', { batch: [{ type: 'identify', messageId: mid(), userId: 'u-ann', anonymousId: 'a-ann', traits: { email: 'ann@example.com', name: 'Ann' } }] });
  const person = (await (await c.admin('/api/v1/people/lookup?userId=u-ann')).json()) as { id: string };
  const project = await c.store.findProjectById(c.project.id);
  return { id: person.id, secret: project!.settings.linkSecret };
}

describe.each(storeKinds())('on $name', ({ url: database }) => {
  describe('email tracking', () => {
    it('redirects a click only to the link recorded for that send, records Email Clicked chained to the send, and hands the landing page a chain token', async () => {
      hark = await startCollector({ postgres: database });
      const ann = await withContact(hark);
      const tracked = addTracking('<p><a href="https://shop.test/sale?x=1#top">Sale</a> <a href="https://shop.test/b">B</a></p>', { sendId: 'send-1', baseUrl: BASE, secret: ann.secret });
      await storeSentEmail(hark, { id: 'send-1', personId: ann.id, sentEventId: 'sent-1', links: tracked.links });
      const [first] = [...tracked.html.matchAll(/href="https:\/\/hark\.test(\/e\/c\/[^"]+)"/g)].map((m) => m[1]!);

      const res = await hark.app.request(first!);
      expect(res.status).toBe(302);
      const landing = new URL(res.headers.get('location')!);
      expect(`${landing.origin}${landing.pathname}`).toBe('https://shop.test/sale');
      expect(landing.searchParams.get('x')).toBe('1');
      expect(landing.hash).toBe('#top');
      const events = await emailEvents(hark);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ name: 'Email Clicked', person_id: ann.id, properties: { sendId: 'send-1', url: 'https://shop.test/sale?x=1#top', linkIndex: 0 }, context: { hark: { parentId: 'sent-1', rootId: 'sent-1' } }, parent_id: 'sent-1', root_id: 'sent-1' });
      expect(verifyChainToken(ann.secret, landing.searchParams.get('hk_chain')!)).toEqual({ rootId: 'sent-1', parentId: events[0]!.message_id, personId: ann.id });

      // The same click within the minute is one event; a minute later it is another.
      await hark.app.request(first!);
      expect(await emailEvents(hark)).toHaveLength(1);
      hark.clock.advance(60_000);
      await hark.app.request(first!);
      expect(await emailEvents(hark)).toHaveLength(2);
    });

    it('answers 404 to a forged, edited or unknown click token and never redirects elsewhere', async () => {
      hark = await startCollector({ postgres: database });
      const ann = await withContact(hark);
      const tracked = addTracking('<a href="https://shop.test/a">A</a>', { sendId: 'send-1', baseUrl: BASE, secret: ann.secret });
      await storeSentEmail(hark, { id: 'send-1', personId: ann.id, sentEventId: 'sent-1', links: tracked.links });
      // A link index the send does not have, signed with the wrong secret; and one signed right but past the recorded links.
      const wrongSecret = addTracking('<a href="https://evil.test/">x</a>', { sendId: 'send-1', baseUrl: BASE, secret: 'guess' }).html;
      const outOfRange = addTracking('<a href="https://shop.test/a">A</a><a href="https://evil.test/">x</a>', { sendId: 'send-1', baseUrl: BASE, secret: ann.secret }).html;
      const path = (html: string, n = 0) => [...html.matchAll(/https:\/\/hark\.test(\/e\/c\/[^"]+)"/g)][n]![1]!;
      const forged = `/e/c/${Buffer.from(JSON.stringify({ s: 'send-1', i: 0 })).toString('base64url')}.AAAA`;
      for (const url of [path(wrongSecret), path(outOfRange, 1), forged, '/e/c/nonsense', '/e/c/%ZZ', `/e/c/${'x'.repeat(5000)}`]) {
        const res = await hark.app.request(url);
        expect(res.status, url).toBe(404);
        expect(res.headers.get('location')).toBeNull();
        expect(await res.text()).toBe('This link is not valid.');
      }
      expect(await emailEvents(hark)).toHaveLength(0);
    });

    it('serves the open pixel and records Email Opened chained to the send once per send and minute', async () => {
      hark = await startCollector({ postgres: database });
      const ann = await withContact(hark);
      const tracked = addTracking('<html><body>Hi</body></html>', { sendId: 'send-2', baseUrl: BASE, secret: ann.secret });
      await storeSentEmail(hark, { id: 'send-2', personId: ann.id, sentEventId: 'sent-2', links: tracked.links });
      const pixel = /https:\/\/hark\.test(\/e\/o\/[^"]+\.gif)/.exec(tracked.html)![1]!;

      for (let i = 0; i < 3; i++) {
        const res = await hark.app.request(pixel);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('image/gif');
        expect(Buffer.from(await res.arrayBuffer()).subarray(0, 6).toString('latin1')).toBe('GIF89a');
      }
      const events = await emailEvents(hark);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ name: 'Email Opened', person_id: ann.id, properties: { sendId: 'send-2' }, context: { hark: { parentId: 'sent-2', rootId: 'sent-2' } }, parent_id: 'sent-2', root_id: 'sent-2' });
      expect((await hark.app.request(pixel.replace('.gif', '.png'))).status).toBe(404);
      expect((await hark.app.request(pixel.replace(/\/e\/o\/./, '/e/o/x'))).status).toBe(404);
      // A click token is not an open token.
      const click = addTracking('<a href="https://a.test/">a</a>', { sendId: 'send-2', baseUrl: BASE, secret: ann.secret }).html;
      expect((await hark.app.request(`${/\/e\/c\/([^"]+)"/.exec(click)![0]!.slice(0, -1).replace('/e/c/', '/e/o/')}.gif`)).status).toBe(404);
    });

    it('answers 404 for a correctly signed token naming a send that does not exist', async () => {
      hark = await startCollector({ postgres: database });
      const ann = await withContact(hark);
      const pixel = /https:\/\/hark\.test(\/e\/o\/[^"]+\.gif)/.exec(addTracking('', { sendId: 'no-such-send', baseUrl: BASE, secret: ann.secret }).html)![1]!;
      expect((await hark.app.request(pixel)).status).toBe(404);
      expect(await emailEvents(hark)).toHaveLength(0);
    });
  });

  describe('unsubscribe', () => {
    it('shows a confirmation page on GET without unsubscribing, and suppresses the address on the one-click POST', async () => {
      hark = await startCollector({ postgres: database });
      const ann = await withContact(hark);
      await storeSentEmail(hark, { id: 'send-3', personId: ann.id, sentEventId: 'sent-3', links: [], toEmail: 'Ann@Example.com' });
      const url = unsubscribeUrl({ baseUrl: BASE, secret: ann.secret, projectId: hark.project.id, personId: ann.id, sendId: 'send-3' });
      expect(listUnsubscribeHeaders(url)['List-Unsubscribe']).toBe(`<${url}>`);
      const path = url.slice(BASE.length);
      const suppressed = async () => ((await (await hark!.admin('/api/v1/suppressions')).json()) as { items: { type: string; value: string }[] }).items;

      const page = await hark.app.request(path);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(await page.text()).toContain('<form method="post"><button type="submit">Unsubscribe</button></form>');
      expect(await suppressed()).toEqual([]);

      // What a mail client sends for RFC 8058 one-click.
      const post = () => hark!.app.request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      expect((await post()).status).toBe(200);
      expect(await suppressed()).toMatchObject([{ type: 'email', value: 'ann@example.com' }]);
      expect((await post()).status).toBe(200);
      const events = await emailEvents(hark);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ name: 'Email Unsubscribed', person_id: ann.id, properties: { sendId: 'send-3', email: 'ann@example.com' }, context: { hark: { parentId: 'sent-3' } } });
    });

    it('refuses a forged or another project’s unsubscribe token with 404', async () => {
      hark = await startCollector({ postgres: database });
      const ann = await withContact(hark);
      const forged = unsubscribeUrl({ baseUrl: BASE, secret: 'not-the-secret', projectId: hark.project.id, personId: ann.id, sendId: null }).slice(BASE.length);
      const otherProject = unsubscribeUrl({ baseUrl: BASE, secret: ann.secret, projectId: 'no-such-project', personId: ann.id, sendId: null }).slice(BASE.length);
      for (const path of [forged, otherProject, '/e/u/garbage']) {
        expect((await hark.app.request(path)).status).toBe(404);
        expect((await hark.app.request(path, { method: 'POST', body: 'List-Unsubscribe=One-Click' })).status).toBe(404);
      }
      expect(await emailEvents(hark)).toHaveLength(0);
    });
  });
});

// Automation runs are on SQLite only so far (routes/automation-routes.ts answers 501 for a live one
// on PostgreSQL), and startAutomations reads runs from the SQLite file.
describe('an open and the live automations, on SQLite', () => {
  it('hands Email Opened to the live automations, as ingest hands them a tracked event: a run starts on the open', async () => {
    const automations = await startAutomations();
    hark = automations;
    const ann = await withContact(automations);
    const followUp = await automations.create({ trigger: { type: 'event', event: 'Email Opened' }, steps: [{ id: 'done', type: 'exit' }] });
    const tracked = addTracking('<p>Hi</p>', { sendId: 'send-3', baseUrl: BASE, secret: ann.secret });
    await storeSentEmail(automations, { id: 'send-3', personId: ann.id, sentEventId: 'sent-3', links: tracked.links });
    const pixel = /https:\/\/hark\.test(\/e\/o\/[^"]+\.gif)/.exec(tracked.html)![1]!;
    expect((await automations.app.request(pixel)).status).toBe(200);
    await automations.drain();
    const runs = await automations.runs(followUp.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ personId: ann.id, status: 'finished' });
  });
});
