import { describe, expect, it } from 'vitest';
import { matchValue } from '@hark/protocol';
import { compilePage, DAY_MS, frequencyFailure, localTimeToUtc, pageFailure, parsePageUrl } from '../src/messages/conditions.js';
import { compileGlob, compileRegex } from '../src/messages/page-match.js';
import { fillTemplate, templateProblem } from '../src/messages/template.js';

const person = { traits: { name: '  Ana ', seats: 0, vip: false, tags: ['a'], company: { name: 'Acme' } }, email: 'ana@example.com', userId: 'u-ana' };

describe('message text variables', () => {
  it('fills traits, trims them, and keeps falsy values that are real answers', () => {
    expect(fillTemplate('{{name}} has {{seats}} seats (vip: {{vip}})', person)).toBe('Ana has 0 seats (vip: false)');
  });

  it('uses the fallback for missing, empty, or non-text traits, and nothing when there is no fallback', () => {
    expect(fillTemplate('Hi {{nickname|there}} from {{company|your team}}{{missing}}!', person)).toBe('Hi there from your team!');
    expect(fillTemplate('Hi {{name|there}}', null)).toBe('Hi there');
  });

  it("reads the person's own email and user id when the traits lack them", () => {
    expect(fillTemplate('{{email}} / {{userId}} / {{company.name}}', person)).toBe('ana@example.com / u-ana / Acme');
  });

  it('finds malformed variables before a message is saved', () => {
    expect(templateProblem('Hi {{name|there}}, {{ company.name }}')).toBeNull();
    expect(templateProblem('Hi {{}}')).toMatch(/not a valid variable/);
    expect(templateProblem('Hi {{first name}}')).toMatch(/not a valid variable/);
    expect(templateProblem('Hi {{name')).toMatch(/without its/);
    expect(templateProblem('Hi name}}')).toMatch(/without its/);
  });
});

describe('value comparisons', () => {
  it('treats numbers and their decimal strings as equal, and compares nothing else loosely', () => {
    expect(matchValue('12', { op: 'equals', value: 12 })).toBe(true);
    expect(matchValue(true, { op: 'equals', value: 'true' })).toBe(false);
    expect(matchValue(null, { op: 'equals', value: 'null' })).toBe(false);
    expect(matchValue('12', { op: 'gt', value: 3 })).toBe(true);
    expect(matchValue('', { op: 'lt', value: 3 })).toBe(false);
  });
});

describe('page URLs', () => {
  it('matches path rules on a bare path when the App sends no origin', () => {
    const page = compilePage([{ mode: 'include', match: 'equals', value: '/pricing' }]);
    expect(pageFailure(page, parsePageUrl('/pricing?x=1#top'))).toBeNull();
  });

  it('looks at the query string only when the rule names one', () => {
    const page = compilePage([{ mode: 'include', match: 'equals', value: '/search?q=hark' }]);
    expect(pageFailure(page, parsePageUrl('https://example.com/search?q=hark'))).toBeNull();
    expect(pageFailure(page, parsePageUrl('https://example.com/search?q=other'))).not.toBeNull();
  });
});

describe('page rules an attacker can aim a long URL at', () => {
  // The longest URL GET /v1/messages accepts is 2,048 characters.
  const slashes = `https://example.com${'/'.repeat(300)}`;
  const longest = (tail: string) => `https://example.com/${'a/'.repeat((2048 - 20 - tail.length) / 2)}${tail}`.slice(0, 2048);
  const rule = (match: 'glob' | 'regex', value: string, mode: 'include' | 'exclude' = 'include') => compilePage([{ mode, match, value }]);

  it('answers the globs from issue 9 correctly on a 300-slash URL and on the longest URL', () => {
    const settings = rule('glob', '/*/*/*/*/settings');
    expect(pageFailure(settings, parsePageUrl(slashes))).not.toBeNull();
    expect(pageFailure(settings, parsePageUrl(`${slashes}settings`))).toBeNull();
    expect(pageFailure(settings, parsePageUrl(`https://example.com/a/b/c/d/settings`))).toBeNull();
    expect(pageFailure(settings, parsePageUrl(`https://example.com/a/b/c/settings`))).not.toBeNull();
    const dozen = rule('glob', `https://example.com/${'*a'.repeat(12)}*b`);
    const url = longest('');
    expect(url).toHaveLength(2048);
    expect(pageFailure(dozen, parsePageUrl(url))).not.toBeNull();
    expect(pageFailure(dozen, parsePageUrl(`${url.slice(0, 2047)}b`))).toBeNull();
    expect(pageFailure(rule('glob', '*'.repeat(12)), parsePageUrl(url))).toBeNull();
  });

  it('matches globs exactly as the anchored regular expressions they used to compile to', () => {
    // Differential check on short strings, where the old backtracking regex is still quick.
    const oracle = (glob: string) => new RegExp(`^${glob.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const word = (alphabet: string, length: number) => Array.from({ length }, () => alphabet[random(alphabet.length)]).join('');
    for (let i = 0; i < 3000; i++) {
      const glob = word('ab/*', random(7));
      const text = word('ab/', random(9));
      expect(compileGlob(glob)(text), `${glob} on ${text}`).toBe(oracle(glob).test(text));
    }
  });

  it('runs regex rules on RE2, so a pattern that backtracks in JavaScript still answers on the longest URL', () => {
    const evil = rule('regex', '^https://example\\.com/(a+/?)+$');
    const url = longest('');
    expect(pageFailure(evil, parsePageUrl(`${url.slice(0, 2047)}!`))).not.toBeNull();
    expect(pageFailure(evil, parsePageUrl(url))).toBeNull();
    expect(pageFailure(rule('regex', '(.*/)*settings'), parsePageUrl(slashes))).not.toBeNull();
    expect(pageFailure(rule('regex', '(.*/)*settings'), parsePageUrl(`${slashes}settings`))).toBeNull();
    expect(pageFailure(rule('regex', '/pricing\\/?$'), parsePageUrl('https://example.com/pricing/'))).toBeNull();
  });

  it('refuses patterns RE2 cannot run, and keeps a message with one stored earlier hidden', () => {
    expect(compileRegex('(?=admin)')).toMatchObject({ ok: false, problem: expect.stringMatching(/RE2 syntax.*look-arounds/) });
    expect(compileRegex('(a)\\1')).toMatchObject({ ok: false });
    expect(compileRegex('^/docs/\\d+')).toMatchObject({ ok: true });
    // Linear in the URL, times the program: counted repeats make the program big, so it is capped.
    expect(compileRegex('.{330}'.repeat(3))).toMatchObject({ ok: false, problem: expect.stringMatching(/compiles to \d+ steps, more than the 500/) });
    expect(compileRegex('.{400}')).toMatchObject({ ok: true, steps: expect.any(Number) });
    const url = parsePageUrl('https://example.com/admin');
    expect(pageFailure(rule('regex', '(?=admin)'), url)).not.toBeNull();
    expect(pageFailure(rule('regex', '(?=admin)', 'exclude'), url)).toMatch(/excluded/);
  });
});

describe('time zones', () => {
  it('reads a local time that the autumn clock change repeats as one of its two real instants', () => {
    // 02:30 happens twice in Paris on 2026-10-25; either instant is a correct reading.
    const instant = localTimeToUtc('2026-10-25T02:30', 'Europe/Paris')!;
    expect(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']).toContain(new Date(instant).toISOString());
  });

  it('handles zones east and west of Greenwich, and refuses dates that do not exist', () => {
    expect(new Date(localTimeToUtc('2026-01-01T00:00', 'Asia/Kolkata')!).toISOString()).toBe('2025-12-31T18:30:00.000Z');
    expect(new Date(localTimeToUtc('2026-01-01T00:00:30', 'Pacific/Honolulu')!).toISOString()).toBe('2026-01-01T10:00:30.000Z');
    expect(localTimeToUtc('2026-13-01T00:00', 'UTC')).toBeNull();
    expect(localTimeToUtc('2026-01-01T24:00', 'UTC')).toBeNull();
    expect(localTimeToUtc('next tuesday', 'UTC')).toBeNull();
  });
});

describe('frequency rules', () => {
  const now = 100 * DAY_MS;
  const stats = (shows: number, lastShownDaysAgo: number | null, answered = false) => ({
    shows,
    lastShownAt: lastShownDaysAgo === null ? null : now - lastShownDaysAgo * DAY_MS,
    answered,
    deliveries: shows,
  });

  it('lets a message through until its cap, and explains the cap once reached', () => {
    expect(frequencyFailure({ type: 'once' }, stats(0, null), now)).toBeNull();
    expect(frequencyFailure({ type: 'at_most', times: 3 }, stats(2, 0), now)).toBeNull();
    expect(frequencyFailure({ type: 'at_most', times: 3 }, stats(3, 0), now)).toBe('already shown 3 times; at most 3');
    expect(frequencyFailure({ type: 'every_n_days', days: 0.5 }, stats(1, 0.25), now)).toMatch(/shows again after 0.5 days/);
    expect(frequencyFailure({ type: 'every_n_days', days: 0.5 }, stats(1, 0.5), now)).toBeNull();
    expect(frequencyFailure({ type: 'until_answered' }, stats(40, 0), now)).toBeNull();
    expect(frequencyFailure({ type: 'until_answered', maxTimes: 5 }, stats(1, 10, true), now)).toBe('already answered');
  });
});
