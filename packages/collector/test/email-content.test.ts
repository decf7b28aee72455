import { describe, expect, it } from 'vitest';
import { renderTemplate, TemplateError } from '../src/email/render-template.js';
import { addTracking, readClickToken, readOpenToken } from '../src/email/track-links.js';
import { listUnsubscribeHeaders, readUnsubscribeToken, unsubscribeUrl } from '../src/email/unsubscribe-link.js';

const person = { traits: { name: 'Ada <b>', plan: 'pro' }, email: 'ada@example.com', userId: 'u1', id: 'p1' };
const secret = 'hk_l_test';

describe('email templates', () => {
  it('fills subject, text and HTML from traits, company, event and data, escaping only the HTML', () => {
    const out = renderTemplate(
      {
        subject: 'Hi {{ person.traits.name }}',
        text: '{{ company.traits.name }} / {{ event.properties.total }} / {{ data.code }}',
        html: '<p>{{ person.traits.name }} {{ person.email }}</p><p>{{ data.raw | raw }}</p>',
      },
      { person, company: { traits: { name: 'A & B' } }, event: { name: 'Order', properties: { total: 42 } }, data: { code: 'X1', raw: '<i>ok</i>' } },
    );
    expect(out.subject).toBe('Hi Ada <b>');
    expect(out.text).toBe('A & B / 42 / X1');
    expect(out.html).toBe('<p>Ada &lt;b&gt; ada@example.com</p><p><i>ok</i></p>');
    expect(out.warnings).toEqual([]);
  });

  it('renders unknown variables as empty and lists each once as a warning', () => {
    const out = renderTemplate({ subject: '{{ person.traits.missing }}!', html: '{{ person.traits.missing }}{% for x in data.items %}{{ x }}{% endfor %}{% assign y = 1 %}{{ y }}' }, { person });
    expect(out.subject).toBe('!');
    expect(out.html).toBe('1');
    expect(out.warnings).toEqual(['person.traits.missing is not set for this contact (used in the subject)', 'person.traits.missing is not set for this contact (used in the html)', 'data.items is not set for this contact (used in the html)']);
  });

  it('refuses a broken template with a 400 naming the part, line and column', () => {
    let error: unknown;
    try {
      renderTemplate({ subject: 'ok', html: '<p>\n  {% if person.traits.plan %}\n</p>' }, { person });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateError);
    const t = error as TemplateError;
    expect(t.status).toBe(400);
    expect(t.part).toBe('html');
    expect(t.line).toBe(2);
    expect(t.fields?.html).toMatch(/^line 2, column 3: /);
  });

  it('refuses unknown filters and never reads files through include', () => {
    expect(() => renderTemplate({ subject: '{{ person.id | nosuchfilter }}' }, { person })).toThrow(/unknown filter|nosuchfilter/);
    expect(() => renderTemplate({ subject: "{% include '/etc/passwd' %}" }, { person })).toThrow(TemplateError);
  });
});

describe('tracking links', () => {
  it('rewrites every http(s) link to a signed click URL, keeps other links and adds a pixel before </body>', () => {
    const html = `<html><body><!-- <a href="https://in.comment/"> -->
<a class='btn' href='https://shop.test/a?x=1&amp;y=2'>A</a>
<A HREF="http://shop.test/b" title="a > b">B</A>
<a href="mailto:hi@shop.test">mail</a><a href="#top">top</a>
<a href="https://shop.test/a?x=1&amp;y=2">again</a>
</body></html>`;
    const out = addTracking(html, { sendId: 's1', baseUrl: 'https://hark.test/', secret });
    expect(out.links).toEqual(['https://shop.test/a?x=1&y=2', 'http://shop.test/b']);
    expect(out.html).toContain('<!-- <a href="https://in.comment/"> -->');
    expect(out.html).toContain('<a href="mailto:hi@shop.test">mail</a><a href="#top">top</a>');
    const clicks = [...out.html.matchAll(/href="https:\/\/hark\.test\/e\/c\/([^"]+)"/g)].map((m) => readClickToken(secret, m[1]!));
    expect(clicks).toEqual([{ sendId: 's1', index: 0 }, { sendId: 's1', index: 1 }, { sendId: 's1', index: 0 }]);
    expect(out.html).toContain('class="btn"');
    expect(out.html).toContain('title="a &gt; b"');
    const pixel = /<img src="https:\/\/hark\.test\/e\/o\/([^"]+)\.gif"[^>]*><\/body>/.exec(out.html);
    expect(pixel && readOpenToken(secret, pixel[1]!)).toEqual({ sendId: 's1' });
  });

  it('refuses tokens signed with another secret, for another purpose or edited', () => {
    const out = addTracking('<a href="https://x.test/">x</a>', { sendId: 's1', baseUrl: 'https://hark.test', secret });
    const token = /\/e\/c\/([^"]+)"/.exec(out.html)![1]!;
    expect(readClickToken('other', token)).toBeNull();
    expect(readOpenToken(secret, token)).toBeNull();
    const [payload, mac] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ s: 's1', i: 1 })).toString('base64url');
    expect(readClickToken(secret, `${forged}.${mac}`)).toBeNull();
    expect(readClickToken(secret, `${payload}.`)).toBeNull();
    expect(readClickToken(secret, 'garbage')).toBeNull();
  });
});

describe('unsubscribe links', () => {
  it('signs who is unsubscribing and gives the RFC 8058 headers', () => {
    const url = unsubscribeUrl({ baseUrl: 'https://hark.test', secret, projectId: 'pr1', personId: 'p1', sendId: 's1' });
    const token = url.replace('https://hark.test/e/u/', '');
    expect(readUnsubscribeToken(secret, token)).toEqual({ projectId: 'pr1', personId: 'p1', sendId: 's1' });
    expect(readUnsubscribeToken('other', token)).toBeNull();
    expect(listUnsubscribeHeaders(url)).toEqual({ 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
  });
});
