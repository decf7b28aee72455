import { afterEach, describe, expect, it } from 'vitest';
import { mid, startCollector, type TestCollector } from './harness.js';

let hark: TestCollector | null = null;
afterEach(async () => {
  await hark?.close();
  hark = null;
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await hark!.admin(path, { method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  return { status: res.status, json: res.status === 204 ? null : await res.json() };
}

describe('email templates API', () => {
  it('creates, lists, reads, updates and deletes a template', async () => {
    hark = await startCollector();
    const created = await call('POST', '/api/v1/email-templates', { name: 'Welcome', kind: 'marketing', subject: 'Hi {{ person.traits.name }}', html: '<p>Hi</p>' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'Welcome', kind: 'marketing', subject: 'Hi {{ person.traits.name }}', text: null, html: '<p>Hi</p>' });
    const id = created.json.id as string;
    expect((await call('GET', '/api/v1/email-templates')).json.items.map((t: { id: string }) => t.id)).toEqual([id]);
    hark.clock.advance(1000);
    const updated = await call('PATCH', `/api/v1/email-templates/${id}`, { text: 'Hi', kind: 'transactional' });
    expect(updated.json).toMatchObject({ kind: 'transactional', text: 'Hi', html: '<p>Hi</p>', name: 'Welcome' });
    expect(updated.json.updatedAt > updated.json.createdAt).toBe(true);
    expect((await call('GET', `/api/v1/email-templates/${id}`)).json.text).toBe('Hi');
    expect((await call('DELETE', `/api/v1/email-templates/${id}`)).status).toBe(204);
    expect((await call('GET', `/api/v1/email-templates/${id}`)).status).toBe(404);
    expect((await call('DELETE', `/api/v1/email-templates/${id}`)).status).toBe(404);
  });

  it('names every problem by field at once, Liquid errors with line and column', async () => {
    hark = await startCollector();
    const bad = await call('POST', '/api/v1/email-templates', { name: '', kind: 'newsletter', subject: 'a\nb', colour: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_fields');
    expect(Object.keys(bad.json.error.fields).sort()).toEqual(['colour', 'kind', 'name', 'subject']);
    const noBody = await call('POST', '/api/v1/email-templates', { name: 'x', kind: 'marketing', subject: 'Hi' });
    expect(noBody.json.error.fields).toEqual({ html: 'a template needs a text or an HTML part' });
    const liquid = await call('POST', '/api/v1/email-templates', { name: 'x', kind: 'marketing', subject: 'Hi {{ person.traits.name', html: '<p>\n{% if x %}</p>' });
    expect(liquid.status).toBe(400);
    expect(liquid.json.error.fields.subject).toMatch(/^line 1, column 4: /);
    expect(liquid.json.error.fields.html).toMatch(/^line 2, column 1: /);
    const ok = await call('POST', '/api/v1/email-templates', { name: 'x', kind: 'marketing', subject: 'Hi', text: 'ok' });
    const clear = await call('PATCH', `/api/v1/email-templates/${ok.json.id}`, { text: null });
    expect(clear.json.error.fields).toEqual({ html: 'a template needs a text or an HTML part' });
    expect((await call('POST', '/api/v1/email-templates', [])).status).toBe(400);
  });

  it('previews a saved template for a chosen contact with their company, an event and data, escaping HTML', async () => {
    hark = await startCollector();
    await hark.send('/v1/batch', {
      batch: [
        { type: 'identify', messageId: mid(), userId: 'u-1', traits: { email: 'ann@example.com', name: 'Ann <script>' } },
        { type: 'group', messageId: mid(), userId: 'u-1', groupId: 'acme', traits: { name: 'Acme', plan: 'gold' } },
      ],
    });
    const ann = (await (await hark.admin('/api/v1/people/lookup?userId=u-1')).json()) as { id: string };
    const template = await call('POST', '/api/v1/email-templates', {
      name: 'Order',
      kind: 'transactional',
      subject: 'Order {{ event.properties.orderId }} for {{ person.traits.name }}',
      html: '<p>{{ person.traits.name }} at {{ company.traits.name }} ({{ company.traits.plan }}) {{ data.code }} {{ person.traits.nickname }}</p>',
    });
    const preview = await call('POST', `/api/v1/email-templates/${template.json.id}/preview`, { personId: ann.id, event: { name: 'Order Placed', properties: { orderId: 'A7' } }, data: { code: 'Z9' } });
    expect(preview.status).toBe(200);
    expect(preview.json).toEqual({
      subject: 'Order A7 for Ann <script>',
      text: '',
      html: '<p>Ann &lt;script&gt; at Acme (gold) Z9 </p>',
      warnings: ['person.traits.nickname is not set for this contact (used in the html)'],
    });
    expect((await call('POST', `/api/v1/email-templates/${template.json.id}/preview`, { personId: 'nobody' })).status).toBe(404);
    expect((await call('POST', '/api/v1/email-templates/nope/preview', {})).status).toBe(404);
    expect((await call('POST', `/api/v1/email-templates/${template.json.id}/preview`, { data: 'x' })).json.error.fields).toHaveProperty('data');
  });

  it('previews an unsaved draft, warning about every variable when no contact is chosen', async () => {
    hark = await startCollector();
    const preview = await call('POST', '/api/v1/email-templates/preview', { subject: 'Hi {{ person.traits.name }}', text: '{{ data.code }}' });
    expect(preview.json).toEqual({
      subject: 'Hi ',
      text: '',
      html: '',
      warnings: ['person.traits.name is not set for this contact (used in the subject)', 'data.code is not set for this contact (used in the text)'],
    });
    const broken = await call('POST', '/api/v1/email-templates/preview', { subject: 'x', html: '{{ person.id | nosuch }}' });
    expect(broken.status).toBe(400);
    expect(broken.json.error.fields.html).toMatch(/^line 1, column 1: /);
  });
});

describe('the console’s email preview frame', () => {
  it('allows an email’s inline styles but no script except its own, and only inside this collector', async () => {
    hark = await startCollector();
    const res = await hark.app.request('/console-frames/email-preview');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(csp).toContain("style-src 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
  });
});

describe('who may preview', () => {
  it('needs only read access to preview (agents may), but content.write to save', async () => {
    const { actionFor } = await import('../src/http/admin-access.js');
    expect(actionFor('POST', '/email-templates/preview')).toBe('read');
    expect(actionFor('POST', '/email-templates/abc/preview')).toBe('read');
    expect(actionFor('POST', '/email-templates')).toBe('content.write');
    expect(actionFor('PATCH', '/email-templates/abc')).toBe('content.write');
    expect(actionFor('POST', '/email-templates/abc/preview/x')).toBe('content.write');
  });
});
