import { describe, expect, it } from 'vitest';
import { matchValue } from '@hark/protocol';
import { compilePage, DAY_MS, frequencyFailure, localTimeToUtc, pageFailure, parsePageUrl } from '../src/messages/conditions.js';
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
