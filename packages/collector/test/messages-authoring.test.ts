import type { Message } from '@hark/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCollector, type TestCollector } from './harness.js';
import { ask, createMessage, ids, patchMessage, postMessage } from './message-helpers.js';

let hark: TestCollector;
beforeEach(async () => {
  hark = await startCollector();
});
afterEach(async () => {
  await hark.close();
});

async function refused(definition: unknown): Promise<Record<string, string>> {
  const res = await postMessage(hark, definition);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(400);
  expect(body.error.code).toBe('invalid_fields');
  return body.error.fields;
}

const survey = { name: 'NPS', kind: 'survey', content: { title: 'How likely are you to recommend us?' } };

describe('authoring messages', () => {
  it('creates a draft with every default filled in, so the App never has to guess', async () => {
    const res = await postMessage(hark, survey);
    expect(res.status).toBe(201);
    const message = (await res.json()) as Message;
    expect(message).toMatchObject({
      name: 'NPS',
      kind: 'survey',
      status: 'draft',
      priority: 0,
      content: { title: 'How likely are you to recommend us?', body: '', lowLabel: 'Not likely', highLabel: 'Very likely', submitLabel: 'Send' },
      appearance: { size: 'medium', position: 'bottom_right', dismissible: true, colors: { background: '#ffffff', button: '#2563eb' } },
      conditions: { audience: {}, page: { rules: [] }, trigger: { type: 'page_view' }, schedule: null, frequency: { type: 'once' } },
    });
    expect(await (await hark.admin(`/api/v1/messages/${message.id}`)).json()).toEqual(message);
  });

  it('accepts every kind of condition in one message', async () => {
    const message = await createMessage(hark, {
      name: 'Upgrade nudge',
      kind: 'cta',
      priority: 5,
      content: { title: 'Hi {{name|there}}', body: 'Teams on {{company.plan|free}} love Pro.', buttonLabel: 'Upgrade', url: 'https://example.com/upgrade?u={{userId}}', newTab: true },
      appearance: { size: 'large', position: 'center', colors: { background: '#000', text: '#fff' }, dismissible: false },
      conditions: {
        audience: {
          kinds: ['lead', 'user'],
          traits: [
            { trait: 'plan', op: 'equals', value: 'free' },
            { trait: 'company.name', op: 'contains', value: 'acme' },
            { trait: 'email', op: 'exists' },
            { trait: 'seats', op: 'gt', value: 3 },
            { trait: 'seats', op: 'lt', value: 50 },
          ],
          events: [{ event: 'Created Report', atLeast: 3, withinDays: 30 }, { event: 'Signed Up', atLeast: 1 }],
        },
        page: {
          rules: [
            { mode: 'include', match: 'starts_with', value: '/app' },
            { mode: 'include', match: 'regex', value: '^https://example\\.com/(billing|plans)' },
            { mode: 'exclude', match: 'glob', value: '/app/*/settings' },
            { mode: 'exclude', match: 'contains', value: 'embed=1' },
            { mode: 'exclude', match: 'equals', value: 'https://example.com/app/onboarding' },
          ],
        },
        trigger: { type: 'event', event: 'Report Exported', where: [{ property: 'format', op: 'equals', value: 'pdf' }] },
        schedule: { start: '2026-12-01T09:00', end: '2026-12-24T18:00', timeZone: 'Europe/Paris' },
        frequency: { type: 'every_n_days', days: 7, maxTimes: 3 },
      },
    });
    expect(message.priority).toBe(5);
    expect(message.conditions.page.rules).toHaveLength(5);
    expect(message.appearance.colors).toEqual({ background: '#000', text: '#fff', button: '#2563eb', buttonText: '#ffffff' });
  });

  it('stores a schedule given in a time zone as UTC instants, daylight saving included', async () => {
    const winter = await createMessage(hark, { conditions: { schedule: { start: '2026-12-01T09:00', end: '2026-12-31T23:30', timeZone: 'Europe/Paris' } } });
    expect(winter.conditions.schedule).toEqual({
      start: '2026-12-01T09:00',
      end: '2026-12-31T23:30',
      timeZone: 'Europe/Paris',
      startsAt: '2026-12-01T08:00:00.000Z',
      endsAt: '2026-12-31T22:30:00.000Z',
    });
    const summer = await createMessage(hark, { conditions: { schedule: { start: '2027-07-01T09:00', timeZone: 'America/New_York' } } });
    expect(summer.conditions.schedule).toMatchObject({ startsAt: '2027-07-01T13:00:00.000Z', endsAt: null });
    const withOffset = await createMessage(hark, { conditions: { schedule: { start: '2027-01-10T09:00:00+05:30', timeZone: 'Asia/Tokyo' } } });
    expect(withOffset.conditions.schedule?.startsAt).toBe('2027-01-10T03:30:00.000Z');
    // 02:30 does not exist in Paris on the spring-forward night; it means the instant after the jump.
    const gap = await createMessage(hark, { conditions: { schedule: { start: '2027-03-28T02:30', timeZone: 'Europe/Paris' } } });
    expect(gap.conditions.schedule?.startsAt).toBe('2027-03-28T01:30:00.000Z');
  });

  it('refuses regex rules whose compiled program is too large for one rule or for the message', async () => {
    const regex = (value: string) => ({ mode: 'include', match: 'regex', value });
    const fields = await refused({ ...survey, conditions: { page: { rules: [regex('.{1000}'), regex('/a.{400}'), regex('/b.{400}'), regex('/c.{400}')] } } });
    expect(Object.keys(fields)).toEqual(['conditions.page.rules.0.value', 'conditions.page.rules.3.value']);
    expect(fields['conditions.page.rules.0.value']).toMatch(/more than the 500 a rule may take/);
    expect(fields['conditions.page.rules.3.value']).toMatch(/more than the 1000 a message may take/);
  });

  it('refuses a page rule whose regular expression does not compile, naming the field', async () => {
    const fields = await refused({ ...survey, conditions: { page: { rules: [{ mode: 'include', match: 'equals', value: '/ok' }, { mode: 'include', match: 'regex', value: '(unclosed' }] } } });
    expect(Object.keys(fields)).toEqual(['conditions.page.rules.1.value']);
    expect(fields['conditions.page.rules.1.value']).toMatch(/^must be a valid regular expression in RE2 syntax .*: missing closing \)/);
  });

  it('refuses a page rule that is neither a path nor a whole URL, since it could never match', async () => {
    const fields = await refused({ ...survey, conditions: { page: { rules: [{ mode: 'include', match: 'equals', value: 'example.com/pricing' }] } } });
    expect(fields).toEqual({ 'conditions.page.rules.0.value': 'must start with / (a path) or a scheme like https:// (a whole URL) for equals' });
  });

  it('reports every problem of a message at once, each against its field', async () => {
    const fields = await refused({
      name: '',
      kind: 'cta',
      status: 'published',
      priority: 1.5,
      content: { title: 'Go {{name', url: 'javascript:alert(1)', colour: 'red' },
      appearance: { position: 'middle', colors: { background: 'red' } },
      conditions: {
        audience: {
          kinds: ['admin'],
          traits: [
            { trait: 'plan', op: 'equals' },
            { trait: 'seats', op: 'gt', value: 'many' },
            { trait: 'email', op: 'exists', value: 'x' },
            { trait: 'plan', op: 'matches', value: 'x' },
          ],
          events: [{ event: 'Signed Up', atLeast: 0 }],
        },
        trigger: { type: 'scroll' },
        schedule: { start: 'tomorrow', timeZone: 'Mars/Olympus' },
        frequency: { type: 'every_n_days' },
        colour: 'blue',
      },
    });
    expect(fields).toEqual({
      name: 'must not be empty',
      status: 'must be one of draft, live, paused, archived',
      priority: 'must be a whole number',
      'content.title': 'has a {{ without its }} (or the other way round)',
      'content.url': 'must be an http:// or https:// URL with a host',
      'content.colour': 'is not a known field',
      'appearance.position': 'must be one of top, bottom, top_left, top_right, bottom_left, bottom_right, center',
      'appearance.colors.background': 'must be a colour like #1a2b3c or #abc',
      'conditions.audience.kinds.0': 'must be one of visitor, lead, user',
      'conditions.audience.traits.0.value': 'is required for equals',
      'conditions.audience.traits.1.value': 'must be a number for gt',
      'conditions.audience.traits.2.value': 'must be left out for exists',
      'conditions.audience.traits.3.op': 'must be one of equals, contains, exists, gt, lt',
      'conditions.audience.events.0.atLeast': 'must be at least 1',
      'conditions.trigger.type': 'must be one of page_view, delay, event',
      'conditions.schedule.timeZone': 'must be an IANA time zone such as Europe/Paris or UTC',
      'conditions.frequency.days': 'is required',
      'conditions.colour': 'is not a known field',
    });
  });

  it('explains what each comparison needs once the shape is right', async () => {
    const fields = await refused({
      ...survey,
      conditions: {
        audience: {
          traits: [
            { trait: 'plan', op: 'equals' },
            { trait: 'seats', op: 'gt', value: 'many' },
            { trait: 'email', op: 'exists', value: 'x' },
          ],
        },
        trigger: { type: 'event', event: 'Paid', where: [{ property: 'amount', op: 'lt', value: true }] },
      },
    });
    expect(fields).toEqual({
      'conditions.audience.traits.0.value': 'is required for equals',
      'conditions.audience.traits.1.value': 'must be a number for gt',
      'conditions.audience.traits.2.value': 'must be left out for exists',
      'conditions.trigger.where.0.value': 'must be a number for lt',
    });
  });

  it('refuses schedules that cannot be placed in time', async () => {
    expect(await refused({ ...survey, conditions: { schedule: { start: '2026-12-01T09:00', timeZone: 'Mars/Olympus' } } })).toEqual({
      'conditions.schedule.timeZone': 'must be an IANA time zone such as Europe/Paris or UTC',
    });
    expect(await refused({ ...survey, conditions: { schedule: { start: '2026-12-10T09:00', end: '2026-12-01T09:00', timeZone: 'UTC' } } })).toEqual({
      'conditions.schedule.end': 'must be after start',
    });
    expect(await refused({ ...survey, conditions: { schedule: { start: '2026-02-30T09:00', timeZone: 'UTC' } } })).toHaveProperty(['conditions.schedule.start']);
    expect(await refused({ ...survey, conditions: { schedule: { start: '2026-12-01T09:00' } } })).toEqual({ 'conditions.schedule.timeZone': 'is required' });
    expect(await refused({ ...survey, conditions: { schedule: { timeZone: 'UTC' } } })).toHaveProperty(['conditions.schedule.start']);
  });

  it('checks content against the kind of message', async () => {
    expect(await refused({ name: 'x', kind: 'cta', content: { title: 'Go' } })).toEqual({ 'content.url': 'is required' });
    expect(await refused({ name: 'x', kind: 'notification', content: { title: '', body: '  ' } })).toEqual({ 'content.title': 'give a title or a body' });
    expect(await refused({ name: 'x', kind: 'notification', content: { title: 'Hi', url: 'https://example.com' } })).toEqual({ 'content.url': 'is not a known field' });
    expect(await refused({ name: 'x', kind: 'input', content: { title: 'Email?', inputType: 'phone' } })).toEqual({ 'content.inputType': 'must be one of text, email' });
    expect(await refused({ name: 'x', kind: 'banner', content: { title: 'Hi' } })).toEqual({ kind: 'must be one of notification, input, survey, cta' });
    expect(await refused({ name: 'x', kind: 'cta', content: { title: 'Go', url: 'https://{{host}}.example.com' } })).toEqual({
      'content.url': 'must be an http:// or https:// URL with a host',
    });
  });

  it('answers a body that is not a message with a 400, never a 500', async () => {
    const raw = (body: string) => hark.admin('/api/v1/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await raw('{not json')).status).toBe(400);
    expect((await raw('[1,2]')).status).toBe(400);
    expect((await raw('null')).status).toBe(400);
    const res = await raw(JSON.stringify({ name: 'x', kind: 'notification', content: 'hello' }));
    expect(res.status).toBe(400);
    expect((await res.json()).error.fields).toEqual({ content: 'must be an object' });
  });

  it('lists messages newest first, filtered by status and paged', async () => {
    const made: Message[] = [];
    for (const status of ['draft', 'live', 'live', 'paused', 'archived']) {
      made.push(await createMessage(hark, { name: `m-${made.length}`, status }));
      hark.clock.advance(1000);
    }
    const live = await (await hark.admin('/api/v1/messages?status=live')).json();
    expect(live.items.map((m: Message) => m.name)).toEqual(['m-2', 'm-1']);

    const first = await (await hark.admin('/api/v1/messages?limit=3')).json();
    expect(first.items.map((m: Message) => m.name)).toEqual(['m-4', 'm-3', 'm-2']);
    const second = await (await hark.admin(`/api/v1/messages?limit=3&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((m: Message) => m.name)).toEqual(['m-1', 'm-0']);
    expect(second.nextCursor).toBeNull();

    expect((await hark.admin('/api/v1/messages?status=sent')).status).toBe(400);
    expect((await hark.admin('/api/v1/messages?cursor=garbage')).status).toBe(400);
    expect((await hark.admin('/api/v1/messages/no-such-id')).status).toBe(404);
  });

  it('refuses a deeply nested PATCH with a 400, not a 500', async () => {
    const message = await createMessage(hark, { name: 'deep' });
    const deep = '{"content":' + '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_001);
    const res = await hark.admin(`/api/v1/messages/${message.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: deep });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('invalid_fields');
  });

  it('pages a status filter, and refuses a cursor another list gave out', async () => {
    for (const status of ['live', 'draft', 'live', 'live']) {
      await createMessage(hark, { name: `s-${status}`, status });
      hark.clock.advance(1000);
    }
    const first = await (await hark.admin('/api/v1/messages?status=live&limit=2')).json();
    expect(first.items.map((m: Message) => m.status)).toEqual(['live', 'live']);
    const second = await (await hark.admin(`/api/v1/messages?status=live&limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((m: Message) => m.status)).toEqual(['live']);
    expect(second.nextCursor).toBeNull();

    const suppressionCursor = Buffer.from(JSON.stringify(['email', 'a@example.com'])).toString('base64url');
    expect((await hark.admin(`/api/v1/messages?cursor=${suppressionCursor}`)).status).toBe(400);
  });

  it('patches one field and keeps the rest; null removes an optional condition', async () => {
    const message = await createMessage(hark, {
      kind: 'survey',
      content: { title: 'Rate us', lowLabel: 'Bad' },
      conditions: { schedule: { start: '2026-12-01T09:00', timeZone: 'UTC' }, frequency: { type: 'at_most', times: 2 } },
    });
    hark.clock.advance(5000);
    const res = await patchMessage(hark, message.id, { content: { title: 'Rate us, please' }, conditions: { schedule: null } });
    const patched = (await res.json()) as Message;
    expect(res.status).toBe(200);
    expect(patched.content).toMatchObject({ title: 'Rate us, please', lowLabel: 'Bad' });
    expect(patched.conditions.schedule).toBeNull();
    expect(patched.conditions.frequency).toEqual({ type: 'at_most', times: 2 });
    expect(patched.updatedAt).not.toBe(patched.createdAt);
  });

  it('keeps the stored message untouched when a patch would make it invalid', async () => {
    const message = await createMessage(hark, { name: 'Stable' });
    const res = await patchMessage(hark, message.id, { conditions: { page: { rules: [{ mode: 'include', match: 'regex', value: '[' }] } } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.fields).toEqual({ 'conditions.page.rules.0.value': expect.stringMatching(/^must be a valid regular expression/) });
    expect(await (await hark.admin(`/api/v1/messages/${message.id}`)).json()).toEqual(message);
  });

  it('changes the kind of a message, keeping its title and asking for what the new kind needs', async () => {
    const message = await createMessage(hark, { kind: 'survey', content: { title: 'Keep me', lowLabel: 'Meh' } });
    const missing = await patchMessage(hark, message.id, { kind: 'cta' });
    expect((await missing.json()).error.fields).toEqual({ 'content.url': 'is required' });
    const res = await patchMessage(hark, message.id, { kind: 'cta', content: { url: 'https://example.com' } });
    expect(res.status).toBe(200);
    expect((await res.json()).content).toEqual({ title: 'Keep me', body: '', buttonLabel: 'Learn more', url: 'https://example.com', newTab: false });
  });

  it('moves a message through draft, live, paused and archived, and only live ones reach visitors', async () => {
    const message = await createMessage(hark, { status: 'draft' });
    const visible = async () => ids(await ask(hark, { anonymousId: 'anon-states' })).includes(message.id);
    expect(await visible()).toBe(false);
    for (const [status, shown] of [['live', true], ['paused', false], ['live', true], ['archived', false]] as const) {
      expect((await patchMessage(hark, message.id, { status })).status).toBe(200);
      expect(await visible(), status).toBe(shown);
    }
  });

  it('deletes a message so it is gone from the API and from visitors', async () => {
    const message = await createMessage(hark);
    expect(ids(await ask(hark, { anonymousId: 'anon-del' }))).toEqual([message.id]);
    expect((await hark.admin(`/api/v1/messages/${message.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await hark.admin(`/api/v1/messages/${message.id}`)).status).toBe(404);
    expect((await hark.admin(`/api/v1/messages/${message.id}`, { method: 'DELETE' })).status).toBe(404);
    expect(ids(await ask(hark, { anonymousId: 'anon-del' }))).toEqual([]);
  });
});

describe('who may author', () => {
  const writeKeyBasic = () => `Basic ${Buffer.from(`${hark.project.writeKey}:`).toString('base64')}`;

  it('refuses the write key: it is public, so it may only ask for messages, never write them', async () => {
    const body = JSON.stringify({ ...survey, status: 'live' });
    for (const authorization of [writeKeyBasic(), `Bearer ${hark.project.writeKey}`]) {
      const res = await hark.app.request('/api/v1/messages', { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });
      expect(res.status).toBe(401);
    }
    expect((await hark.app.request(`/api/v1/messages?writeKey=${hark.project.writeKey}`)).status).toBe(401);
    expect((await (await hark.admin('/api/v1/messages')).json()).items).toEqual([]);
  });

  it('refuses the secret key from a browser page', async () => {
    const res = await hark.admin('/api/v1/messages', { headers: { origin: 'https://customer.example' } });
    expect(res.status).toBe(403);
  });

  it('guards results and the suppression list behind the secret key too', async () => {
    const message = await createMessage(hark);
    for (const path of [`/api/v1/messages/${message.id}/results`, '/api/v1/suppressions']) {
      expect((await hark.app.request(path, { headers: { authorization: writeKeyBasic() } })).status).toBe(401);
    }
  });
});
